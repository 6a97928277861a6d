// An s3:// folder through the app's own call path (web mode's HTTP transport, the same handlers
// the desktop uses) against a real S3-compatible server on 127.0.0.1: opened like a local folder,
// its runs listed, streamed, paged, exported beside them in the bucket, compared; locations
// outside it refused; the desktop's confirmation; and the credentials never in an answer.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventMap } from '../../../shared/ipc/contract.ts';
import { parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { fixture, REAL } from '../../../test/support/fixtures.ts';
import {
  putFolder,
  putObject,
  startS3Server,
  testClient,
  TEST_KEYS,
  useS3,
  type S3TestServer,
} from '../../../test/support/s3Server.ts';
import { createLogService } from '../services/logService.ts';
import { EventHub } from '../services/eventHub.ts';
import { OpenedFolders } from '../services/openedFolders.ts';
import { startWebServer, type RunningWebServer } from '../server/webServer.ts';

const BUCKET = 'team-evals';
const FOLDER = `s3://${BUCKET}/runs`;
const DEMO = join(import.meta.dirname, '../../../demo/logs');
const POPULARITY = `${FOLDER}/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`;
const SECOND = `${FOLDER}/second/popularity.eval`;

let s3: S3TestServer;
let web: RunningWebServer;
let root: string;
const events = new EventHub();
/** Every answer the renderer was sent, as text: where a credential must never appear. */
const answers: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
  useS3(s3.endpoint);
  const client = testClient(s3.endpoint);
  await putFolder(client, BUCKET, 'runs', DEMO);
  await putObject(
    client,
    BUCKET,
    'runs/second/popularity.eval',
    readFileSync(
      fixture(
        `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`,
      ),
    ),
  );
  await putObject(client, BUCKET, 'elsewhere/secret.eval', 'not yours');
  root = mkdtempSync(join(tmpdir(), 'salvage-s3-service-'));
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer/index.html'), '<!doctype html><title>Salvage</title>');
  web = await startWebServer({
    handlers: createLogService({
      folders: await OpenedFolders.load(join(root, 'folders.json'), []),
      events,
    }),
    events,
    rendererDir: join(root, 'renderer'),
    token: 'token',
  });
}, 60_000);

