// Runs the vitest suite and closes with one plain line, "N passed, N failed, N skipped", the summary
// CI reads; the exit code is vitest's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const report = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
const run = spawnSync(
  'vitest',
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

let summary = 'no test report was written';
try {
  const counts = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  summary = `${counts.numPassedTests} passed, ${counts.numFailedTests} failed, ${counts.numPendingTests + counts.numTodoTests} skipped`;
} catch {
  // Reported below: the summary line says the report is missing and the exit code is non-zero.
}
console.log(`\nunit: ${summary}`);
process.exit(run.status ?? 1);
