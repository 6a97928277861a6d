// What a user meets when object storage fails, against a real S3-compatible server on 127.0.0.1
// (and a proxy in front of it for the answers a local server never gives): each failure a typed
// error saying what to fix, throttling retried with backoff, a connection broken mid-read
// retried, an object replaced mid-read refused.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/support/fixtures.ts';
import { paddedEval } from '../../../test/support/paddedEval.ts';
import {
  closedPort,
  putObject,
  startFaultProxy,
  startS3Server,
  testClient,
  useS3,
  type FaultProxy,
  type S3TestServer,
} from '../../../test/support/s3Server.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { listRuns } from '../logs/listRuns.ts';
import { withLog } from '../logs/openLog.ts';
import { S3ByteSource } from './s3ByteSource.ts';
import { s3Error } from './s3Errors.ts';

const BUCKET = 'errors';
const LOG = `s3://${BUCKET}/padded.eval`;
const EVAL = 'real/inspect_ai/tests/log/test_eval_log/log_formats.eval';

let server: S3TestServer;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
  proxy = await startFaultProxy(server.endpoint);
  await putObject(
    testClient(server.endpoint),
    BUCKET,
    'padded.eval',
    await paddedEval(fixture(EVAL), 4 << 20),
  );
}, 60_000);

afterEach(() => {
  proxy.fault = { kind: 'pass' };
  useS3(server.endpoint);
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

/** The kind of the typed error `run` fails with (the test fails on success or an untyped error). */
async function kindOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isSalvageError(error)) return error.kind;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('credentials', () => {
  it('no credentials anywhere: says where they are looked for', async () => {
    useS3(server.endpoint);
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const error = await listRuns(`s3://${BUCKET}`).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'no-credentials' });
    expect((error as Error).message).toMatch(/AWS_ACCESS_KEY_ID.*AWS_PROFILE/);
  });

  it('a wrong secret or an unknown key: the service refused them', async () => {
    useS3(server.endpoint, { accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' });
    expect(await kindOf(() => listRuns(`s3://${BUCKET}`))).toBe('credentials-rejected');
    useS3(server.endpoint, { accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' });
    expect(await kindOf(() => withLog(LOG, (reader) => reader.readHeader()))).toBe(
      'credentials-rejected',
    );
  });

  it('credentials the bucket refuses: access denied', async () => {
    useS3(proxy.endpoint);
    proxy.fault = { kind: 'deny' };
    expect(await kindOf(() => listRuns(`s3://${BUCKET}`))).toBe('access-denied');
  });
});

describe('where the logs are', () => {
  it('a bucket that does not exist', async () => {
    const error = await listRuns('s3://no-such-bucket/logs').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'bucket-not-found' });
    expect((error as Error).message).toContain('s3://no-such-bucket/logs');
  });

  it('a log that does not exist', async () => {
    expect(
      await kindOf(() => withLog(`s3://${BUCKET}/missing.eval`, (reader) => reader.readHeader())),
    ).toBe('not-found');
  });

  it('an endpoint where nothing answers', async () => {
    useS3(`http://127.0.0.1:${await closedPort()}`);
    process.env.AWS_MAX_ATTEMPTS = '2';
    expect(await kindOf(() => listRuns(`s3://${BUCKET}`))).toBe('endpoint-unreachable');
  });
});

describe('while reading', () => {
  it('throttling is retried with backoff; throttling that lasts is reported', async () => {
    useS3(proxy.endpoint);
    proxy.fault = { kind: 'throttle', count: 2 };
    proxy.requests = 0;
    const rows = await listRuns(`s3://${BUCKET}`);
    expect(rows).toHaveLength(1);
    expect(proxy.requests).toBeGreaterThanOrEqual(3);
    process.env.AWS_MAX_ATTEMPTS = '2';
    proxy.fault = { kind: 'throttle', count: 1_000 };
    expect(await kindOf(() => listRuns(`s3://${BUCKET}`))).toBe('throttled');
  });

  it('a body cut short is read again; one that keeps breaking is reported', async () => {
    useS3(proxy.endpoint);
    const source = await S3ByteSource.open(LOG);
    proxy.fault = { kind: 'cut-bodies', afterBytes: 1000, count: 1 };
    const bytes = await source.read(0, 1 << 20);
    expect(bytes.length).toBe(1 << 20);
    proxy.fault = { kind: 'cut-bodies', afterBytes: 1000, count: 1_000 };
    expect(await kindOf(() => source.read(2 << 20, 1 << 20))).toBe('endpoint-unreachable');
  });

  it('a server that stops mid-read', async () => {
    const doomed = await startS3Server([BUCKET]);
    try {
      await putObject(
        testClient(doomed.endpoint),
        BUCKET,
        'padded.eval',
        await paddedEval(fixture(EVAL), 4 << 20),
      );
      useS3(doomed.endpoint);
      process.env.AWS_MAX_ATTEMPTS = '2';
      const failure = withLog(LOG, async (reader) => {
        await reader.readHeader();
        await doomed.kill();
        // The samples lie before the tail read at open: they need the server.
        for (const ref of await reader.listSamples())
          await reader.readSample(String(ref.id), ref.epoch);
      });
      expect(await kindOf(() => failure)).toBe('endpoint-unreachable');
    } finally {
      await doomed.stop();
    }
  });

  it('an object replaced mid-read: refused, never two versions mixed', async () => {
    await putObject(
      testClient(server.endpoint),
      BUCKET,
      'replaced.eval',
      await paddedEval(fixture(EVAL), 2 << 20),
    );
    const source = await S3ByteSource.open(`s3://${BUCKET}/replaced.eval`);
    await source.read(0, 1000);
    await putObject(
      testClient(server.endpoint),
      BUCKET,
      'replaced.eval',
      await paddedEval(fixture(EVAL), 2 << 20),
    );
    const error = await source.read(1 << 20, 1000).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'object-changed' });
    expect((error as Error).message).toContain('open it again');
  });
});

describe('error codes that name an object member', () => {
  it('a code like toString is an unknown code: typed by its status, or passed through', () => {
    const refused = s3Error({ name: 'toString', $metadata: { httpStatusCode: 403 } }, 'Read x');
    expect(refused).toMatchObject({ kind: 'access-denied' });
    expect((refused as Error).message).toBe(
      'Read x: access denied: the credentials may not do this here.',
    );
    const bug = { name: 'constructor' };
    expect(s3Error(bug, 'Read x')).toBe(bug);
  });
});
