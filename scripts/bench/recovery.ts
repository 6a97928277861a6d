// Recovery benchmark (npm run bench:recovery; not part of the tests): a crashed run whose
// `.buffer/` filestore holds 5,000 completed samples across 200 segments is recovered in a process
// of its own; prints time and peak memory beside the I/O floor (copying the same bytes with cp).
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { writeCrashedRun } from '../../test/support/crashedRun.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/recovery');
rmSync(folder, { recursive: true, force: true });
const generated = performance.now();
const run = await writeCrashedRun({
  folder: join(folder, 'logs'),
  name: 'bench',
  flushed: 100,
  completed: 5000,
  inProgress: 20,
  segments: 200,
  textChars: 2000,
});
console.log(
  `generated 100 flushed + 5,020 buffered samples in 200 segments in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
);
const bufferBytes = Number(
  execFileSync('du', ['-sb', run.filestore!], { encoding: 'utf8' }).split('\t')[0],
);

const copyStarted = performance.now();
execFileSync('cp', ['-r', run.filestore!, join(folder, 'copy')]);
const copySeconds = (performance.now() - copyStarted) / 1000;

const child = spawnSync(process.execPath, [join(root, 'scripts/bench/recoverOnce.ts'), run.log], {
  encoding: 'utf8',
});
if (child.status !== 0) throw new Error(child.stderr);
const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
  seconds: number;
  peakRss: number;
  written: number;
  bytes: number;
};
console.log(`\nbuffer: ${(bufferBytes / 1e6).toFixed(1)} MB in 200 segment zips`);
console.log(`  cp -r of the buffer (I/O floor)   ${copySeconds.toFixed(2)} s`);
console.log(
  `  salvage recover                   ${result.seconds.toFixed(2)} s for ${result.written} samples (${(result.written / result.seconds).toFixed(0)} samples/s), ${(result.bytes / 1e6).toFixed(1)} MB written and verified`,
);
console.log(`  peak RSS                          ${(result.peakRss / 1e6).toFixed(0)} MB`);
