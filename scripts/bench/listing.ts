// Listing benchmark (npm run bench:listing; not part of the tests): 10,000 generated runs listed
// cold (every log read) and warm (sealed digests: one stat each), printed side by side with the
// floor of a bare recursive stat of the same files, with the CPU each took (every thread of the
// process: the reader pool's workers and V8's own, and on Linux each kind apart) and the load
// average when it ended.
//
// Cold here: a new, empty digest and a new reader pool (its workers start inside the timing);
// the files were just written, so the page cache holds them (dropping it needs root), as it
// does for the folder a researcher just listed or just wrote. Warm: the listing right after the
// cold one, in the same process (as the app lists a folder again), then the median of five more.
//
// The pool's workers load their module from sources, as the CLI and `salvage serve` run (the
// desktop app loads the bundle, out/reader/readerWorker.js): Node's compile cache keeps the
// type-stripped modules, so a worker's start costs about what the bundle's does.
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { streamRuns } from '../../electron/node/logs/listRuns.ts';
import { ReaderPool } from '../../electron/node/logs/readerPool.ts';
import { RunDigest } from '../../electron/node/index/runDigest.ts';
import { writeListingMix } from './listingMix.ts';
import { cpuBetween, statFloor, threadCpu, type ThreadCpu } from './listingRuns.ts';

const RUNS = 10_000;
/** Warm listings after the first, for the steady figure (their median). */
const STEADY_RUNS = 5;
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/listing');
const logs = join(folder, 'logs');

rmSync(folder, { recursive: true, force: true });
writeListingMix(logs, RUNS);
console.log(`${RUNS} runs generated in ${logs}`);

const { seconds: statSeconds, files: statted } = statFloor(logs);
const statLoad = loadavg();

interface Timing {
  readonly seconds: number;
  readonly first: number;
  readonly cpu: number;
  readonly threads: ThreadCpu | null;
  readonly load: number[];
}

const digest = RunDigest.open(join(folder, 'digest.sqlite'));
const pool = new ReaderPool();
const time = async (): Promise<Timing> => {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpu();
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
    threads: cpuBetween(threadsBefore, threadCpu()),
    load: loadavg(),
  };
};
const cold = await time();
const coldMisses = digest.misses;
digest.hits = digest.misses = 0;
const warm = await time();
const warmHits = digest.hits;
const warmReads = digest.misses;
const steady: Timing[] = [];
for (let run = 0; run < STEADY_RUNS; run++) steady.push(await time());
const median = steady.sort((a, b) => a.seconds - b.seconds)[STEADY_RUNS >> 1]!;

const load = (at: number[]): string => `load average ${at[0]!.toFixed(2)}`;
const split = ({ threads }: Timing): string =>
  threads
    ? ` = workers ${threads.workers.toFixed(2)} + listing thread ${threads.main.toFixed(2)} + V8's threads ${threads.v8.toFixed(2)} s`
    : '';
const line = (label: string, timing: Timing, what: string): string =>
  `  ${label.padEnd(31)}${timing.seconds.toFixed(2)} s  (${what}first rows after ${timing.first.toFixed(2)} s; CPU ${timing.cpu.toFixed(2)} s${split(timing)}; ${load(timing.load)})`;
console.log(
  `\n  readdir + stat only (floor)    ${statSeconds.toFixed(2)} s  (${statted} files; ${load(statLoad)})`,
);
console.log(line('salvage ls, cold', cold, `${coldMisses} logs read; `));
console.log(
  line('salvage ls, warm (digests)', warm, `${warmHits} digest hits, ${warmReads} reads; `),
);
console.log(line(`  steady (median of ${STEADY_RUNS})`, median, ''));
console.log(
  `  (${availableParallelism()} cores; CPU: every thread of this process, the pool's workers included)`,
);
digest.close();
await pool.close();
