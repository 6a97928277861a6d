// Listing benchmark (npm run bench:listing; not part of the tests): 10,000 generated runs listed
// cold (every log read) and warm (sealed digests: one stat each), printed side by side with the
// floor of a bare recursive stat of the same files.
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { streamRuns } from '../../electron/node/logs/listRuns.ts';
import { ReaderPool } from '../../electron/node/logs/readerPool.ts';
import { RunDigest } from '../../electron/node/index/runDigest.ts';

const RUNS = 10_000;
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/listing');
const logs = join(folder, 'logs');
const sources = [
  'demo/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval',
  'demo/logs/2026-06-10T18-23-49+00-00_cp-ctf_ais-decoder.eval',
  'demo/logs/2025-05-12T20-28-26-04-00_security-guide.json',
].map((path) => join(root, path));

rmSync(folder, { recursive: true, force: true });
for (let index = 0; index < RUNS; index++) {
  const bucket = join(logs, `batch-${Math.floor(index / 500)}`);
  if (index % 500 === 0) mkdirSync(bucket, { recursive: true });
  const source = sources[index % sources.length]!;
  cpSync(source, join(bucket, `run-${index}${source.endsWith('.json') ? '.json' : '.eval'}`));
}
console.log(`${RUNS} runs generated in ${logs}`);

const statStarted = performance.now();
let statted = 0;
for (const batch of readdirSync(logs))
  for (const name of readdirSync(join(logs, batch)))
    statted += statSync(join(logs, batch, name)).size > 0 ? 1 : 0;
const statSeconds = (performance.now() - statStarted) / 1000;

const digest = RunDigest.open(join(folder, 'digest.sqlite'));
const pool = new ReaderPool();
const time = async (): Promise<{ seconds: number; first: number; cpu: number }> => {
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
  };
};
const cold = await time();
const coldMisses = digest.misses;
digest.hits = digest.misses = 0;
const warm = await time();
console.log(`\n  readdir + stat only (floor)    ${statSeconds.toFixed(2)} s  (${statted} files)`);
console.log(
  `  salvage ls, cold               ${cold.seconds.toFixed(2)} s  (${coldMisses} logs read; first rows after ${cold.first.toFixed(2)} s; CPU ${cold.cpu.toFixed(2)} s)`,
);
console.log(
  `  salvage ls, warm (digests)     ${warm.seconds.toFixed(2)} s  (${digest.hits} digest hits, ${digest.misses} reads; first rows after ${warm.first.toFixed(2)} s; CPU ${warm.cpu.toFixed(2)} s)`,
);
digest.close();
await pool.close();
