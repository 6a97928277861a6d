// Web mode under hostile requests (issue 15, finding 11): a traversal corpus against every
// path-taking channel and against static files, all refused; requests without or with a wrong
// token, a foreign Host or Origin, refused; 1,000 concurrent loopback requests all answered with
// bounded memory; the token kept across restarts and rotated on demand.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeChannel } from '../../../shared/ipc/contract.ts';
import { fixture, REAL } from '../../../test/support/fixtures.ts';
import { createLogService } from '../services/logService.ts';
import { EventHub } from '../services/eventHub.ts';
import { OpenedFolders } from '../services/openedFolders.ts';
import { serveToken } from './serveToken.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';

const root = mkdtempSync(join(tmpdir(), 'salvage-web-hostile-'));
const logs = join(root, 'logs');
const outside = join(root, 'outside');
const renderer = join(root, 'renderer');
const SECRET = 'THE-SECRET-OUTSIDE-THE-OPENED-FOLDER';
const TOKEN = 'hostile-token';
const LOG = join(logs, 'popularity.eval');
let server: RunningWebServer;
let port = '';

beforeAll(async () => {
  mkdirSync(join(logs, '..data'), { recursive: true });
  mkdirSync(outside);
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Salvage</title>');
  cpSync(
    fixture(`${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`),
    LOG,
  );
  cpSync(LOG, join(logs, '..data', 'inside.eval'));
  // What must never be read: a log, a JSONL run and a file, outside the opened folder.
  cpSync(LOG, join(outside, 'secret.eval'));
  writeFileSync(
    join(outside, 'secret.json'),
    JSON.stringify({ status: 'success', eval: { task: SECRET } }),
  );
  writeFileSync(join(outside, 'results.jsonl'), `{"example_id": 1, "note": "${SECRET}"}\n{"exa`);
  writeFileSync(join(outside, 'page.html'), SECRET);
  // Links out of the opened folder and out of the renderer folder.
  symlinkSync(join(outside, 'secret.eval'), join(logs, 'link-out.eval'));
  symlinkSync(join(outside, 'results.jsonl'), join(logs, 'link-out.jsonl'));
  symlinkSync(outside, join(logs, 'folder-link'));
  symlinkSync(join(outside, 'page.html'), join(renderer, 'link-out.html'));
  symlinkSync(outside, join(renderer, 'folder-link'));
  server = await startWebServer({
    handlers: createLogService({
      folders: await OpenedFolders.load(join(root, 'data/folders.json'), [logs]),
      events: new EventHub(),
    }),
    rendererDir: renderer,
    token: TOKEN,
    onInternalError: () => {},
  });
  port = new URL(server.url).port;
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A raw HTTP request: the path and headers exactly as given (fetch would normalise them). */
function raw(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent,
        headers: { cookie: `salvage_token=${TOKEN}`, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    call.on('error', reject);
    call.end(options.body);
  });
}

const invoke = (channel: string, args: unknown, headers?: Record<string, string>) =>
  raw('POST', `/api/invoke/${channel}`, { body: JSON.stringify(args), headers });

/** Paths that try to leave the opened folder: encoded dots, absolute paths, links, NUL, long, backslashes. */
function traversalCorpus(): string[] {
  return [
    '/etc/passwd',
    '/etc',
    '/',
    '/proc/self/environ',
    '/proc/self/cwd',
    join(outside, 'secret.eval'),
    join(outside, 'results.jsonl'),
    outside,
    root,
    tmpdir(),
    '..',
    '.',
    '',
    '~',
    '~/.ssh/id_rsa',
    '../outside/secret.eval',
    `${logs}/../outside/secret.eval`,
    `${logs}/./../outside/secret.eval`,
    `${logs}/..`,
    `${logs}/%2e%2e/outside/secret.eval`,
    `${logs}/%2E%2E%2Foutside%2Fsecret.eval`,
    `${logs}/..%2foutside%2fsecret.eval`,
    `${logs}/%252e%252e/outside/secret.eval`,
    `${logs}/\u2025/outside/secret.eval`,
    `${logs}/\uff0e\uff0e/outside/secret.eval`,
    join(logs, 'link-out.eval'),
    join(logs, 'link-out.jsonl'),
    join(logs, 'folder-link'),
    join(logs, 'folder-link', 'secret.eval'),
    `${LOG}\u0000`,
    `${join(outside, 'secret.eval')}\u0000${LOG}`,
    '\u0000',
    `${logs}/${'a'.repeat(5_000)}`,
    `${'../'.repeat(3_000)}etc/passwd`,
    `${logs}/${'x/'.repeat(5_000)}`,
    `${logs}\\..\\outside\\secret.eval`,
    '..\\..\\..\\etc\\passwd',
    'C:\\Windows\\win.ini',
    `file://${join(outside, 'secret.eval')}`,
    'file:///etc/passwd',
    `//127.0.0.1${join(outside, 'secret.eval')}`,
  ];
}

/** Every channel that takes a path, with the arguments that put `path` in it. */
const PATH_CHANNELS: ReadonlyArray<readonly [InvokeChannel, (path: string) => unknown]> = [
  ['salvage:runs:list', (path) => ({ folder: path })],
  ['salvage:log:header', (path) => ({ path })],
  ['salvage:log:sample', (path) => ({ path, id: '1', epoch: 1 })],
  ['salvage:samples:stream', (path) => ({ path })],
  ['salvage:recovery:plan', (path) => ({ path })],
  ['salvage:recovery:run', (path) => ({ path, overwrite: true })],
  ['salvage:repair:check', (path) => ({ path })],
  ['salvage:repair:run', (path) => ({ path })],
  ['salvage:repair:undo', (path) => ({ sidecar: path })],
  ['salvage:compare:runs', (path) => ({ a: path, b: LOG })],
  ['salvage:compare:runs', (path) => ({ a: LOG, b: path })],
  ['salvage:export:run', (path) => ({ path, format: 'jsonl' })],
  ['salvage:export:sample', (path) => ({ path, id: '1', epoch: 1 })],
  ['salvage:sample:open', (path) => ({ path, id: '1', epoch: 1 })],
  ['salvage:sample:markdown', (path) => ({ path, id: '1', epoch: 1, part: 'sample' })],
  ['salvage:folders:remove', (path) => ({ folder: path })],
];

/** The refusals a traversal may get: each says what is wrong, none reads the file. */
const REFUSALS = new Set([
  'outside-opened-folders',
  'not-found',
  'not-a-file',
  'not-a-folder',
  'invalid-arguments',
  'permission-denied',
]);

function tree(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => `${name}:${statSync(join(folder, name)).size}`)
    .sort();
}

