// Listing benchmark (npm run bench:listing; not part of the tests): 10,000 generated runs listed
// cold (every log read) and warm (sealed digests: one stat each), printed side by side with the
// floor of a bare recursive stat of the same files.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { listRuns } from '../../electron/node/logs/listRuns.ts';
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

const digest = RunDigest.open(join(folder, 'digest.sqlite'));
const time = async (): Promise<number> => {
  const started = performance.now();
  const rows = await listRuns(logs, { digest });
  if (rows.length !== RUNS) throw new Error(`listed ${rows.length} runs`);
  return (performance.now() - started) / 1000;
};
const cold = await time();
const coldMisses = digest.misses;
digest.hits = digest.misses = 0;
const warm = await time();
console.log(`\n  readdir + stat only (floor)    ${statSeconds.toFixed(2)} s  (${statted} files)`);
console.log(`  salvage ls, cold               ${cold.toFixed(2)} s  (${coldMisses} logs read)`);
console.log(
  `  salvage ls, warm (digests)     ${warm.toFixed(2)} s  (${digest.hits} digest hits, ${digest.misses} reads)`,
);
digest.close();
