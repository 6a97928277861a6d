// Runs every test suite that can run here and closes with one plain line,
// "tests: N passed, N failed, N skipped", the summary CI reads:
//   1. vitest: unit and integration tests in plain Node;
//   2. Playwright: end-to-end tests of the built renderer in Debian's Chromium against `salvage serve`.
//      Without Chromium they are counted as skipped, with the reason printed (never as passed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
mkdirSync('test-results', { recursive: true });

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

const vitest = spawnSync(
  'vitest',
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile=test-results/vitest.json',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
const unit = readJson<{
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}>('test-results/vitest.json');
const unitCounts: Counts = unit
  ? {
      passed: unit.numPassedTests,
      failed: unit.numFailedTests,
      skipped: unit.numPendingTests + unit.numTodoTests,
    }
  : { passed: 0, failed: 1, skipped: 0 };
console.log(
  `\nunit: ${unitCounts.passed} passed, ${unitCounts.failed} failed, ${unitCounts.skipped} skipped`,
);

let e2eCounts: Counts;
let e2eStatus = 0;
if (!existsSync(CHROMIUM)) {
  const specs = spawnSync('playwright', ['test', '--list'], { encoding: 'utf8' });
  const listed = /Total: (\d+) tests?/.exec(specs.stdout)?.[1];
  e2eCounts = { passed: 0, failed: 0, skipped: Number(listed ?? 0) };
  console.log(
    `e2e: skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)`,
  );
} else {
  const playwright = spawnSync('playwright', ['test', '--reporter=list,json'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json' },
  });
  e2eStatus = playwright.status ?? 1;
  const report = readJson<PlaywrightReport>('test-results/playwright.json');
  for (const reason of report ? skipReasons(report.suites) : [])
    console.log(`e2e skipped: ${reason}`);
  e2eCounts = report
    ? {
        passed: report.stats.expected + report.stats.flaky,
        failed: report.stats.unexpected,
        skipped: report.stats.skipped,
      }
    : { passed: 0, failed: 1, skipped: 0 };
  console.log(
    `e2e: ${e2eCounts.passed} passed, ${e2eCounts.failed} failed, ${e2eCounts.skipped} skipped`,
  );
}

const total = {
  passed: unitCounts.passed + e2eCounts.passed,
  failed: unitCounts.failed + e2eCounts.failed,
  skipped: unitCounts.skipped + e2eCounts.skipped,
};
console.log(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(vitest.status !== 0 || e2eStatus !== 0 || total.failed > 0 ? 1 : 0);

interface PlaywrightSuite {
  title: string;
  suites?: PlaywrightSuite[];
  specs?: Array<{
    title: string;
    tests: Array<{ annotations: Array<{ type: string; description?: string }> }>;
  }>;
}

interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  suites: PlaywrightSuite[];
}

/** "spec title: reason" for every skipped spec, so a skip is never silent. */
function skipReasons(suites: PlaywrightSuite[]): string[] {
  const reasons: string[] = [];
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      for (const run of spec.tests) {
        for (const annotation of run.annotations) {
          if (annotation.type === 'skip')
            reasons.push(`${spec.title}: ${annotation.description ?? 'no reason given'}`);
        }
      }
    }
    reasons.push(...skipReasons(suite.suites ?? []));
  }
  return reasons;
}