describe('a traversal corpus against every path-taking channel', () => {
  it('is refused every time, and nothing outside is read or written', async () => {
    const before = tree(outside);
    let tried = 0;
    const accepted: string[] = [];
    for (const path of traversalCorpus()) {
      for (const [channel, args] of PATH_CHANNELS) {
        const answer = await invoke(channel, args(path));
        tried += 1;
        expect(answer.body, `${channel} ${path.slice(0, 80)}`).not.toContain(SECRET);
        const outcome = JSON.parse(answer.body) as { ok: boolean; kind?: string; value?: unknown };
        // folders:remove of a folder that is not open removes nothing and answers the list.
        if (channel === 'salvage:folders:remove' && outcome.ok) {
          expect(outcome.value).toEqual([logs]);
          continue;
        }
        if (outcome.ok || !REFUSALS.has(outcome.kind ?? ''))
          accepted.push(
            `${channel} ${JSON.stringify(path.slice(0, 80))}: ${answer.body.slice(0, 160)}`,
          );
      }
    }
    expect(accepted).toEqual([]);
    expect(tried).toBe(traversalCorpus().length * PATH_CHANNELS.length);
    expect(tree(outside)).toEqual(before);
    console.log(
      `web mode: ${tried} traversal calls over ${PATH_CHANNELS.length} channels, all refused`,
    );
  }, 120_000);

  it('a subfolder named ..data is inside, not refused', async () => {
    const answer = JSON.parse(
      (await invoke('salvage:log:header', { path: join(logs, '..data', 'inside.eval') })).body,
    ) as { ok: boolean };
    expect(answer.ok).toBe(true);
  });
});