afterAll(async () => {
  await web?.close();
  await s3?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A call as the renderer makes it in web mode; the value, or the typed failure. */
async function call(
  channel: string,
  args: unknown,
): Promise<{ ok: boolean; value?: unknown; kind?: string; message?: string }> {
  const response = await fetch(
    `${web.url.replace(/\/\?token=.*$/, '')}/api/invoke/${channel}?token=token`,
    {
      method: 'POST',
      body: JSON.stringify(args),
    },
  );
  const text = await response.text();
  answers.push(text);
  return parseInspectJson(text, 'answer') as { ok: boolean; value?: unknown; kind?: string };
}

describe('an s3:// folder in the app', () => {
  it('opens like a local folder (checked by listing it), and a wrong bucket is a typed failure', async () => {
    const wrong = await call('salvage:folders:add', { path: 's3://no-such-bucket/runs' });
    expect(wrong).toMatchObject({ ok: false, kind: 'bucket-not-found' });
    const opened = await call('salvage:folders:add', { path: `${FOLDER}/` });
    expect(opened).toEqual({ ok: true, value: [FOLDER] });
  });

  it('streams its runs as the app lists a folder: the rows of runs:list, in batches, then done', async () => {
    const listed = (await call('salvage:runs:list', { folder: FOLDER })).value as Array<{
      location: string;
      status: string | null;
    }>;
    const all: Array<EventMap['salvage:runs:batch']> = [];
    events.subscribe((channel, payload) => {
      if (channel === 'salvage:runs:batch') all.push(payload as EventMap['salvage:runs:batch']);
    });
    const started = await call('salvage:runs:stream', { folder: FOLDER });
    const { streamId } = started.value as { streamId: string };
    const batches = await vi.waitFor(
      () => {
        const mine = all.filter((batch) => batch.streamId === streamId);
        if (!mine.at(-1)?.done) throw new Error('the listing has not ended yet');
        return mine;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(batches.at(-1)!.error).toBeUndefined();
    const streamed = batches.flatMap((batch) => batch.rows);
    // The same rows; a liveness verdict's evidence says how many seconds ago, so it may tick.
    const byLocation = (
      rows: ReadonlyArray<{ location: string; liveness?: { verdict: string } }>,
    ) =>
      [...rows]
        .sort((a, b) => a.location.localeCompare(b.location))
        .map((row) => ({ ...row, liveness: row.liveness?.verdict }));
    expect(byLocation(streamed)).toEqual(byLocation(listed));
    expect(batches.at(-1)!.found).toBe(listed.length);
  });

  it('lists its runs, streams a run and pages a sample', async () => {
    const listed = await call('salvage:runs:list', { folder: FOLDER });
    const rows = listed.value as Array<{ location: string; task: string | null }>;
    expect(rows.map((row) => row.location)).toContain(POPULARITY);

    const header = await call('salvage:log:header', { path: POPULARITY });
    expect(header).toMatchObject({ ok: true, value: { status: 'success' } });

    const batches: Array<EventMap['salvage:samples:batch']> = [];
    const done = new Promise<void>((resolve) =>
      events.subscribe((channel, payload) => {
        if (channel !== 'salvage:samples:batch') return;
        batches.push(payload as EventMap['salvage:samples:batch']);
        if ((payload as EventMap['salvage:samples:batch']).done) resolve();
      }),
    );
    await call('salvage:samples:stream', { path: POPULARITY });
    await done;
    expect(batches.at(-1)!.error).toBeUndefined();
    const summaries = batches.flatMap((batch) => batch.items);
    expect(summaries.length).toBeGreaterThan(0);

    const first = summaries[0] as { id: string | number; epoch: number };
    const opened = await call('salvage:sample:open', {
      path: POPULARITY,
      id: String(first.id),
      epoch: first.epoch,
    });
    expect(opened.ok).toBe(true);
    const { handle } = opened.value as { handle: string };
    const page = await call('salvage:sample:messages', { handle, start: 0, count: 10 });
    expect((page.value as { items: unknown[] }).items.length).toBeGreaterThan(0);
    await call('salvage:sample:close', { handle });
  });

  it('exports a run beside it in the bucket (never over an export), listed with its run', async () => {
    const first = await call('salvage:export:run', { path: POPULARITY, format: 'csv' });
    const second = await call('salvage:export:run', { path: POPULARITY, format: 'csv' });
    const base = POPULARITY.replace(/\.eval$/, '');
    expect(first.value).toMatchObject({ output: `${base}.export.csv` });
    expect(second.value).toMatchObject({ output: `${base}.export-2.csv` });
    const rows = (await call('salvage:runs:list', { folder: FOLDER })).value as Array<{
      location: string;
      links: { exports: string[] };
    }>;
    expect(rows.find((row) => row.location === POPULARITY)!.links.exports).toEqual(
      [`${base}.export-2.csv`, `${base}.export.csv`].sort(),
    );
  });

  it('compares two runs in the bucket', async () => {
    const compared = await call('salvage:compare:runs', { a: POPULARITY, b: SECOND });
    expect(compared.ok).toBe(true);
    expect((compared.value as { samples: unknown[] }).samples.length).toBeGreaterThan(0);
  });

  it('refuses what lies outside the opened folder', async () => {
    for (const path of [
      `s3://${BUCKET}/elsewhere/secret.eval`,
      `s3://${BUCKET}/runs-2/x.eval`,
      `s3://other-bucket/runs/x.eval`,
    ]) {
      expect(await call('salvage:log:header', { path }), path).toMatchObject({
        ok: false,
        kind: 'outside-opened-folders',
      });
    }
    expect(
      await call('salvage:log:header', { path: `${FOLDER}/../elsewhere/secret.eval` }),
    ).toMatchObject({
      ok: false,
      kind: 'invalid-arguments',
    });
  });

  it('never sends the credentials to the renderer', () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      expect(answer).not.toContain(TEST_KEYS.secretAccessKey);
      expect(answer).not.toContain(TEST_KEYS.accessKeyId);
    }
  });
});

describe('the desktop', () => {
  it('opens a typed s3:// folder only after the native confirmation', async () => {
    const folders = await OpenedFolders.load(join(root, 'desktop-folders.json'), []);
    let answer = false;
    const asked: string[] = [];
    const service = createLogService({
      folders,
      chooseFolder: () => Promise.resolve(null),
      confirmRemoteFolder: (url) => {
        asked.push(url);
        return Promise.resolve(answer);
      },
    });
    expect(await service['salvage:folders:add']({ path: FOLDER })).toEqual([]);
    answer = true;
    expect(await service['salvage:folders:add']({ path: FOLDER })).toEqual([FOLDER]);
    expect(asked).toEqual([FOLDER, FOLDER]);
    // A local path typed in the window is still ignored: only the folder dialog opens one.
    expect(await service['salvage:folders:add']({ path: root })).toEqual([FOLDER]);
  });
});
