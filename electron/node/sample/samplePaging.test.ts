import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import {
  isJsonObject,
  parseInspectJson,
  stringifyInspectJson,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import type { JsonPath, PageItem, SamplePage } from '../../../shared/formats/sample/pageTypes.ts';
import { DEFAULT_PAGER_LIMITS, SamplePager } from '../../../shared/formats/sample/samplePager.ts';
import type { RunReader } from '../../../shared/formats/runReader.ts';
import { METHOD_DEFLATE, METHOD_ZSTD } from '../../../shared/formats/zip/zipEntry.ts';
import type { Sample } from '../../../shared/model/log.ts';
import { fixture, fixtureFiles, JSONL_FIXTURES, TS_MONO } from '../../../test/support/fixtures.ts';
import {
  agentSamplePlan,
  sampleChunks,
  samplePieces,
  type SamplePlan,
} from '../../../test/support/generatedSample.ts';
import { writeGeneratedEval } from '../../../test/support/generatedEval.ts';
import { runCli } from '../cli/main.ts';
import { withLog } from '../logs/openLog.ts';
import { indexSample } from './indexSample.ts';
import { SampleHandles } from './sampleHandles.ts';
import { MEMORY_SAMPLE_BYTES } from './spillFile.ts';

const folder = mkdtempSync(join(tmpdir(), 'salvage-paging-'));
const spill = join(folder, 'spill');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** 26 MB: 1,500 turns (6,004 events), three 2 MB tool outputs, inline and deferred pools. */
const PLAN: SamplePlan = agentSamplePlan(1500, 3);
const SMALL_PLAN: SamplePlan = { ...PLAN, turns: 150, bigStrings: 1 };
const PAGE_CHARS = DEFAULT_PAGER_LIMITS.pageChars;

/** An .eval with one sample entry made of `sample` chunks (zstd in 4 MiB frames, or deflate). */
const writeEval = (
  path: string,
  sample: AsyncIterable<Uint8Array> | Uint8Array,
  method = METHOD_ZSTD,
): Promise<void> => writeGeneratedEval(path, sample, { method, frameInputBytes: 4 << 20 });

const GENERATED = join(folder, 'generated.eval');
let whole: Sample;
let handles: SampleHandles;

beforeAll(async () => {
  mkdirSync(spill);
  await writeEval(GENERATED, sampleChunks(PLAN));
  whole = await withLog(GENERATED, (reader) => reader.readSample('generated', 1));
  handles = new SampleHandles({ spillDirectory: spill });
}, 120_000);
afterAll(() => handles.closeAll());

type Read = (handle: string) => SampleHandles;

/** Put back what a page left out (cut strings, deferred pooled lists) to compare with readSample. */
async function restore(
  item: PageItem,
  handle: string,
  event: number,
  read: Read = () => handles,
): Promise<JsonValue> {
  const holder: Record<string, JsonValue> = { value: structuredClone(item.value) };
  const set = (path: JsonPath, value: JsonValue): void => {
    let at: Record<string | number, JsonValue> = holder;
    const full = ['value', ...path];
    for (const key of full.slice(0, -1)) at = at[key] as Record<string | number, JsonValue>;
    at[full.at(-1)!] = value;
  };
  for (const cut of item.truncations) {
    const text = await wholeString(read(handle), handle, cut.ref);
    expect(text.length).toBeGreaterThan(cut.shown);
    set(cut.path, text);
  }
  for (const list of item.deferred) {
    const items: JsonValue[] = [];
    for (const page of await allPages((start) =>
      read(handle).pooled(handle, event, list.list, start, 50),
    )) {
      for (const pooled of page.items) items.push(await restore(pooled, handle, event, read));
    }
    expect(items).toHaveLength(list.count);
    set(list.path, items);
  }
  return holder.value!;
}

/** A cut string whole, slice after slice as a viewer reads it. */
async function wholeString(local: SampleHandles, handle: string, ref: string): Promise<string> {
  const parts: string[] = [];
  for (let start = 0; ;) {
    const slice = await local.string(handle, ref, start, Number.MAX_SAFE_INTEGER);
    expect(slice.start).toBe(start);
    parts.push(slice.text);
    start += slice.text.length;
    if (slice.length !== null) {
      expect(start).toBe(slice.length);
      return parts.join('');
    }
  }
}

async function allPages(fetch: (start: number) => Promise<SamplePage>): Promise<SamplePage[]> {
  const pages: SamplePage[] = [];
  for (let start: number | null = 0; start !== null;) {
    const page = await fetch(start);
    expect(page.start).toBe(start);
    pages.push(page);
    start = page.next;
  }
  return pages;
}

/** Every page: items in order from its start, and its answer within the page budget. */
function checkPages(pages: SamplePage[], total: number): PageItem[] {
  const items = pages.flatMap((page) => page.items);
  expect(items.map((item) => item.index)).toEqual(Array.from({ length: total }, (_, i) => i));
  for (const page of pages) {
    if (total > 0) expect(page.items.length).toBeGreaterThan(0);
    expect(page.total).toBe(total);
    // As it crosses the transport: the same JSON the web server sends.
    expect(stringifyInspectJson(page).length).toBeLessThanOrEqual(PAGE_CHARS + 1024);
  }
  return items;
}

function rest(sample: Sample): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = { ...sample };
  for (const key of ['messages', 'events', 'attachments']) delete fields[key];
  return fields;
}

