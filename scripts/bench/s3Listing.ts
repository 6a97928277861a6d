// S3 listing benchmark (npm run bench:s3; not part of the tests): the listing benchmark's 10,000
// runs put in a bucket of a real S3-compatible server on 127.0.0.1 (s3rver, the tests' server)
// and listed cold (every log read through ranged GETs) and warm (digests keyed by ETag and size:
// listing calls only), with the requests each made; beside them, measured in the same run, the
// same runs listed from the local folder and the floors of both (a bare readdir + stat, a bare
// ListObjectsV2 of every object).
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { listRuns } from '../../electron/node/logs/listRuns.ts';
import { RunDigest } from '../../electron/node/index/runDigest.ts';
import { listObjects } from '../../electron/node/s3/bucketListing.ts';
import { s3Access } from '../../electron/node/s3/s3Client.ts';
import { findLogFiles } from '../../electron/node/logs/findLogFiles.ts';
import { putObject, startS3Server, testClient, useS3 } from '../../test/support/s3Server.ts';
import { writeListingMix } from './listingMix.ts';
import { statFloor } from './listingRuns.ts';

const RUNS = 10_000;
const BUCKET = 'bench';
/** Uploads in flight while the bucket is filled (not measured). */
const UPLOADS = 32;
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/s3-listing');
const logs = join(folder, 'logs');
rmSync(folder, { recursive: true, force: true });
writeListingMix(logs, RUNS);

const seconds = (started: number): string => ((performance.now() - started) / 1000).toFixed(2);

// The local reference, in this run.
const floor = statFloor(logs);
const localDigest = RunDigest.open(join(folder, 'local-digest.sqlite'));
const localTime = async (): Promise<string> => {
  const started = performance.now();
  const rows = await listRuns(logs, { digest: localDigest });
  if (rows.length !== RUNS) throw new Error(`listed ${rows.length} local runs`);
  return seconds(started);
};
const localCold = await localTime();
const localWarm = await localTime();
localDigest.close();

// The same runs in a bucket.
const server = await startS3Server([BUCKET]);
try {
  useS3(server.endpoint);
  const client = testClient(server.endpoint);
  const files = [...(await findLogFiles(logs))];
  const uploadStarted = performance.now();
  for (let start = 0; start < files.length; start += UPLOADS) {
    await Promise.all(
      files
        .slice(start, start + UPLOADS)
        .map((file) =>
          putObject(
            client,
            BUCKET,
            `logs/${relative(logs, file).split('\\').join('/')}`,
            readFileSync(file),
          ),
        ),
    );
  }
  console.log(
    `${files.length} runs put in s3://${BUCKET}/logs (${seconds(uploadStarted)} s, not measured)`,
  );

  const { requests } = await s3Access();
  const measure = async (run: () => Promise<number>): Promise<string> => {
    requests.reset();
    const started = performance.now();
    const count = await run();
    if (count !== RUNS) throw new Error(`listed ${count} objects`);
    const time = seconds(started);
    const gets = requests.of('GetObject');
    return `${time} s  (${requests.of('ListObjectsV2')} ListObjectsV2, ${gets} GetObject, ${requests.total} requests)`;
  };
  const bareList = await measure(
    async () => (await listObjects({ bucket: BUCKET, key: 'logs' })).length,
  );
  const digest = RunDigest.open(join(folder, 's3-digest.sqlite'));
  const s3Cold = await measure(
    async () => (await listRuns(`s3://${BUCKET}/logs`, { digest })).length,
  );
  const s3Warm = await measure(
    async () => (await listRuns(`s3://${BUCKET}/logs`, { digest })).length,
  );
  digest.close();

  console.log(`\n  local folder (${RUNS} runs)`);
  console.log(
    `    readdir + stat only (floor)      ${floor.seconds.toFixed(2)} s  (${floor.files} files)`,
  );
  console.log(`    salvage ls, cold                 ${localCold} s`);
  console.log(`    salvage ls, warm (digests)       ${localWarm} s`);
  console.log(`  s3://${BUCKET}/logs on s3rver, 127.0.0.1 (${RUNS} objects)`);
  console.log(`    ListObjectsV2 only (floor)       ${bareList}`);
  console.log(`    salvage ls, cold                 ${s3Cold}`);
  console.log(`    salvage ls, warm (ETag digests)  ${s3Warm}`);
} finally {
  await server.stop();
}
