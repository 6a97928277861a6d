// Logs in object storage, against a real S3-compatible server (s3rver) on 127.0.0.1: listing a
// bucket of the demo runs and real fixtures (and re-listing it without reads), opening and
// streaming a .eval with its requests counted, samples paged, exports and compare.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddedEval } from '../../../test/support/paddedEval.ts';
import { fixture } from '../../../test/support/fixtures.ts';
import {
  putFolder,
  putObject,
  startS3Server,
  testClient,
  useS3,
  type S3TestServer,
} from '../../../test/support/s3Server.ts';
import { RunDigest } from '../index/runDigest.ts';
import { listRuns } from '../logs/listRuns.ts';
import { withLog } from '../logs/openLog.ts';
import { s3Access } from './s3Client.ts';
import type { S3ByteSource } from './s3ByteSource.ts';
import { runCli } from '../cli/main.ts';

const BUCKET = 'evals';
const DEMO = join(import.meta.dirname, '../../../demo/logs');
const REAL_EVAL = 'real/inspect_ai/tests/log/test_eval_log/log_formats.eval';

let server: S3TestServer;
let scratch: string;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
  useS3(server.endpoint);
  scratch = mkdtempSync(join(tmpdir(), 'salvage-s3-logs-'));
  const client = testClient(server.endpoint);
  await putFolder(client, BUCKET, 'demo', DEMO);
  await putObject(client, BUCKET, 'real/log_formats.eval', readFileSync(fixture(REAL_EVAL)));
  // More than a page of objects (1,000 a listing call), among them two runs.
  const names = Array.from({ length: 1_000 }, (_, index) => `many/notes/note-${index}.txt`);
  for (let start = 0; start < names.length; start += 50)
    await Promise.all(
      names.slice(start, start + 50).map((key) => putObject(client, BUCKET, key, 'x')),
    );
  await putObject(client, BUCKET, 'many/a.eval', readFileSync(fixture(REAL_EVAL)));
  await putObject(client, BUCKET, 'many/z/b.eval', readFileSync(fixture(REAL_EVAL)));
  // Two logs alike but for one sample's size: what opening them costs must not follow the size.
  for (const [name, padding] of [
    ['small', 1024 * 1024],
    ['large', 48 * 1024 * 1024],
  ] as const) {
    await putObject(
      client,
      BUCKET,
      `sizes/${name}.eval`,
      await paddedEval(fixture(REAL_EVAL), padding),
    );
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Requests of each kind made while `run` runs. */
async function counted<T>(
  run: () => Promise<T>,
): Promise<{ value: T; gets: number; lists: number; total: number }> {
  const { requests } = await s3Access();
  requests.reset();
  const value = await run();
  return {
    value,
    gets: requests.of('GetObject'),
    lists: requests.of('ListObjectsV2'),
    total: requests.total,
  };
}

describe('listing a bucket', () => {
  it('lists the demo runs as the local folder lists them', async () => {
    const remote = await listRuns(`s3://${BUCKET}/demo`);
    const local = await listRuns(DEMO);
    const inspect = (rows: typeof local) =>
      rows
        .filter((row) => row.format === 'inspect-eval' || row.format === 'inspect-json')
        .map((row) => ({
          path: row.path,
          task: row.task,
          model: row.model,
          samples: row.samples,
          score: row.score,
          size: row.size,
          problem: row.problem,
        }));
    expect(inspect(remote)).toEqual(inspect(local));
    expect(remote.every((row) => row.location.startsWith(`s3://${BUCKET}/demo/`))).toBe(true);
  });

  it('tells a crashed run from its bucket evidence and offers its filestore', async () => {
    const rows = await listRuns(`s3://${BUCKET}/demo`);
    const crashed = rows.find((row) => row.path.includes('SyntheticCrash0001'))!;
    // Uploaded a moment ago with its buffer manifest: it looks like a run still writing.
    expect(crashed.status).toBe('running');
    expect(crashed.liveness).toMatchObject({ verdict: 'running', confidence: 'high' });
    expect(crashed.recovery).toBeNull();
  });

  it('re-lists an unchanged bucket with one listing call per 1,000 objects and no reads', async () => {
    const digest = RunDigest.open(join(scratch, 'digest.sqlite'));
    try {
      const cold = await counted(() => listRuns(`s3://${BUCKET}/many`, { digest }));
      expect(cold.value.map((row) => row.path)).toEqual(['a.eval', 'z/b.eval']);
      expect(cold.lists).toBe(2);
      expect(cold.gets).toBeGreaterThan(0);
      const warm = await counted(() => listRuns(`s3://${BUCKET}/many`, { digest }));
      expect(warm).toMatchObject({ lists: 2, total: 2 });
      expect(warm.value).toEqual(cold.value);
      expect(digest.hits).toBe(2);
      // A replaced log is read again; the other is not.
      await putObject(
        testClient(server.endpoint),
        BUCKET,
        'many/a.eval',
        readFileSync(fixture(REAL_EVAL)).subarray(0, 100),
      );
      const changed = await counted(() => listRuns(`s3://${BUCKET}/many`, { digest }));
      expect(changed.value[0]!.problem).not.toBeNull();
      expect(changed.value[1]).toEqual(cold.value[1]);
      expect(changed.gets).toBeGreaterThan(0);
      expect(changed.gets).toBeLessThanOrEqual(2);
    } finally {
      digest.close();
    }
  });
});

describe('opening a log', () => {
  it('reads header and summaries in a few requests, whatever the object size', async () => {
    const open = async (name: string) =>
      counted(() =>
        withLog(`s3://${BUCKET}/sizes/${name}.eval`, async (reader, source) => ({
          header: await reader.readHeader(),
          summaries: (await reader.readSummaries()).length,
          bytes: (source as S3ByteSource).fetchedBytes,
          size: source.size,
        })),
      );
    const small = await open('small');
    const large = await open('large');
    expect(large.value.size - small.value.size).toBeGreaterThan(46 * 1024 * 1024);
    expect(large.value.summaries).toBe(small.value.summaries);
    expect(large.value.header).toEqual(small.value.header);
    // Real S3 answers the first request with the object's tail; s3rver reads a suffix range as
    // a prefix, which costs one more: at most 4 either way, and the same at every size.
    expect(large.gets).toBeLessThanOrEqual(4);
    expect(large.gets).toBe(small.gets);
    expect(large.value.bytes).toBe(small.value.bytes);
  });

  it('streams every sample summary and reads a sample', async () => {
    const url = `s3://${BUCKET}/real/log_formats.eval`;
    const local = await withLog(fixture(REAL_EVAL), async (reader) => ({
      summaries: await reader.readSummaries(),
      sample: await reader.readSample(
        String((await reader.listSamples())[0]!.id),
        (await reader.listSamples())[0]!.epoch,
      ),
    }));
    const remote = await withLog(url, async (reader) => {
      const streamed = [];
      for await (const batch of reader.streamSummaries()) streamed.push(...batch.summaries);
      const first = (await reader.listSamples())[0]!;
      return {
        summaries: streamed,
        sample: await reader.readSample(String(first.id), first.epoch),
      };
    });
    expect(remote).toEqual(local);
  });
});

describe('the CLI on s3:// locations', () => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('ls, info and sample read a bucket like a folder', async () => {
    const ls = await run('ls', `s3://${BUCKET}/demo`, '--json');
    expect(ls.code).toBe(0);
    expect((JSON.parse(ls.out) as unknown[]).length).toBeGreaterThan(3);
    const info = await run('info', `s3://${BUCKET}/real/log_formats.eval`, '--json');
    expect(info.code).toBe(0);
    const local = await run('info', fixture(REAL_EVAL), '--json');
    expect(info.out).toBe(local.out);
    const summaries = (
      JSON.parse(local.out) as { summaries: Array<{ id: string | number; epoch: number }> }
    ).summaries;
    const { id, epoch } = summaries[0]!;
    const sample = await run(
      'sample',
      `s3://${BUCKET}/real/log_formats.eval`,
      String(id),
      String(epoch),
      '--json',
    );
    const localSample = await run(
      'sample',
      fixture(REAL_EVAL),
      String(id),
      String(epoch),
      '--json',
    );
    expect(sample.code).toBe(0);
    expect(sample.out).toBe(localSample.out);
  });
});