describe('paged sample reader, on a generated sample of tens of MB', () => {
  it('pages every message and event exactly once, in order, each equal to readSample’s', async () => {
    const { handle, overview } = await handles.open(GENERATED, 'generated', 1);
    const messages = whole.messages as JsonValue[];
    const events = whole.events as JsonValue[];
    expect(overview.layout).toBe('monolith');
    expect(overview.bytes).toBeGreaterThan(20_000_000);
    expect(overview.messages.count).toBe(messages.length);
    expect(overview.events.count).toBe(events.length);
    expect(overview.events.kinds).toMatchObject({
      model: PLAN.turns,
      tool: PLAN.turns,
      span_begin: PLAN.turns + 1,
    });
    expect(overview.fields).toEqual(rest(whole));

    const messagePages = await allPages((start) => handles.messages(handle, start, 100));
    const messageItems = checkPages(messagePages, messages.length);
    for (const item of messageItems)
      expect(await restore(item, handle, item.index)).toEqual(messages[item.index]);

    const eventPages = await allPages((start) => handles.events(handle, start, 100));
    expect(eventPages.length).toBeGreaterThan(10);
    const eventItems = checkPages(eventPages, events.length);
    let deferred = 0;
    let inline = 0;
    let cut = 0;
    const { maxInlinePoolBytes, maxInlinePoolItems } = DEFAULT_PAGER_LIMITS;
    for (const item of eventItems) {
      deferred += item.deferred.length;
      cut += item.truncations.length;
      for (const list of item.deferred)
        expect(list.bytes > maxInlinePoolBytes || list.count > maxInlinePoolItems).toBe(true);
      const value = item.value as Record<string, JsonValue>;
      if (value.event === 'model' && item.deferred.every((list) => list.list !== 'input')) inline++;
      expect(await restore(item, handle, item.index)).toEqual(events[item.index]);
    }
    // A model call's input and API request are folded in the view: an early call's few messages
    // come inline, a later call's window of 40 (and the whole conversation every 300th) on demand.
    expect(inline).toBeGreaterThan(0);
    expect(deferred).toBeGreaterThan(PLAN.turns);
    // The 2 MB tool outputs came cut to 250,000 characters and were fetched whole.
    expect(cut).toBeGreaterThanOrEqual(PLAN.bigStrings);
    await handles.close(handle);
  }, 240_000);

  it('gives a sample as JSON for the clipboard, and refuses one past the limit', async () => {
    // A real agent run: the text is readSample's value.
    const agent = fixture(`${TS_MONO}/original/ais-decoder.eval`);
    const small = await handles.open(agent, '1', 1);
    const text = await handles.json(small.handle);
    expect(parseInspectJson(text, 'copy')).toEqual(
      await withLog(agent, (reader) => reader.readSample('1', 1)),
    );
    await handles.close(small.handle);
    // Resolved (every model call's input expanded), the generated sample is far past the limit:
    // refused as soon as the limit is passed, typed, with what to do instead.
    const { handle } = await handles.open(GENERATED, 'generated', 1);
    const refused = handles.json(handle);
    await expect(refused).rejects.toMatchObject({ kind: 'size-limit' });
    await expect(refused).rejects.toThrow(/salvage sample LOG ID EPOCH --json/);
    await expect(handles.json(handle, 1024)).rejects.toMatchObject({ kind: 'size-limit' });
    await handles.close(handle);
  });

  it('fetches a cut string whole or a slice of it', async () => {
    const { handle } = await handles.open(GENERATED, 'generated', 1);
    // The tool event of turn 499, whose output is one of the 2 MB strings.
    const page = await handles.events(handle, 4 * 499 + 4, 1);
    const item = page.items.find((candidate) => candidate.truncations.length > 0)!;
    const cut = item.truncations[0]!;
    expect(cut.shown).toBe(DEFAULT_PAGER_LIMITS.maxStringChars);
    const whole = await handles.string(handle, cut.ref, 0, Number.MAX_SAFE_INTEGER);
    expect(whole.length).toBeGreaterThan(1_900_000);
    const middle = await handles.string(handle, cut.ref, 1_000_000, 70);
    expect(middle).toEqual({
      text: whole.text.slice(1_000_000, 1_000_070),
      start: 1_000_000,
      length: null,
    });
    // On from where that slice ended (a cursor, no re-reading), then back to an earlier place.
    const next = await handles.string(handle, cut.ref, 1_000_070, 30);
    expect(next.text).toBe(whole.text.slice(1_000_070, 1_000_100));
    expect((await handles.string(handle, cut.ref, 10, 5)).text).toBe(whole.text.slice(10, 15));
    // A slice is at most 4M characters: a longer string comes in several.
    const capped = await handles.string(handle, cut.ref, 0, 5_000_000);
    expect(capped.text.length).toBe(Math.min(whole.length!, DEFAULT_PAGER_LIMITS.maxSliceChars));
    const tail = await handles.string(handle, cut.ref, whole.length! - 5, 100);
    expect(tail).toEqual({
      text: whole.text.slice(-5),
      start: whole.length! - 5,
      length: whole.length,
    });
    await expect(handles.string(handle, '12:11', 0, 5)).rejects.toMatchObject({
      kind: 'invalid-arguments',
    });
    await handles.close(handle);
  });

  it('reads a long string slice after slice decoding each of its bytes about once', async () => {
    // A 6 MB tool output, more than the pager's block cache holds, read in 12 slices.
    const path = join(folder, 'long-string.eval');
    const plan: SamplePlan = { ...SMALL_PLAN, turns: 20, bigStrings: 1, bigStringBytes: 6_000_000 };
    await writeEval(path, sampleChunks(plan));
    const indexed = await indexSample(path, 'generated', 1, { spillDirectory: spill });
    const counting = new CountingByteSource(indexed.bytes);
    const limits = { ...DEFAULT_PAGER_LIMITS, maxSliceChars: 500_000 };
    const pager = new SamplePager(indexed.index, counting, limits);
    const tool = (await pager.events(4 * 19 + 4, 1)).items[0]!;
    const cut = tool.truncations[0]!;
    const before = counting.bytesRead;
    const parts: string[] = [];
    for (let start = 0; ;) {
      const slice = await pager.string(cut.ref, start, Number.MAX_SAFE_INTEGER);
      expect(slice.start).toBe(start);
      parts.push(slice.text);
      start += slice.text.length;
      if (slice.length !== null) break;
    }
    expect(parts.length).toBeGreaterThan(10);
    const text = parts.join('');
    expect(text.length).toBeGreaterThan(5_000_000);
    // Each slice resumes where the last one's final piece began: the string's bytes once, and a
    // piece more per slice at most (from its first byte each time, it was about six times).
    expect(counting.bytesRead - before).toBeLessThan(cut.bytes * 1.3);
    // The same text as one reading of the whole, without cursors.
    const fresh = new SamplePager(indexed.index, indexed.bytes, {
      ...DEFAULT_PAGER_LIMITS,
      maxSliceChars: 8_000_000,
    });
    expect((await fresh.string(cut.ref, 0, Number.MAX_SAFE_INTEGER)).text).toBe(text);
    await indexed.bytes.close();
  });

  it('reads a page from the middle through a few blocks, not the sample', async () => {
    const indexed = await indexSample(GENERATED, 'generated', 1, { spillDirectory: spill });
    const counting = new CountingByteSource(indexed.bytes);
    // Pools inline whatever their size, to see them resolved in the page.
    const inline = { ...DEFAULT_PAGER_LIMITS, maxInlinePoolBytes: Number.POSITIVE_INFINITY };
    const pager = new SamplePager(indexed.index, counting, inline);
    const page = await pager.events(3000, 40);
    expect(page.items.length).toBeGreaterThan(5);
    // Pools and attachments of this page only: a small part of the 26 MB sample.
    expect(counting.bytesRead).toBeLessThan(indexed.index.size / 10);
    const isModel = (item: PageItem): boolean =>
      isJsonObject(item.value) && item.value.event === 'model';
    const model = page.items.find(isModel)!;
    expect(model.value).not.toHaveProperty('input_refs');
    expect(JSON.stringify(model.value)).not.toContain('attachment://');
    expect((model.value as { input: unknown[] }).input).toHaveLength(PLAN.window);
    // By default a window of 40 messages (with their tool outputs) waits for its fold to open.
    const folded = (
      await new SamplePager(indexed.index, indexed.bytes).events(3000, 40)
    ).items.find(isModel)!;
    expect((folded.value as { input: unknown[] }).input).toEqual([]);
    expect(folded.deferred.map((list) => [list.list, list.count])).toEqual([
      ['input', PLAN.window],
      ['call', PLAN.window],
    ]);
    expect(folded.deferred[0]!.bytes).toBeGreaterThan(DEFAULT_PAGER_LIMITS.maxInlinePoolBytes);
    await indexed.bytes.close();
  });

  it('builds the outline of spans and the event rows from the index', async () => {
    const { handle, overview } = await handles.open(GENERATED, 'generated', 1);
    const events = whole.events as Array<Record<string, JsonValue>>;
    expect(overview.outline.total).toBe(PLAN.turns + 1);
    const outline = await handles.outline(handle, 0, 10_000);
    const [root, ...turns] = outline.nodes;
    expect(root).toMatchObject({
      id: 'span-root',
      parent: -1,
      kind: 'span',
      name: 'solvers',
      begin: 1,
      end: events.length - 1,
      first: 0,
      events: events.length,
    });
    expect(
      turns.every(
        (node, turn) => node.parent === 0 && node.name === `turn ${turn}` && node.events === 4,
      ),
    ).toBe(true);
    expect(turns[7]).toMatchObject({
      begin: 2 + 4 * 7,
      end: 5 + 4 * 7,
      first: 2 + 4 * 7,
      last: 5 + 4 * 7,
    });
    expect(turns[7]!.startedAt).toBe(Date.parse(events[2 + 4 * 7]!.timestamp as string));
    const rows = await handles.rows(handle, 10, 20);
    expect(rows.kinds).toEqual(events.slice(10, 30).map((event) => event.event));
    expect(rows.nodes.slice(0, 4)).toEqual([3, 3, 3, 3]);
    await handles.close(handle);
  });
});