describe('static files', () => {
  it('are served only from inside the renderer folder, whatever the path says', async () => {
    const paths = [
      '/../outside/page.html',
      '/..%2foutside%2fpage.html',
      '/%2e%2e/outside/page.html',
      '/%2e%2e%2foutside%2fpage.html',
      '/%252e%252e/outside/page.html',
      '/..%5coutside%5cpage.html',
      '/%5c..%5coutside%5cpage.html',
      '/link-out.html',
      '/folder-link/page.html',
      '/index.html%00.js',
      '/%00',
      `/${'a'.repeat(5_000)}`,
      `/${'..%2f'.repeat(500)}etc/passwd`,
      '//etc/passwd',
      '/%E0%A4%A',
      '/%',
      `/.${join(outside, 'page.html')}`,
      `/${join(outside, 'page.html')}`,
    ];
    for (const path of paths) {
      const answer = await raw('GET', path);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(answer.body, path).not.toContain(SECRET);
    }
    expect((await raw('GET', '/index.html')).status).toBe(200);
  });
});

describe('who may call', () => {
  it('refuses a missing or wrong token, a foreign Host, a foreign Origin, a cross-site request', async () => {
    const args = JSON.stringify({ path: LOG });
    const path = '/api/invoke/salvage:log:header';
    const cases: Array<[string, Record<string, string>, number]> = [
      ['no token', { cookie: '' }, 401],
      ['a wrong token', { cookie: 'salvage_token=wrong' }, 401],
      ['a token one character short', { cookie: `salvage_token=${TOKEN.slice(0, -1)}` }, 401],
      ['a foreign Host', { host: 'evil.example' }, 403],
      ['a foreign Host at the same port', { host: `evil.example:${port}` }, 403],
      ['a foreign Origin', { origin: 'http://evil.example' }, 403],
      ['an Origin at another port', { origin: 'http://127.0.0.1:1' }, 403],
      ['an https Origin', { origin: `https://127.0.0.1:${port}` }, 403],
      ['a null Origin', { origin: 'null' }, 403],
      ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }, 403],
    ];
    for (const [what, headers, status] of cases) {
      const answer = await raw('POST', path, { body: args, headers });
      expect(answer.status, what).toBe(status);
      expect(answer.body, what).not.toContain('"ok":true');
    }
    // Salvage's own page: its Origin, or none (a same-origin request may omit it).
    const own: Array<Record<string, string>> = [
      { origin: `http://127.0.0.1:${port}` },
      {},
      { origin: `http://localhost:${port}`, host: `localhost:${port}` },
    ];
    for (const headers of own) {
      const answer = await raw('POST', path, { body: args, headers });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('"ok":true');
    }
    // The event stream too.
    expect(
      (await raw('GET', '/api/events', { headers: { origin: 'http://evil.example' } })).status,
    ).toBe(403);
  });
});

describe('load', () => {
  it('answers 1,000 concurrent loopback requests, all of them, with bounded memory', async () => {
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const before = process.memoryUsage().rss;
    let peak = before;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        i % 2 === 0
          ? invoke('salvage:folders:list', {})
          : raw('POST', '/api/invoke/salvage:log:header', {
              body: JSON.stringify({ path: LOG }),
              agent,
            }),
      ),
    );
    clearInterval(watch);
    agent.destroy();
    expect(
      answers.filter((answer) => answer.status === 200 && answer.body.includes('"ok":true')),
    ).toHaveLength(1_000);
    const grewMb = (peak - before) / 2 ** 20;
    expect(grewMb).toBeLessThan(512);
    console.log(
      `web mode: 1,000 concurrent requests answered in ${Math.round(performance.now() - started)} ms, RSS grew ${Math.round(grewMb)} MiB`,
    );
  }, 60_000);
});

describe('the access token', () => {
  it('is kept across restarts in the data directory, private, and rotated on demand', () => {
    const data = join(root, 'token-data');
    const first = serveToken(data);
    expect(first).toMatch(/^[0-9a-f]{48}$/);
    expect(serveToken(data)).toBe(first);
    expect(statSync(join(data, 'serve-token')).mode & 0o777).toBe(0o600);
    const rotated = serveToken(data, true);
    expect(rotated).not.toBe(first);
    expect(serveToken(data)).toBe(rotated);
    writeFileSync(join(data, 'serve-token'), 'not a token');
    expect(serveToken(data)).toMatch(/^[0-9a-f]{48}$/);
    expect(readFileSync(join(data, 'serve-token'), 'utf8')).not.toContain('not a token');
  });
});
