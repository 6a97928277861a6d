// Recovery across machines, against a real S3-compatible server on 127.0.0.1: real Inspect
// crashes put in a bucket (their `--log-shared` filestore beside them, or their buffer database
// copied from the dead machine), recovered into a log written back beside the original and read
// again, compared with the same crash recovered locally.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareJson,
  readEntries,
  unpackCase,
  type UnpackedCase,
} from '../../../test/support/realCrashes.ts';
import {
  putFolder,
  startS3Server,
  testClient,
  useS3,
  type S3TestServer,
} from '../../../test/support/s3Server.ts';
import { runCli } from '../cli/main.ts';
import { listRuns } from '../logs/listRuns.ts';
import { planRecovery, recoverLog } from '../recovery/recoverLog.ts';
import { headObject, S3ByteSource } from './s3ByteSource.ts';
import { parseS3Url } from './s3Url.ts';
import { s3Access } from './s3Client.ts';
import { writeObjectVerified } from './s3Output.ts';
import { s3FilestoreFiles } from './s3Filestore.ts';

const BUCKET = 'runs';
const HOURS = 3_600_000;

let server: S3TestServer;
let scratch: string;
let fsOnly: UnpackedCase;
let dbBasic: UnpackedCase;

/** The URL of a case's log in the bucket, under `prefix`. */
const urlOf = (prefix: string, log: string): string => `s3://${BUCKET}/${prefix}/${basename(log)}`;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
  useS3(server.endpoint);
  scratch = mkdtempSync(join(tmpdir(), 'salvage-s3-recovery-'));
  fsOnly = unpackCase('fs-only', scratch);
  dbBasic = unpackCase('db-basic', scratch);
  const client = testClient(server.endpoint);
  // A crashed run with its filestore, as `--log-dir s3://… --log-shared` leaves it.
  await putFolder(client, BUCKET, 'fs-only', dirname(fsOnly.log));
  // The log alone: its buffer database stayed on the dead machine.
  await putFolder(client, BUCKET, 'db-basic', dirname(dbBasic.log));
  server.age(BUCKET, 3 * HOURS);
  // The same crash written a moment ago: a run still writing.
  await putFolder(client, BUCKET, 'fresh', dirname(fsOnly.log));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Download an object into the scratch folder. */
async function download(url: string): Promise<string> {
  const source = await S3ByteSource.open(url);
  const path = join(scratch, `${basename(url)}.${Date.now()}.download`);
  writeFileSync(path, await source.read(0, source.size));
  return path;
}

/** Entry by entry, what differs between two recoveries of one crash (the recovery's own time aside). */
async function differences(expected: string, actual: string) {
  const left = await readEntries(expected);
  const right = await readEntries(actual);
  const found = [];
  for (const name of new Set([...left.keys(), ...right.keys()])) {
    for (const difference of compareJson(left.get(name), right.get(name)).differences) {
      if (name === 'header.json' && difference.path === 'stats.completed_at') continue;
      found.push({ name, ...difference });
    }
  }
  return found;
}