/** Every sample of a log through the pager, each item equal to readSample's. */
async function comparePaged(
  path: string,
  reader: RunReader,
  local: SampleHandles,
): Promise<number> {
  let compared = 0;
  for (const ref of await reader.listSamples()) {
    const sample = await reader.readSample(ref.id, ref.epoch);
    const { handle, overview } = await local.open(path, ref.id, ref.epoch);
    const fields = { ...overview.fields };
    for (const large of overview.largeFields)
      fields[large.key] = (await local.field(handle, large.key)).value;
    expect(fields).toEqual(rest(sample));
    for (const list of ['messages', 'events'] as const) {
      const expected = Array.isArray(sample[list]) ? (sample[list] as JsonValue[]) : [];
      const pages = await allPages((start) => local[list](handle, start, 25));
      for (const item of checkPages(pages, expected.length)) {
        expect(await restore(item, handle, item.index, () => local)).toEqual(expected[item.index]);
        compared++;
      }
    }
    await local.close(handle);
  }
  return compared;
}

describe('paged sample reader, on the real logs', () => {
  // Monolith deflate and zstd, multi-frame zstd, chunked, .json logs, the legacy message pool.
  it.each(fixtureFiles('.eval', '.json'))('%s gives readSample’s items', async (path) => {
    const local = new SampleHandles({ spillDirectory: spill });
    try {
      await withLog(fixture(path), async (reader) => {
        const compared = await comparePaged(fixture(path), reader, local);
        if ((await reader.listSamples()).length > 0) expect(compared).toBeGreaterThan(0);
      });
    } finally {
      await local.closeAll();
    }
  });
});

