// `npm run electronegativity`: Doyensec's Electron security scanner (from the npm registry) over the
// Electron shell's sources, the page and the packaging settings; run in CI by `npm test`'s caller.
// Every finding is either fixed or listed, with why it stays, in docs/security/electronegativity.md
// (the table between its markers); a finding not listed there fails the run, and so does a listed
// one that no longer appears (the list is kept true).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..');
const RECORD = join(ROOT, 'docs/security/electronegativity.md');

interface Issue {
  readonly id: string;
  readonly file: string;
  readonly location: { line: number; column: number };
  readonly description: string;
}
type Run = (options: Record<string, unknown>) => Promise<{ issues: Issue[]; errors: unknown[] }>;

// The scanner first fetches translations of its messages over the network; offline that request
// times out and its HTTP client's retry then throws on Node 24. Answered at once with a failure,
// the scanner uses the English messages it ships (what it does whenever the fetch fails).
const scanner = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const httpClient = require.resolve('got', { paths: [scanner] });
const offline = (): Promise<never> => Promise.reject(new Error('offline'));
require.cache[httpClient] = {
  id: httpClient,
  filename: httpClient,
  loaded: true,
  exports: Object.assign(offline, { head: offline }),
} as unknown as NodeJS.Module;
const run = require('@doyensec/electronegativity') as Run;

// What the scanner reads: the shell's code, the built page (its CSP is filled in at build), the
// packaging settings.
const PAGE = join(ROOT, 'out/renderer/index.html');
if (!existsSync(PAGE)) {
  console.error(
    'electronegativity: no built page at out/renderer/index.html (npm run build first)',
  );
  process.exit(1);
}
const input = mkdtempSync(join(tmpdir(), 'salvage-electronegativity-'));
for (const path of ['electron/main', 'electron/preload', 'package.json', 'electron-builder.yml'])
  cpSync(join(ROOT, path), join(input, path), {
    recursive: true,
    filter: (source) => !source.endsWith('.test.ts'),
  });
cpSync(PAGE, join(input, 'renderer/index.html'));
const electron = (require('electron/package.json') as { version: string }).version;
const result = await run({
  input,
  output: undefined,
  isSarif: false,
  customScan: [],
  // Compares the Electron version with the list of releases, fetched from the network: offline it
  // cannot run (the version is pinned in package.json and updated on purpose).
  excludeFromScan: ['availablesecurityfixesglobalcheck'],
  severitySet: undefined,
  confidenceSet: undefined,
  isRelative: true,
  isVerbose: false,
  electronUpgrade: undefined,
  electronVersionOverride: electron,
  parserPlugins: [],
});
rmSync(input, { recursive: true, force: true });

// Paths are relative to the scanned folder (isRelative).
const found = new Set(result.issues.map((issue) => `${issue.id} ${issue.file}`));
const recorded = new Set(
  [
    ...(
      /<!-- findings -->([\s\S]*?)<!-- \/findings -->/.exec(readFileSync(RECORD, 'utf8'))?.[1] ?? ''
    ).matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*`([^`]+)`\s*\|/gm),
  ].map((match) => `${match[1]} ${match[2]}`),
);
console.log(`electronegativity (Electron ${electron}): ${found.size} findings`);
for (const issue of result.issues)
  console.log(
    `  ${issue.id} ${issue.file}:${issue.location.line} ${recorded.has(`${issue.id} ${issue.file}`) ? '(recorded)' : 'NEW'}  ${issue.description}`,
  );
const unrecorded = [...found].filter((key) => !recorded.has(key));
const gone = [...recorded].filter((key) => !found.has(key));
for (const key of unrecorded) console.log(`not in docs/security/electronegativity.md: ${key}`);
for (const key of gone)
  console.log(`recorded but no longer found (remove it from the record): ${key}`);
process.exit(unrecorded.length > 0 || gone.length > 0 || result.errors.length > 0 ? 1 : 0);