describe('a crashed run in a bucket', () => {
  it('is listed as crashed, with how sure that is, and its filestore to recover from', async () => {
    const rows = await listRuns(`s3://${BUCKET}`);
    const crashed = rows.find((row) => row.location === urlOf('fs-only', fsOnly.log))!;
    expect(crashed.status).toBe('started');
    expect(crashed.recovery).toBe('filestore');
    expect(crashed.liveness).toMatchObject({ verdict: 'crashed', confidence: 'high' });
    expect(crashed.liveness!.evidence).toMatch(/buffer manifest last written 3 h ago/);
    const fresh = rows.find((row) => row.location === urlOf('fresh', fsOnly.log))!;
    expect(fresh).toMatchObject({ status: 'running', recovery: null });
    expect(fresh.liveness).toMatchObject({ verdict: 'running', confidence: 'high' });
  });

  it('recover --list names it with its verdict', async () => {
    const listed = await cli('recover', '--list', `s3://${BUCKET}/fs-only`, '--json');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as Array<Record<string, unknown>>;
    expect(rows).toMatchObject([
      {
        path: urlOf('fs-only', fsOnly.log),
        source: 'filestore',
        total: 12,
        flushed: 6,
        completed: 1,
        in_progress: 4,
        liveness: { verdict: 'crashed', confidence: 'high' },
      },
    ]);
  });

  it('recovers from the filestore in the bucket, beside the original, as a local recovery does', async () => {
    const log = urlOf('fs-only', fsOnly.log);
    const original = await headObject(parseS3Url(log));
    const { requests } = await s3Access();
    requests.reset();
    const recovered = await cli('recover', log);
    expect(recovered.err).toBe('');
    expect(recovered.code).toBe(0);
    const output = log.replace(/\.eval$/, '-recovered.eval');
    expect(recovered.out.split('\n')).toContain(`${'wrote'.padEnd(14)}${output}`);
    // Written once (one PUT: it is small), read back whole to be verified.
    expect(requests.of('PutObject')).toBe(1);
    expect(await headObject(parseS3Url(log))).toEqual(original);

    const local = await recoverLog(fsOnly.log, { output: join(scratch, 'fs-only-local.eval') });
    expect(await differences(local.output, await download(output))).toEqual([]);

    // The listing now shows the crash recovered, and its recovered log as a run.
    const rows = await listRuns(`s3://${BUCKET}/fs-only`);
    expect(rows.find((row) => row.location === log)).toMatchObject({
      recovery: null,
      links: { recovered: output },
    });
    expect(rows.find((row) => row.location === output)).toMatchObject({ status: 'error' });

    // Never over an existing object.
    const again = await cli('recover', log);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
  });

  it('recovers from a buffer database copied from the dead machine (--buffer-dir)', async () => {
    const log = urlOf('db-basic', dbBasic.log);
    const plan = await planRecovery(log, { bufferDir: dbBasic.data! });
    expect(plan).toMatchObject({ source: 'database', flushed: 2, completed: 1, inProgress: 4 });
    const report = await recoverLog(log, { bufferDir: dbBasic.data! });
    expect(report.output).toBe(log.replace(/\.eval$/, '-recovered.eval'));
    const local = await recoverLog(dbBasic.log, {
      bufferDir: dbBasic.data!,
      output: join(scratch, 'db-basic-local.eval'),
    });
    expect(await differences(local.output, await download(report.output))).toEqual([]);
  });

  it('refuses a run the bucket shows still writing', async () => {
    const refused = await cli('recover', urlOf('fresh', fsOnly.log));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/looks still running \(buffer manifest last written \d+ s ago/);
  });

  it('reads a filestore only under its prefix: a name from the manifest that would leave it is refused, unread', async () => {
    const filestore = s3FilestoreFiles(`s3://${BUCKET}/crashed/.buffer/run`);
    const { requests } = await s3Access();
    requests.reset();
    for (const name of ['../run.eval', '..', '.', 'nested/segment.1.zip', '']) {
      await expect(filestore.read(name, 'Segment')).rejects.toMatchObject({
        kind: 'outside-opened-folders',
      });
    }
    expect(requests.total).toBe(0);
  });
});

describe('writing back to the bucket', () => {
  it('a log past one part goes up as a multipart upload, read back whole, never over an existing object', async () => {
    // Past the 16 MiB part: two parts (the second short), then the upload is completed.
    const bytes = randomBytes(17 * 1024 * 1024);
    const url = `s3://${BUCKET}/large/recovered.eval`;
    const { requests } = await s3Access();
    requests.reset();
    const size = await writeObjectVerified(url, async (handle) => {
      await handle.write(bytes);
    });
    expect(size).toBe(bytes.length);
    expect(requests.of('PutObject')).toBe(0);
    expect(requests.of('CreateMultipartUpload')).toBe(1);
    expect(requests.of('UploadPart')).toBe(2);
    expect(requests.of('CompleteMultipartUpload')).toBe(1);
    // Read back whole to be verified (ranged GETs of up to 8 MiB).
    expect(requests.of('GetObject')).toBeGreaterThanOrEqual(3);
    expect(readFileSync(await download(url)).equals(bytes)).toBe(true);
    await expect(
      writeObjectVerified(url, async (handle) => {
        await handle.write('other bytes');
      }),
    ).rejects.toMatchObject({ kind: 'already-exists' });
    expect(readFileSync(await download(url)).equals(bytes)).toBe(true);
  });
});