describe('paged sample reader, other places a sample lives', () => {
  it('reads a deflate entry and a sample inside a .json log (in place, nothing spilled)', async () => {
    const text = [...samplePieces(SMALL_PLAN)].join('');
    const deflate = join(folder, 'deflate.eval');
    await writeEval(deflate, Buffer.from(text), METHOD_DEFLATE);
    const jsonLog = join(folder, 'log.json');
    const spec = { task: 'generated', model: 'openai/gpt-5', created: '2026-06-10T18:00:00+00:00' };
    writeFileSync(
      jsonLog,
      `{"version": 2, "status": "success", "eval": ${JSON.stringify(spec)}, "samples": [${text}, ${text.replace('"epoch": 1', '"epoch": 2')}]}`,
    );
    const local = new SampleHandles({ spillDirectory: spill });
    try {
      for (const path of [deflate, jsonLog]) {
        await withLog(path, (reader) => comparePaged(path, reader, local));
      }
      const inPlace = await indexSample(jsonLog, 'generated', 2, { spillDirectory: spill });
      expect(inPlace.spilledBytes).toBe(0);
      expect(inPlace.index.layout).toBe('json');
      await inPlace.bytes.close();
    } finally {
      await local.closeAll();
    }
  }, 120_000);

  it('wraps verifiers and Codex samples (small) in the same interface', async () => {
    const local = new SampleHandles({ spillDirectory: spill });
    try {
      const sessions = join(JSONL_FIXTURES, 'codex/sessions');
      const codex = readdirSync(sessions, { recursive: true })
        .map(String)
        .find((name) => name.endsWith('.jsonl'))!;
      const path = join(sessions, codex);
      await withLog(path, async (reader) => {
        const [ref] = await reader.listSamples();
        const sample = await reader.readSample(ref!.id, ref!.epoch);
        const { handle, overview } = await local.open(path, ref!.id, ref!.epoch);
        expect(overview.layout).toBe('jsonl');
        const items = (await allPages((start) => local.messages(handle, start, 50))).flatMap(
          (page) => page.items,
        );
        expect(
          await Promise.all(items.map((item) => restore(item, handle, item.index, () => local))),
        ).toEqual(sample.messages);
      });
    } finally {
      await local.closeAll();
    }
  });
});

