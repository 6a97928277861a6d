// Salvage finds object storage the way the AWS CLI and SDKs do, against a real S3-compatible
// server on 127.0.0.1 (behind a pass-through proxy that shows how each request was addressed and
// signed): a profile of the shared config and credentials files, the S3-specific endpoint
// variable before the general one, path-style addressing, a session token.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  putObject,
  startFaultProxy,
  startS3Server,
  testClient,
  TEST_KEYS,
  useS3,
  type FaultProxy,
  type S3TestServer,
} from '../../../test/support/s3Server.ts';
import { listRuns } from '../logs/listRuns.ts';

const BUCKET = 'config';

let server: S3TestServer;
let proxy: FaultProxy;
let scratch: string;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
  proxy = await startFaultProxy(server.endpoint);
  scratch = mkdtempSync(join(tmpdir(), 'salvage-s3-config-'));
  // Not a log: listing finds no run, but every request is made and signed.
  await putObject(testClient(server.endpoint), BUCKET, 'notes/readme.txt', 'x');
}, 60_000);

afterEach(() => useS3(server.endpoint));

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Requests the proxy saw while `run` ran, and its last one. */
async function throughProxy(run: () => Promise<unknown>) {
  const before = proxy.requests;
  await run();
  return { requests: proxy.requests - before, last: proxy.lastRequest! };
}

describe('configuration', () => {
  it('AWS_PROFILE picks a profile of the shared files: its keys, region and endpoint_url', async () => {
    const config = join(scratch, 'config');
    const credentials = join(scratch, 'credentials');
    writeFileSync(
      config,
      [
        '[default]',
        'region = us-east-1',
        `endpoint_url = ${proxy.endpoint}`,
        '[profile team]',
        'region = eu-west-3',
        `endpoint_url = ${proxy.endpoint}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      credentials,
      [
        '[default]',
        `aws_access_key_id = ${TEST_KEYS.accessKeyId}`,
        'aws_secret_access_key = not-the-secret',
        '[team]',
        `aws_access_key_id = ${TEST_KEYS.accessKeyId}`,
        `aws_secret_access_key = ${TEST_KEYS.secretAccessKey}`,
        '',
      ].join('\n'),
    );
    useS3(server.endpoint);
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ENDPOINT_URL',
      'AWS_REGION',
    ])
      delete process.env[name];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
    });
    // The default profile's secret is wrong: refused, at the endpoint the config file names.
    const refused = await listRuns(`s3://${BUCKET}/notes`).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: 'credentials-rejected' });
    process.env.AWS_PROFILE = 'team';
    const listed = await throughProxy(async () => {
      expect(await listRuns(`s3://${BUCKET}/notes`)).toEqual([]);
    });
    expect(listed.requests).toBeGreaterThan(0);
    expect(listed.last.headers.authorization).toMatch(
      new RegExp(`Credential=${TEST_KEYS.accessKeyId}/\\d{8}/eu-west-3/s3/`),
    );
  });

  it('AWS_ENDPOINT_URL_S3 comes before AWS_ENDPOINT_URL, addressed path-style', async () => {
    useS3(`http://127.0.0.1:${await closedPort()}`);
    process.env.AWS_ENDPOINT_URL_S3 = proxy.endpoint;
    const listed = await throughProxy(() => listRuns(`s3://${BUCKET}/notes`));
    expect(listed.requests).toBeGreaterThan(0);
    // The bucket in the path, the endpoint's own host (MinIO and local servers resolve no `bucket.host`).
    expect(listed.last.path).toMatch(new RegExp(`^/${BUCKET}[/?]`));
    expect(listed.last.headers.host).toBe(new URL(proxy.endpoint).host);
  });

  it('AWS_SESSION_TOKEN is signed into every request', async () => {
    useS3(proxy.endpoint);
    process.env.AWS_SESSION_TOKEN = 'a-session-token';
    const listed = await throughProxy(() => listRuns(`s3://${BUCKET}/notes`));
    expect(listed.last.headers['x-amz-security-token']).toBe('a-session-token');
    expect(listed.last.headers.authorization).toContain('x-amz-security-token');
  });
});
