import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/ipc/channels.ts';
import { parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { fixture, REAL } from '../../../test/support/fixtures.ts';
import { createLogService } from '../services/logService.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';
import { EventHub } from '../services/eventHub.ts';
import { OpenedFolders } from '../services/openedFolders.ts';
import { MemoryByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import { readEntryBytes } from '../../../shared/formats/zip/entryReader.ts';
import { nodeZlibCodecs } from '../codecs/nodeZlibCodecs.ts';
import { SearchService } from '../search/searchService.ts';

const root = mkdtempSync(join(tmpdir(), 'salvage-web-'));
const logs = join(root, 'logs');
const renderer = join(root, 'renderer');
let server: RunningWebServer;
let search: SearchService;
const events = new EventHub();
const LOG = join(logs, 'popularity.eval');
const CRASHED = join(logs, '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval');
const TORN = join(logs, 'results.jsonl');
const EXTRA = join(root, 'more-logs');
mkdirSync(EXTRA);

beforeAll(async () => {
  mkdirSync(logs, { recursive: true });
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Salvage</title>');
  cpSync(
    fixture(`${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`),
    LOG,
  );
  writeFileSync(TORN, '{"example_id": 1, "reward": 1}\n{"example_id": 2, "rew');
  const crash = fixture('synthetic/crash-with-buffer/logs');
  cpSync(join(crash, '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval'), CRASHED);
  cpSync(join(crash, '.buffer'), join(logs, '.buffer'), { recursive: true });
  const folders = await OpenedFolders.load(join(root, 'data/folders.json'), [logs]);
  search = new SearchService({
    folders,
    events,
    indexPath: join(root, 'data/search-index.sqlite'),
    digestPath: null,
  });
  server = await startWebServer({
    handlers: createLogService({ folders, events, search }),
    events,
    rendererDir: renderer,
    token: 'secret-token',
  });
});
afterAll(async () => {
  await server.close();
  await search.close();
  rmSync(root, { recursive: true, force: true });
});

const base = (): string => server.url.replace(/\/\?token=.*$/, '');
async function call(
  channel: string,
  args: unknown,
  token = 'secret-token',
): Promise<{ status: number; body: Record<string, unknown> | string }> {
  const response = await fetch(`${base()}/api/invoke/${channel}?token=${token}`, {
    method: 'POST',
    body: JSON.stringify(args),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get('content-type')?.startsWith('application/json')
      ? (parseInspectJson(text, 'response') as Record<string, unknown>)
      : text,
  };
}

const ARGS: Record<(typeof INVOKE_CHANNELS)[number], unknown> = {
  'salvage:folders:list': {},
  'salvage:folders:add': { path: EXTRA },
  'salvage:folders:remove': { folder: realpathSync(EXTRA) },
  'salvage:runs:list': { folder: logs },
  'salvage:runs:stream': { folder: logs },
  'salvage:runs:cancel': { streamId: 'no-such-stream' },
  'salvage:log:sample': { path: LOG, id: '3', epoch: 1 },
  'salvage:recovery:plan': { path: CRASHED },
  'salvage:recovery:run': { path: CRASHED, overwrite: false },
  'salvage:repair:check': { path: TORN },
  'salvage:repair:run': { path: TORN },
  'salvage:repair:undo': { sidecar: 'set after the repair' },
  'salvage:log:header': { path: LOG },
  'salvage:samples:stream': { path: LOG },
  'salvage:samples:cancel': { streamId: 'no-such-stream' },
  'salvage:export:run': { path: LOG, format: 'csv' },
  'salvage:export:sample': { path: LOG, id: '3', epoch: 1 },
  'salvage:sample:markdown': { path: LOG, id: '3', epoch: 1, part: 'sample' },
  'salvage:compare:runs': { a: LOG, b: LOG },
  'salvage:sample:open': { path: LOG, id: '3', epoch: 1 },
  // The paged channels take the handle the open answered (set in the loop below).
  'salvage:sample:messages': { start: 0, count: 10 },
  'salvage:sample:events': { start: 0, count: 10 },
  'salvage:sample:pooled': { event: 5, list: 'input', start: 0, count: 10 },
  'salvage:sample:outline': { start: 0, count: 10 },
  'salvage:sample:rows': { start: 0, count: 10 },
  'salvage:sample:field': { key: 'target' },
  'salvage:sample:string': { ref: 'set below', start: 0, length: 100 },
  'salvage:sample:json': {},
  'salvage:sample:close': {},
  'salvage:search:query': {
    query: 'popularity',
    limit: 10,
    status: null,
    format: null,
    task: null,
    model: null,
    folder: null,
    minScore: null,
    maxScore: null,
    createdFrom: null,
    createdTo: null,
  },
  'salvage:search:samples': { path: LOG, query: 'popularity' },
  'salvage:search:status': {},
};

/** The ref of sample 3's `target` string: its byte range in the decoded entry. */
async function targetRef(): Promise<string> {
  const codecs = nodeZlibCodecs();
  const source = new MemoryByteSource(readFileSync(LOG));
  const reader = await EvalLogReader.open(source, codecs);
  const entry = reader.directory.byName.get('samples/3_epoch_1.json')!;
  const bytes = Buffer.from(await readEntryBytes(source, entry, codecs));
  const start = bytes.indexOf('"', bytes.indexOf('"target":') + '"target":'.length);
  return `${start}:${bytes.indexOf('"', start + 1) + 1}`;
}

describe('web mode', () => {
  it('serves every channel of the contract', async () => {
    let repairedSidecar = '';
    let handle = '';
    const ref = await targetRef();
    for (const channel of INVOKE_CHANNELS) {
      let args = channel === 'salvage:repair:undo' ? { sidecar: repairedSidecar } : ARGS[channel];
      // The paged channels name the sample by the handle the open answered, not by its path.
      if (channel.startsWith('salvage:sample:') && !('path' in (args as object))) {
        args = {
          ...(args as object),
          handle,
          ...(channel === 'salvage:sample:string' ? { ref } : {}),
        };
      }
      const { status, body } = await call(channel, args);
      if (channel === 'salvage:repair:run')
        repairedSidecar = (body as { value: { sidecar: string } }).value.sidecar;
      if (channel === 'salvage:sample:open')
        handle = (body as { value: { handle: string } }).value.handle;
      expect(status, channel).toBe(200);
      expect((body as { ok: boolean }).ok, `${channel}: ${JSON.stringify(body)}`).toBe(true);
    }
    const sample = await call('salvage:log:sample', ARGS['salvage:log:sample']);
    expect((sample.body as { value: { scores: unknown } }).value.scores).toMatchObject({
      match: { value: 'I' },
    });
  });

  it("streams a run's summaries as server-sent events until done", async () => {
    const controller = new AbortController();
    const stream = await fetch(`${base()}/api/events?token=secret-token`, {
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    const { body } = await call('salvage:samples:stream', { path: LOG });
    const streamId = (body as { value: { streamId: string } }).value.streamId;
    const items: unknown[] = [];
    let done = false;
    let text = '';
    while (!done) {
      const chunk = (await reader.read()) as { value?: Uint8Array; done: boolean };
      text += new TextDecoder().decode(chunk.value);
      for (const block of text.split('\n\n').slice(0, -1)) {
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!data) continue;
        const batch = parseInspectJson(data, 'event') as {
          streamId: string;
          items: unknown[];
          done: boolean;
          bytesRead: number;
          bytesTotal: number;
        };
        if (batch.streamId !== streamId) continue;
        items.push(...batch.items);
        if (batch.done) {
          done = true;
          expect(batch.bytesRead).toBe(batch.bytesTotal);
        }
      }
      text = text.slice(text.lastIndexOf('\n\n') + 2);
    }
    controller.abort();
    expect(items).toHaveLength(10);
  });

  it('refuses requests without the token, or with a wrong one', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await call('salvage:runs:list', ARGS['salvage:runs:list'], 'wrong')).status).toBe(401);
  });

  it('refuses paths outside the opened folders with a typed error', async () => {
    for (const path of [
      fixture(`${REAL}/log/test_eval_log/log_formats.eval`),
      join(logs, '..', '..', 'etc', 'passwd'),
      join(logs, '../renderer/index.html'),
    ]) {
      const { body } = await call('salvage:log:header', { path });
      expect(['outside-opened-folders', 'not-found']).toContain((body as { kind: string }).kind);
      expect((body as { message: string }).message).toMatch(
        /outside the folders opened|does not exist/,
      );
    }
  });

  it('serves the renderer and sets the token cookie from the printed URL', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Salvage</title>');
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('salvage_token=secret-token');
    const withCookie = await fetch(`${base()}/index.html`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(withCookie.status).toBe(200);
  });

  it('rejects other Host headers (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const url = new URL(server.url);
      request(
        {
          host: url.hostname,
          port: url.port,
          path: `/?token=secret-token`,
          headers: { host: 'evil.example:80' },
        },
        (response) => resolve(response.statusCode ?? 0),
      ).end();
    });
    expect(status).toBe(403);
  });
});

describe('arguments', () => {
  it('are checked against the contract before any handler runs, on both transports', async () => {
    for (const [channel, args, why] of [
      ['salvage:log:header', { path: 42 }, '"path" must be a string'],
      ['salvage:log:header', [], 'the arguments must be an object'],
      ['salvage:log:sample', { path: LOG, id: '3', epoch: '1' }, '"epoch" must be an integer'],
      ['salvage:export:run', { path: LOG, format: 'exe' }, '"format" must be one of eval'],
      ['salvage:runs:list', { folder: logs, extra: true }, 'unknown field "extra"'],
      ['salvage:runs:list', { folder: logs, toString: 1 }, 'unknown field "toString"'],
    ] as const) {
      const { body } = await call(channel, args);
      expect(body).toMatchObject({ ok: false, kind: 'invalid-arguments' });
      expect((body as { message: string }).message).toContain(why);
    }
  });
});