describe('paged sample reader, odd pool references', () => {
  // Found by the fuzz harness (sample-pager/dev-146): the pager read [-Infinity, 1] as [0, 1],
  // the whole-sample reader as nothing. Every reader now reads ranges one way (poolSlices).
  it('reads each range as the whole-sample reader does', async () => {
    const pool = Array.from({ length: 5 }, (_, i) => ({ role: 'user', content: `m${i}` }));
    const refs = [
      '[[-Infinity, 1]]',
      '[[NaN, 2]]',
      '[[1.5, 3]]',
      '[[-2, 5]]',
      '[[3, -1], [0, 1]]',
      '[["0", 2]]',
      '[[12345678901234567890, 2]]',
      '[[0, 12345678901234567890]]',
      '[[2, 1]]',
    ];
    const events = refs.map(
      (ref) => `{"event": "model", "model": "m", "input": [], "input_refs": ${ref}, "output": {}}`,
    );
    const text = `{"id": "generated", "epoch": 1, "events": [${events.join(', ')}], "events_data": {"messages": ${JSON.stringify(pool)}, "calls": []}, "messages": []}`;
    const path = join(folder, 'odd-refs.eval');
    await writeEval(path, Buffer.from(text));
    const local = new SampleHandles({ spillDirectory: spill });
    try {
      await withLog(path, async (reader) =>
        expect(await comparePaged(path, reader, local)).toBe(9),
      );
      const sample = await withLog(path, (reader) => reader.readSample('generated', 1));
      const inputs = (sample.events as Array<{ input: Array<{ content: string }> }>).map((event) =>
        event.input.map((message) => message.content).join(' '),
      );
      expect(inputs).toEqual(['', '', '', 'm3 m4', 'm3 m0', '', '', '', '']);
    } finally {
      await local.closeAll();
    }
  });
});

