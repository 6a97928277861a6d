// Samples built to cost time, memory or stack (issue 15): each must read in bounded time and
// memory, or fail with a typed error.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../bytes/byteSource.ts';
import { nodeZlibCodecs } from '../../../electron/node/codecs/nodeZlibCodecs.ts';
import { MemoryZipSink, ZipWriter } from '../../../electron/node/zip/zipWriter.ts';
import { parseInspectJson, type JsonObject, type JsonValue } from '../json/inspectJson.ts';
import { scalarText, sampleKey } from '../../model/log.ts';
import { EvalLogReader } from './evalLogReader.ts';
import { summaryFromSample } from './summaries.ts';
import { resolveSample, sliceRanges } from './sampleResolve.ts';
import { isSalvageError } from '../../util/errors.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const start = { version: 2, eval: { task: 't', model: 'm' }, plan: {} };

async function evalWith(entries: Record<string, Uint8Array>): Promise<EvalLogReader> {
  const sink = new MemoryZipSink();
  const writer = new ZipWriter(sink);
  await writer.add('_journal/start.json', encode(start), { method: 8 });
  for (const [name, bytes] of Object.entries(entries)) await writer.add(name, bytes, { method: 8 });
  await writer.finish();
  return EvalLogReader.open(new MemoryByteSource(sink.bytes()), nodeZlibCodecs());
}

const deep = (levels: number, leaf: string): string =>
  '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

describe('pool references', () => {
  it('an input_refs range far out of bounds reads at once (it walked 200 million places)', async () => {
    const sample = {
      id: 1,
      epoch: 1,
      events: [
        {
          event: 'model',
          input_refs: [
            [-200_000_000, 0],
            [0, 1e15],
            [1.5, 2],
          ],
        },
      ],
      events_data: { messages: [{ role: 'user', content: 'hi' }], calls: [] },
    };
    const reader = await evalWith({ 'samples/1_epoch_1.json': encode(sample) });
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const read = await reader.readSample('1', 1);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    // Python's slices: [-200000000:0] is empty, [0:1e15] the whole pool, [1.5:2] no range.
    expect((read.events as JsonObject[])[0]!.input).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('ranges that repeat the pool are a typed size-limit error, in one call and across a sample', () => {
    const pool = Array.from({ length: 10_000 }, (_, i) => i as JsonValue);
    const ranges = Array.from({ length: 5_000 }, () => [0, 10_000] as JsonValue);
    expect(() => sliceRanges(pool, ranges)).toThrow(
      /refers to 50000000 messages of a pool of 10000/,
    );
    // Each call within reason (the pool twice), but 850 of them past the sample's budget.
    const events = Array.from({ length: 850 }, () => ({
      event: 'model',
      input_refs: [
        [0, 10_000],
        [0, 10_000],
      ],
    }));
    try {
      resolveSample({ events, events_data: { messages: pool, calls: [] } });
      expect.unreachable();
    } catch (error) {
      expect(isSalvageError(error) && error.kind).toBe('size-limit');
      expect((error as Error).message).toMatch(/more than \d+ times/);
    }
  });
});

describe('deep and wide values', () => {
  it('thins, resolves attachments in and keys samples nested 9,000 levels deep (3,000 overflowed)', async () => {
    const text = `{"id": 1, "epoch": 1, "input": "attachment://h", "metadata": ${deep(9_000, '"attachment://h"')}, "attachments": {"h": "resolved"}}`;
    const reader = await evalWith({ 'samples/1_epoch_1.json': new TextEncoder().encode(text) });
    const sample = await reader.readSample('1', 1);
    expect(sample.input).toBe('resolved');
    let leaf: JsonValue = sample.metadata!;
    for (let i = 0; i < 9_000; i++) leaf = (leaf as JsonObject).a!;
    expect(leaf).toBe('resolved');
    const summary = summaryFromSample(sample);
    expect(summary.metadata).toBeDefined();
    // An id that is a deep object, with an integer beyond 2^53 in it (BigInt has no JSON form).
    const id = parseInspectJson(deep(9_000, '12345678901234567890'), 'id');
    expect(scalarText(id)).toMatch(/12345678901234567890\}+$/);
    expect(sampleKey(id, 1)).toContain('12345678901234567890');
  });

  it('ids whose valueOf and toString are not functions still make keys', () => {
    const id = parseInspectJson('{"valueOf": 1, "toString": 2}', 'id');
    expect(scalarText(id)).toBe('{"valueOf":1,"toString":2}');
    expect(sampleKey(id, id)).toBe('{"valueOf":1,"toString":2}\u0000{"valueOf":1,"toString":2}');
  });

  it('a chunked sample with 200,000 messages in one chunk reads (push of every item overflowed)', async () => {
    const messages = Array.from({ length: 200_000 }, (_, i) => ({ role: 'user', content: `${i}` }));
    const folder = 'samples/1_epoch_1/';
    const reader = await evalWith({
      [`${folder}sample.json`]: encode({ id: 1, epoch: 1, message_refs: [[0, 200_000]] }),
      [`${folder}messages/0.json`]: encode(messages),
      [`${folder}events/0.json`]: encode([]),
    });
    const sample = await reader.readSample('1', 1);
    expect((sample.messages as JsonValue[]).length).toBe(200_000);
  });
});
