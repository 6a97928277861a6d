// Listing benchmark (npm run bench:listing; not part of the tests): 10,000 generated runs listed
// cold (every log read) and warm (sealed digests: one stat each), printed side by side with the
// floor of a bare recursive stat of the same files, with the CPU each took (every thread of the
// process: the reader pool's workers and V8's own) and the load average when it ended.
//
// Cold here: a new, empty digest and a new reader pool (its workers start inside the timing);
// the files were just written, so the page cache holds them (dropping it needs root), as it
// does for the folder a researcher just listed or just wrote.
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { streamRuns } from '../../electron/node/logs/listRuns.ts';
import { ReaderPool } from '../../electron/node/logs/readerPool.ts';
import { RunDigest } from '../../electron/node/index/runDigest.ts';
import { writeListingMix } from './listingMix.ts';
import { statFloor } from './listingRuns.ts';

const RUNS = 10_000;
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/listing');
const logs = join(folder, 'logs');

rmSync(folder, { recursive: true, force: true });
writeListingMix(logs, RUNS);
console.log(`${RUNS} runs generated in ${logs}`);

const { seconds: statSeconds, files: statted } = statFloor(logs);
const statLoad = loadavg();

const digest = RunDigest.open(join(folder, 'digest.sqlite'));
const pool = new ReaderPool();
const time = async (): Promise<{ seconds: number; first: number; cpu: number; load: number[] }> => {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let first = 0;
  let rows = 0;
  await streamRuns(logs, { digest, pool }, (batch) => {
    if (rows === 0) first = (performance.now() - started) / 1000;
    rows += batch.length;
  });
  if (rows !== RUNS) throw new Error(`listed ${rows} runs`);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds: (performance.now() - started) / 1000,
    first,
    cpu: (cpu.user + cpu.system) / 1e6,
    load: loadavg(),
  };
};
const cold = await time();
const coldMisses = digest.misses;
digest.hits = digest.misses = 0;
const warm = await time();
const load = (at: number[]): string => `load average ${at[0]!.toFixed(2)}`;
console.log(
  `\n  readdir + stat only (floor)    ${statSeconds.toFixed(2)} s  (${statted} files; ${load(statLoad)})`,
);
console.log(
  `  salvage ls, cold               ${cold.seconds.toFixed(2)} s  (${coldMisses} logs read; first rows after ${cold.first.toFixed(2)} s; CPU ${cold.cpu.toFixed(2)} s; ${load(cold.load)})`,
);
console.log(
  `  salvage ls, warm (digests)     ${warm.seconds.toFixed(2)} s  (${digest.hits} digest hits, ${digest.misses} reads; first rows after ${warm.first.toFixed(2)} s; CPU ${warm.cpu.toFixed(2)} s; ${load(warm.load)})`,
);
console.log(
  `  (${availableParallelism()} cores; CPU: every thread of this process, the pool's workers included)`,
);
digest.close();
await pool.close();
