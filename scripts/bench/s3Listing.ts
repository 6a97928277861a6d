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
import { parseArgs } from 'node:util';
import { streamRuns, type ListOptions } from '../../electron/node/logs/listRuns.ts';
import { ReaderPool } from '../../electron/node/logs/readerPool.ts';
import { RunDigest } from '../../electron/node/index/runDigest.ts';
import { listObjects } from '../../electron/node/s3/bucketListing.ts';
import { s3Access } from '../../electron/node/s3/s3Client.ts';
import { findLogFiles } from '../../electron/node/logs/findLogFiles.ts';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { TAIL_BYTES } from '../../electron/node/s3/s3ByteSource.ts';
import { LIST_CONCURRENCY } from '../../electron/node/s3/s3Runs.ts';
import { putObject, startS3Server, testClient, useS3 } from '../../test/support/s3Server.ts';
import { writeListingMix } from './listingMix.ts';
import { statFloor } from './listingRuns.ts';

/** Runs listed: 10,000 unless `--runs N` says otherwise (a loaded machine). */
const RUNS = Number(
  parseArgs({ options: { runs: { type: 'string', default: '10000' } } }).values.runs,
);
const BUCKET = 'bench';
/** Uploads in flight while the bucket is filled (not measured). */
const UPLOADS = 32;
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/s3-listing');
const logs = join(folder, 'logs');
rmSync(folder, { recursive: true, force: true });
writeListingMix(logs, RUNS);

const seconds = (started: number): string => ((performance.now() - started) / 1000).toFixed(2);

/** CPU seconds this process spent since `before` (the S3 server runs in a process of its own). */
function cpuSeconds(before: NodeJS.CpuUsage): string {
  const { user, system } = process.cpuUsage(before);
  return ((user + system) / 1e6).toFixed(2);
}

/** List a folder as the app does (streamed); its time, and when its first rows came. */
async function list(folder: string, options: ListOptions): Promise<string> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let first = '';
  let rows = 0;
  await streamRuns(folder, options, (batch) => {
    if (rows === 0) first = seconds(started);
    rows += batch.length;
  });
  if (rows !== RUNS) throw new Error(`listed ${rows} runs in ${folder}`);
  return `${seconds(started)} s  (first rows after ${first} s; this process's CPU ${cpuSeconds(cpuBefore)} s)`;
}

// The local reference, in this run: listed as `salvage ls` lists, with the reader pool.
const floor = statFloor(logs);
const localDigest = RunDigest.open(join(folder, 'local-digest.sqlite'));
const pool = new ReaderPool();
const localCold = await list(logs, { digest: localDigest, pool });
const localWarm = await list(logs, { digest: localDigest, pool });
localDigest.close();
await pool.close();

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

  const s3 = await s3Access();
  const { requests } = s3;
  const measure = async (run: () => Promise<string>): Promise<string> => {
    requests.reset();
    const time = await run();
    const gets = requests.of('GetObject');
    return `${time}  (${requests.of('ListObjectsV2')} ListObjectsV2, ${gets} GetObject, ${requests.total} requests)`;
  };
  const bareList = await measure(async () => {
    const started = performance.now();
    const count = (await listObjects({ bucket: BUCKET, key: 'logs' })).length;
    if (count !== RUNS) throw new Error(`listed ${count} objects`);
    return `${seconds(started)} s`;
  });
  // What the server takes to answer one ranged GET per object at the listing's concurrency: the
  // floor of a cold listing, which reads each small log in one such GET.
  const bareGets = await measure(async () => {
    const started = performance.now();
    const objects = await listObjects({ bucket: BUCKET, key: 'logs' });
    let next = 0;
    const getter = async (): Promise<void> => {
      while (next < objects.length) {
        const { key } = objects[next++]!;
        const response = await s3.client.send(
          new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: `bytes=-${TAIL_BYTES}` }),
        );
        await response.Body!.transformToByteArray();
      }
    };
    await Promise.all(Array.from({ length: LIST_CONCURRENCY }, getter));
    return `${seconds(started)} s`;
  });
  const digest = RunDigest.open(join(folder, 's3-digest.sqlite'));
  const s3Cold = await measure(() => list(`s3://${BUCKET}/logs`, { digest }));
  const s3Warm = await measure(() => list(`s3://${BUCKET}/logs`, { digest }));
  digest.close();

  console.log(`\n  local folder (${RUNS} runs)`);
  console.log(
    `    readdir + stat only (floor)           ${floor.seconds.toFixed(2)} s  (${floor.files} files)`,
  );
  console.log(`    salvage ls, cold                      ${localCold}`);
  console.log(`    salvage ls, warm (digests)            ${localWarm}`);
  console.log(`  s3://${BUCKET}/logs on s3rver, 127.0.0.1 (${RUNS} objects)`);
  console.log(`    ListObjectsV2 only (floor)            ${bareList}`);
  console.log(`    ListObjectsV2 + one GET each (floor)  ${bareGets}`);
  console.log(`    salvage ls, cold                      ${s3Cold}`);
  console.log(`    salvage ls, warm (ETag digests)       ${s3Warm}`);
} finally {
  await server.stop();
}