describe('paged sample reader, malformed input', () => {
  const cases: Array<[string, string, string]> = [
    [
      'a sample cut short',
      '{"id": "generated", "epoch": 1, "events": [{"event": "model"',
      'invalid-json',
    ],
    [
      'brackets that do not match',
      '{"id": "generated", "epoch": 1, "events": [{"event": "model", "input": [1, 2}]}',
      'invalid-json',
    ],
    ['not an object', '["id", "generated"]', 'not-an-inspect-log'],
    ['garbage', 'NaNaNaN', 'not-an-inspect-log'],
    ['trailing bytes', '{"id": "generated", "epoch": 1} {"again": true}', 'invalid-json'],
    // The whole-sample reader keeps the last of a repeated list; the index would hold both.
    [
      'events given twice',
      '{"id": "generated", "epoch": 1, "events": [{"event": "info"}], "events": []}',
      'invalid-json',
    ],
    [
      'events beside the 2024 transcript that replaces them',
      '{"id": "generated", "epoch": 1, "events": [{"event": "info"}], "transcript": {"events": []}}',
      'invalid-json',
    ],
  ];
  it.each(cases)('refuses %s with a typed error at open', async (name, text, kind) => {
    const path = join(folder, `bad-${name.replace(/\W+/g, '-')}.eval`);
    await writeEval(path, Buffer.from(text));
    await expect(handles.open(path, 'generated', 1)).rejects.toMatchObject({ kind });
  });

  it('refuses a malformed event when its page is read, and a corrupt entry at open', async () => {
    const path = join(folder, 'bad-event.eval');
    await writeEval(
      path,
      Buffer.from(
        '{"id": "generated", "epoch": 1, "events": [{"event": "info"}, {"event": "info", "data" 1}]}',
      ),
    );
    const { handle } = await handles.open(path, 'generated', 1);
    expect((await handles.events(handle, 0, 1)).items[0]!.value).toEqual({ event: 'info' });
    await expect(handles.events(handle, 1, 1)).rejects.toMatchObject({ kind: 'invalid-json' });
    await handles.close(handle);

    const corrupt = join(folder, 'corrupt.eval');
    await writeEval(corrupt, sampleChunks(SMALL_PLAN), METHOD_DEFLATE);
    const bytes = readFileSync(corrupt);
    const at = bytes.indexOf('samples/generated_epoch_1.json') + 30 + 5000;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(corrupt, bytes);
    await expect(handles.open(corrupt, 'generated', 1)).rejects.toMatchObject({
      kind: expect.stringMatching(/^(corrupt-zip|crc-mismatch|size-mismatch)$/) as unknown,
    });
    await expect(handles.open(GENERATED, 'absent', 1)).rejects.toMatchObject({
      kind: 'sample-not-found',
    });
  });

  it('indexes nesting a million deep, and refuses to hand out a value deeper than Inspect writes', async () => {
    const depth = 1_000_000;
    const path = join(folder, 'deep.eval');
    await writeEval(
      path,
      Buffer.from(
        `{"id": "generated", "epoch": 1, "events": [{"event": "info", "data": ${'['.repeat(depth)}${']'.repeat(depth)}}, {"event": "info", "data": ${'['.repeat(300)}${']'.repeat(300)}}]}`,
      ),
    );
    const { handle, overview } = await handles.open(path, 'generated', 1);
    expect(overview.events.count).toBe(2);
    await expect(handles.events(handle, 0, 1)).rejects.toMatchObject({ kind: 'invalid-json' });
    expect((await handles.events(handle, 1, 1)).items).toHaveLength(1);
    await handles.close(handle);
  });

  it('counts event kinds and members named like an object’s own (valueOf, __proto__) as data', async () => {
    const path = join(folder, 'member-names.eval');
    const kinds = ['constructor', 'toString', '__proto__', 'toString', 'model'];
    await writeEval(
      path,
      Buffer.from(
        // A member named __proto__ is written as text: in an object literal it sets the prototype.
        `{"__proto__": {"kept": true}, ${JSON.stringify({
          id: 'generated',
          epoch: 1,
          valueOf: ['not a list of the sample'],
          events: kinds.map((event) => ({ event })),
        }).slice(1)}`,
      ),
    );
    const { handle, overview } = await handles.open(path, 'generated', 1);
    expect(overview.events.count).toBe(5);
    expect(Object.entries(overview.events.kinds)).toEqual([
      ['constructor', 1],
      ['toString', 2],
      ['__proto__', 1],
      ['model', 1],
    ]);
    const fields = new Map(Object.entries(overview.fields));
    expect(fields.get('valueOf')).toEqual(['not a list of the sample']);
    expect(fields.get('__proto__')).toEqual({ kept: true });
    await handles.close(handle);
  });
});

