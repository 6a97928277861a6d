// The S3 side of the tests: a real S3-compatible server (s3rver) on 127.0.0.1 in a child process,
// the environment that points Salvage at it (as a user would: AWS_* variables), objects put
// through the real SDK, and a proxy in front of it that can misbehave on demand (throttle, deny,
// cut a body short) for the error paths a local server never shows.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const PROCESS = fileURLToPath(new URL('./s3ServerProcess.ts', import.meta.url));

/** s3rver's one account. */
export const TEST_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3TestServer {
  readonly endpoint: string;
  readonly port: number;
  /** Stop it as a crash would (SIGKILL): connections drop mid-response. */
  kill(): Promise<void>;
  /** Stop it and remove its data. */
  stop(): Promise<void>;
  /** Date every object of `bucket` back by `ms` (s3rver dates an object by its file's mtime). */
  age(bucket: string, ms: number): void;
}

/** Start s3rver with `buckets` (its data in a temporary folder). */
export async function startS3Server(buckets: ReadonlyArray<string>): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'salvage-s3-'));
  // s3rver encrypts its ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in
  // its legacy provider: without it every listing of more than one page fails.
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', PROCESS, directory, ...buckets],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the S3 test server exited (${code})`)));
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    kill,
    stop: async () => {
      await kill();
      rmSync(directory, { recursive: true, force: true });
    },
    age: (bucket, ms) => {
      const when = new Date(Date.now() - ms);
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (name.endsWith('._S3rver_object')) utimesSync(path, when, when);
        }
      };
      walk(join(directory, bucket));
    },
  };
}

/**
 * Point Salvage at `endpoint` the way a user would, with credentials that never reach a real
 * service: the instance-metadata lookup is off (the credential chain would otherwise try a
 * link-local address), and the shared files are ones the test controls.
 */
export function useS3(
  endpoint: string,
  keys: { accessKeyId: string; secretAccessKey: string } = TEST_KEYS,
): void {
  const empty = join(tmpdir(), 'salvage-no-aws-config');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_MAX_ATTEMPTS;
}

/** A client of the test server for setting up objects (not Salvage's). */
export function testClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_KEYS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array | string,
): Promise<string> {
  const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return put.ETag ?? '';
}

/** Upload a local folder's files under `prefix` (keys in `/` form); returns how many. */
export async function putFolder(
  client: S3Client,
  bucket: string,
  prefix: string,
  folder: string,
): Promise<number> {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(folder);
  for (const file of files) {
    const key = [prefix, ...relative(folder, file).split(/[\\/]/)].filter(Boolean).join('/');
    await putObject(client, bucket, key, readFileSync(file));
  }
  return files.length;
}

/** What the proxy does to the next requests. */
export type Fault =
  | { readonly kind: 'pass' }
  /** Answer 503 SlowDown to the next `count` requests. */
  | { readonly kind: 'throttle'; readonly count: number }
  /** Answer 403 AccessDenied to every request. */
  | { readonly kind: 'deny' }
  /** Forward GETs, but break the connection after `afterBytes` bytes of the next `count` bodies. */
  | { readonly kind: 'cut-bodies'; readonly afterBytes: number; readonly count: number };

export interface FaultProxy {
  readonly endpoint: string;
  fault: Fault;
  /** Requests that reached the proxy. */
  requests: number;
  /** The path and headers of the last request: how the client addressed and signed it. */
  lastRequest: { readonly path: string; readonly headers: IncomingMessage['headers'] } | null;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the test server that forwards requests unchanged (the signature
 * covers the Host, which it keeps) and misbehaves as told: S3's own throttling and denial
 * answers, or a connection dropped in the middle of a body.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const proxy: FaultProxy = {
    endpoint: '',
    fault: { kind: 'pass' },
    requests: 0,
    lastRequest: null,
    close: () => new Promise((done) => server.close(() => done())),
  };
  const server: Server = createServer((incoming, outgoing) => {
    proxy.requests += 1;
    proxy.lastRequest = { path: incoming.url ?? '', headers: incoming.headers };
    const fault = proxy.fault;
    if (fault.kind === 'throttle' && fault.count > 0) {
      proxy.fault = { kind: 'throttle', count: fault.count - 1 };
      return answerError(incoming, outgoing, 503, 'SlowDown', 'Please reduce your request rate.');
    }
    if (fault.kind === 'deny')
      return answerError(incoming, outgoing, 403, 'AccessDenied', 'Access Denied');
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        if (fault.kind !== 'cut-bodies' || fault.count <= 0 || incoming.method !== 'GET') {
          response.pipe(outgoing);
          return;
        }
        proxy.fault = { ...fault, count: fault.count - 1 };
        let sent = 0;
        response.on('data', (chunk: Buffer) => {
          const room = fault.afterBytes - sent;
          if (room <= 0) return;
          outgoing.write(chunk.subarray(0, room));
          sent += Math.min(room, chunk.length);
          if (sent >= fault.afterBytes) {
            response.destroy();
            outgoing.socket?.destroy();
          }
        });
        response.on('end', () => outgoing.end());
      },
    );
    forwarded.on('error', () => outgoing.socket?.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  (proxy as { endpoint: string }).endpoint =
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

function answerError(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  incoming.resume();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  outgoing.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  outgoing.end(body);
}

/** A port on 127.0.0.1 where nothing listens (taken, then freed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  await new Promise((done) => server.close(done));
  return port;
}
