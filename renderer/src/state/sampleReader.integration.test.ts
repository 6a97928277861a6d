import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../shared/ipc/dispatch.ts';
import type { InvokeChannel, InvokeMap } from '../../../shared/ipc/contract.ts';
import type { OpenedSample } from '../../../shared/formats/sample/pageTypes.ts';
import { createLogService } from '../../../electron/node/services/logService.ts';
import { OpenedFolders } from '../../../electron/node/services/openedFolders.ts';
import { fixture, TS_MONO } from '../../../test/support/fixtures.ts';
import { createClient, type Client } from '../api/client.ts';
import type { Bridge } from '../api/transport.ts';
import { PAGE_ITEMS, SampleReader, type PageCache } from './sampleReader.ts';

// The reader over the real back end, in-process: the log service's handlers behind the same
// dispatch both transports use, over a real agent run (26 messages, 200+ events).
const folder = mkdtempSync(join(tmpdir(), 'salvage-reader-'));
const LOG = join(folder, 'ais-decoder.eval');
const calls: Array<{ channel: InvokeChannel; args: Record<string, unknown> }> = [];
let handlers: InvokeMap;
let client: Client;

beforeAll(async () => {
  cpSync(fixture(`${TS_MONO}/original/ais-decoder.eval`), LOG);
  const folders = await OpenedFolders.load(join(folder, 'folders.json'), [folder]);
  handlers = createLogService({ folders });
  const bridge: Bridge = {
    desktop: true,
    invoke: (channel, args) => {
      calls.push({ channel, args: args as Record<string, unknown> });
      return dispatch(handlers, channel, args);
    },
    on: () => () => {},
    eventsReady: () => Promise.resolve(),
  };
  client = createClient(bridge);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function openReader(
  cache?: PageCache,
): Promise<{ reader: SampleReader; opened: OpenedSample }> {
  const opened = await client.call('salvage:sample:open', { path: LOG, id: '1', epoch: 1 });
  const reader = new SampleReader(client, opened.handle, opened.overview.outline, () => {}, cache);
  return { reader, opened };
}

/** Resolves once `condition` holds (pages arrive asynchronously). */
function until(condition: () => boolean): Promise<void> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const poll = (): void => {
      if (condition()) done();
      else if (Date.now() - started > 10_000) fail(new Error('timed out'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

const pageCalls = (handle: string, list: 'messages' | 'events') =>
  calls.filter((call) => call.channel === `salvage:sample:${list}` && call.args.handle === handle);

describe('SampleReader over the real back end', () => {
  it('keeps pages within its budget, the least recently used dropped first', async () => {
    // A budget any page exceeds: two pages kept whatever their size.
    const { reader } = await openReader({ chars: 1, minPages: 2 });
    const load = async (start: number): Promise<void> => {
      reader.want('events', start, start + 1);
      await until(() => reader.item('events', start) !== undefined);
    };
    await load(0);
    await load(PAGE_ITEMS);
    expect(reader.cached('events').pages).toBe(2);
    // The first page used again (it is in view): the second is the one dropped for the third.
    expect(reader.item('events', 0)).toBeDefined();
    await load(2 * PAGE_ITEMS);
    expect(reader.cached('events').pages).toBe(2);
    expect(reader.item('events', 0)).toBeDefined();
    expect(reader.item('events', 2 * PAGE_ITEMS)).toBeDefined();
    expect(reader.item('events', PAGE_ITEMS)).toBeUndefined();
    // A dropped page is asked for again when wanted.
    const asked = pageCalls(reader.handle, 'events').length;
    await load(PAGE_ITEMS);
    expect(pageCalls(reader.handle, 'events').length).toBe(asked + 1);
    const { chars } = reader.cached('events');
    expect(chars).toBeGreaterThan(0);
    reader.close();
    expect(reader.cached('events')).toEqual({ pages: 0, chars: 0 });
  });

  it('asks for a page once, however often the view wants it, and serves its items in order', async () => {
    const { reader, opened } = await openReader();
    const events = opened.overview.events.count;
    expect(events).toBeGreaterThan(2 * PAGE_ITEMS);
    expect(reader.item('events', 0)).toBeUndefined();
    reader.want('events', 0, 10);
    reader.want('events', 5, 20);
    await until(() => reader.item('events', 0) !== undefined);
    expect(pageCalls(reader.handle, 'events')).toHaveLength(1);
    // The first page is all here: a want inside it asks nothing more.
    reader.want('events', PAGE_ITEMS - 10, PAGE_ITEMS);
    expect(pageCalls(reader.handle, 'events')).toHaveLength(1);
    for (let index = 0; index < PAGE_ITEMS; index++)
      expect(reader.item('events', index)?.index).toBe(index);
    expect(reader.item('events', PAGE_ITEMS)).toBeUndefined();

    // A range across two pages asks for the second alone; the last page is short.
    const last = events - 1;
    reader.want('events', PAGE_ITEMS - 1, PAGE_ITEMS + 1);
    reader.want('events', last, last + 1);
    await until(
      () =>
        reader.item('events', PAGE_ITEMS) !== undefined &&
        reader.item('events', last) !== undefined,
    );
    expect(reader.item('events', last)?.index).toBe(last);
    expect(reader.error).toBeNull();
    reader.close();
  });

  it('reads the whole event index and outline, matching the overview', async () => {
    const { reader, opened } = await openReader();
    expect(reader.events).toBeNull();
    await reader.loadIndex(opened.overview.events.count);
    const index = reader.events!;
    expect(index.kinds).toHaveLength(opened.overview.events.count);
    const counted: Record<string, number> = {};
    for (const kind of index.kinds) counted[kind] = (counted[kind] ?? 0) + 1;
    expect(counted).toEqual(opened.overview.events.kinds);
    expect(reader.outline).toHaveLength(opened.overview.outline.total);
    reader.close();
  });

  it('finds text in pages never shown, messages first, and stops when cancelled', async () => {
    const { reader, opened } = await openReader();
    const counts = {
      messages: opened.overview.messages.count,
      events: opened.overview.events.count,
    };
    const progress: number[] = [];
    const places = await reader.find(
      'AIS',
      counts,
      (done) => progress.push(done),
      () => false,
    );
    expect(places.length).toBeGreaterThan(0);
    expect(places.some((place) => place.list === 'messages')).toBe(true);
    expect(places.some((place) => place.list === 'events' && place.index >= PAGE_ITEMS)).toBe(true);
    // Messages come before events, each list in order.
    const order = places.map((place) => (place.list === 'messages' ? 0 : 1e9) + place.index);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(counts.messages + counts.events);
    // Each place found holds the text (case aside).
    const first = places.find((place) => place.list === 'events')!;
    reader.want('events', first.index, first.index + 1);
    await until(() => reader.item('events', first.index) !== undefined);
    expect(JSON.stringify(reader.item('events', first.index)!.value).toLowerCase()).toContain(
      'ais',
    );
    // Pages read by find are not cached: the view asks for what it shows.
    const before = pageCalls(reader.handle, 'messages').length;
    let asked = 0;
    const cancelledEarly = await reader.find(
      'AIS',
      counts,
      () => {},
      () => asked++ > 0,
    );
    expect(pageCalls(reader.handle, 'messages').length - before).toBe(1);
    expect(cancelledEarly.length).toBeLessThan(places.length);
    expect(
      await reader.find(
        'no such text anywhere 42',
        counts,
        () => {},
        () => false,
      ),
    ).toEqual([]);
    reader.close();
  });

  it('closes its handle once; pages arriving after the close are dropped', async () => {
    const { reader } = await openReader();
    reader.want('messages', 0, 1);
    reader.close();
    reader.close();
    await until(() => calls.some((call) => call.channel === 'salvage:sample:close'));
    await new Promise((done) => setTimeout(done, 50));
    expect(
      calls.filter(
        (call) => call.channel === 'salvage:sample:close' && call.args.handle === reader.handle,
      ),
    ).toHaveLength(1);
    expect(reader.item('messages', 0)).toBeUndefined();
    // The back end forgot the handle: a page of it is a typed error.
    await expect(
      client.call('salvage:sample:messages', { handle: reader.handle, start: 0, count: 1 }),
    ).rejects.toMatchObject({ name: 'BackendError' });
  });

  it('a page the back end refuses becomes the reader error, told to the view', async () => {
    const opened = await client.call('salvage:sample:open', { path: LOG, id: '1', epoch: 1 });
    await client.call('salvage:sample:close', { handle: opened.handle });
    let told = 0;
    const reader = new SampleReader(client, opened.handle, opened.overview.outline, () => told++);
    reader.want('messages', 0, 1);
    await until(() => told > 0);
    expect(reader.error?.message).toMatch(/sample/i);
    expect(reader.item('messages', 0)).toBeUndefined();
  });
});