describe('paged sample handles', () => {
  /** Descriptors of this process that point into the spill folder (deleted spill files included). */
  function openSpills(): string[] {
    return readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((target) => target.startsWith(spill));
  }

  it('spills a sample over 16 MB, shares it between handles, and releases it with the last', async () => {
    expect(whole).toBeDefined();
    const local = new SampleHandles({ spillDirectory: spill });
    const before = openSpills().length;
    const a = await local.open(GENERATED, 'generated', 1);
    const b = await local.open(GENERATED, 'generated', 1);
    expect(local.openCount).toBe(1);
    expect(a.overview.bytes).toBeGreaterThan(MEMORY_SAMPLE_BYTES);
    expect(openSpills().length).toBe(before + 1);
    // The file has no name from the start: nothing is left behind however the process ends.
    expect(readdirSync(spill)).toEqual([]);
    await local.close(a.handle);
    expect((await local.events(b.handle, 0, 1)).items).toHaveLength(1);
    await local.close(b.handle);
    expect(openSpills().length).toBe(before);
    await expect(local.events(b.handle, 0, 1)).rejects.toMatchObject({ kind: 'sample-closed' });
    await local.closeAll();
  });

  it('stops an indexing when its sample is closed meanwhile, typed and with nothing left open', async () => {
    const local = new SampleHandles({ spillDirectory: spill });
    const before = openSpills().length;
    const opening = local.open(GENERATED, 'generated', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await local.closeAll();
    await expect(opening).rejects.toMatchObject({ kind: 'sample-closed' });
    expect(openSpills().length).toBe(before);
  });

  it('closes the least recently used sample beyond the limit, and idle ones', async () => {
    let now = 0;
    const local = new SampleHandles({
      spillDirectory: spill,
      maxOpen: 1,
      idleMs: 50,
      now: () => now,
    });
    const path = fixture(
      'real/inspect_ai/tests/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval',
    );
    const first = await local.open(path, '1', 1);
    const second = await local.open(path, '2', 1);
    await expect(local.messages(first.handle, 0, 1)).rejects.toMatchObject({
      kind: 'sample-closed',
    });
    expect((await local.messages(second.handle, 0, 1)).items).toHaveLength(1);
    now += 49;
    await (local as unknown as { closeIdle(): Promise<void> }).closeIdle();
    expect(local.openCount).toBe(1);
    now += 2;
    await (local as unknown as { closeIdle(): Promise<void> }).closeIdle();
    await expect(local.messages(second.handle, 0, 1)).rejects.toMatchObject({
      kind: 'sample-closed',
    });
    expect(local.openCount).toBe(0);
    await local.closeAll();
  });
});

describe('salvage sample --json', () => {
  it('streams the resolved sample: what readSample returns', async () => {
    // Resolved, a sample grows by its pools: each model call's input carries its attachments'
    // text again (~60 MB here from a 3 MB sample; the 26 MB one would pass V8's string limit).
    const path = join(folder, 'small.eval');
    await writeEval(path, sampleChunks(SMALL_PLAN));
    const out: string[] = [];
    const code = await runCli(['sample', path, 'generated', '1', '--json'], {
      out: (text) => out.push(text),
      err: (text) => out.push(text),
    });
    expect(code).toBe(0);
    const expected = await withLog(path, (reader) => reader.readSample('generated', 1));
    expect(parseInspectJson(out.join(''), 'the output')).toEqual(expected);
  }, 60_000);

  it('prints the same bytes as the whole-sample reader did for the real logs (or the same value)', async () => {
    for (const path of fixtureFiles('.eval', '.json').slice(0, 12)) {
      await withLog(fixture(path), async (reader) => {
        for (const ref of (await reader.listSamples()).slice(0, 2)) {
          const out: string[] = [];
          await runCli(['sample', fixture(path), ref.id, String(ref.epoch), '--json'], {
            out: (text) => out.push(text),
            err: () => undefined,
          });
          expect(parseInspectJson(out.join(''), path)).toEqual(
            await reader.readSample(ref.id, ref.epoch),
          );
        }
      });
    }
  });
});
