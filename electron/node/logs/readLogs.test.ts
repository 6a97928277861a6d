import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import { JsonLogReader } from '../../../shared/formats/inspect-json/jsonLogReader.ts';
import {
  isJsonObject,
  parseInspectJson,
  stringifyInspectJson,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import { dedupeSummaries } from '../../../shared/formats/inspect-eval/summaries.ts';
import type { RunReader } from '../../../shared/formats/runReader.ts';
import { sampleKey, scalarText, type Sample } from '../../../shared/model/log.ts';
import { resolveSample } from '../../../shared/formats/inspect-eval/sampleResolve.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { MemoryZipSink, ZipWriter } from '../zip/zipWriter.ts';
import { nodeZlibCodecs } from '../codecs/nodeZlibCodecs.ts';
import { fixture, fixtureFiles, REAL, TS_MONO } from '../../../test/support/fixtures.ts';
import { withLog } from './openLog.ts';

const codecs = nodeZlibCodecs();
const LOGS = fixtureFiles('.eval', '.json');
const POPULARITY = `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`;
const AIS_DECODER = `${TS_MONO}/original/ais-decoder.eval`;

function openEval(path: string): Promise<EvalLogReader> {
  return EvalLogReader.open(new MemoryByteSource(readFileSync(fixture(path))), codecs);
}

async function readAllSamples(reader: RunReader): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const ref of await reader.listSamples())
    samples.push(await reader.readSample(ref.id, ref.epoch));
  return samples;
}

/** Every string in a value, for checking that nothing condensed is left. */
function strings(value: JsonValue | undefined, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value as JsonValue[]) strings(item, out);
  else if (isJsonObject(value)) for (const item of Object.values(value)) strings(item, out);
  return out;
}

function modelEvents(sample: Sample): Array<Record<string, JsonValue>> {
  const events = Array.isArray(sample.events) ? (sample.events as JsonValue[]) : [];
  return events.filter(
    (event): event is Record<string, JsonValue> => isJsonObject(event) && event.event === 'model',
  );
}

describe.each(LOGS)('%s', (path) => {
  it('reads header, unique summaries and every stored sample fully resolved', async () => {
    await withLog(fixture(path), async (reader) => {
      const header = await reader.readHeader();
      expect(['started', 'success', 'cancelled', 'error']).toContain(header.status);
      expect(isJsonObject(header.eval) && typeof header.eval.task).toBe('string');
      expect(header).not.toHaveProperty('samples');

      const summaries = await reader.readSummaries();
      const keys = summaries.map((summary) => sampleKey(summary.id, summary.epoch));
      expect(new Set(keys).size).toBe(keys.length);

      const refs = await reader.listSamples();
      if (header.status !== 'started' && reader.format === 'inspect-eval') {
        expect(refs.map((ref) => sampleKey(ref.id, ref.epoch)).sort()).toEqual([...keys].sort());
      }
      for (const sample of await readAllSamples(reader)) {
        expect(sample).not.toHaveProperty('events_data');
        expect(sample).not.toHaveProperty('message_pool');
        for (const event of modelEvents(sample)) {
          expect(event).not.toHaveProperty('input_refs');
          expect(Array.isArray(event.input)).toBe(true);
        }
        const attachments = isJsonObject(sample.attachments) ? sample.attachments : {};
        const unresolved = strings({ ...sample, attachments: null }).filter(
          (text) => text.startsWith('attachment://') && text.slice(13) in attachments,
        );
        expect(unresolved).toEqual([]);
      }
    });
  });
});

describe('finished deflate log (popularity)', () => {
  it('has ten summaries with their scores and reductions', async () => {
    const reader = await openEval(POPULARITY);
    expect(reader.isStarted).toBe(false);
    const summaries = await reader.readSummaries();
    expect(summaries.map((summary) => summary.id)).toEqual([9, 6, 10, 5, 8, 4, 7, 3, 1, 2]);
    const incorrect = summaries.filter(
      (summary) =>
        isJsonObject(summary.scores) &&
        isJsonObject(summary.scores.match) &&
        summary.scores.match.value === 'I',
    );
    expect(incorrect.map((summary) => summary.id)).toEqual([7, 3]);
    expect(await reader.readReductions()).toHaveLength(1);
  });

  it('reads one sample with its messages and scores', async () => {
    const sample = await (await openEval(POPULARITY)).readSample('3', 1);
    expect(sample.id).toBe(3);
    const messages = sample.messages as Array<Record<string, JsonValue>>;
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
    expect(messages[2]!.content).toBe('No');
    expect(messages[1]!.content).toContain('If I can acquire a large number of fans and followers');
    expect(sample.scores).toMatchObject({ match: { value: 'I' } });
  });

  it('says which sample is missing', async () => {
    const error = await (
      await openEval(POPULARITY)
    )
      .readSample('42', 1)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SalvageError);
    expect((error as SalvageError).kind).toBe('sample-not-found');
    expect((error as SalvageError).message).toContain('id 42 epoch 1');
  });
});

describe('zstd log with message and call pools (ais-decoder)', () => {
  it('expands input_refs and call_refs and resolves attachments', async () => {
    const reader = await openEval(AIS_DECODER);
    const [ref] = await reader.listSamples();
    const sample = await reader.readSample(ref!.id, ref!.epoch);
    const models = modelEvents(sample);
    expect(models).toHaveLength(10);
    // The agent's calls see the conversation grow; the last call (the scorer's) starts afresh.
    expect(models.map((event) => (event.input as JsonValue[]).length)).toEqual([
      4, 8, 12, 14, 16, 19, 21, 23, 25, 1,
    ]);
    const withCalls = models.filter((event) => isJsonObject(event.call));
    expect(withCalls.length).toBeGreaterThan(0);
    for (const event of withCalls) {
      const call = event.call as Record<string, JsonValue>;
      expect(call).not.toHaveProperty('call_refs');
      expect(isJsonObject(call.request)).toBe(true);
    }
    const attachmentRefs = strings(sample.messages).filter((text) =>
      text.startsWith('attachment://'),
    );
    expect(attachmentRefs).toEqual([]);
  });
});

describe('legacy log version 3 with a top-level message_pool', () => {
  it('expands model inputs from the legacy pool', async () => {
    const reader = await openEval(`${REAL}/log/test_eval_log/log_message_deduplication.eval`);
    expect((await reader.readHeader()).version).toBe(3);
    const sample = await reader.readSample('0', 1);
    expect(modelEvents(sample).map((event) => (event.input as JsonValue[]).length)).toEqual([
      1, 3, 5, 7, 9, 11,
    ]);
  });
});

describe('started (crashed or running) logs', () => {
  it('synthesises the header from the journal and reads journal summaries', async () => {
    const reader = await openEval('synthetic/truncated/popularity_deflate_started.eval');
    expect(reader.isStarted).toBe(true);
    const header = await reader.readHeader();
    expect(header.status).toBe('started');
    expect(header).toMatchObject({ version: 2, eval: { task: 'popularity' } });
    expect(header).not.toHaveProperty('results');
    expect(await reader.readSummaries()).toHaveLength(10);
    expect(await reader.listSamples()).toHaveLength(10);
  });

  it('has no samples when the crash came before the first flush', async () => {
    const reader = await openEval('synthetic/truncated/popularity_deflate_start_only.eval');
    expect(await reader.readSummaries()).toEqual([]);
    expect(await reader.listSamples()).toEqual([]);
    const error = await reader.readSample('1', 1).catch((caught: unknown) => caught);
    expect((error as SalvageError).message).toContain('has not flushed it yet');
  });

  it('concatenates journal summaries of several flushes in numeric order', async () => {
    const reader = await openEval(
      'synthetic/crash-with-buffer/logs/2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval',
    );
    expect((await reader.readSummaries()).map((summary) => summary.id)).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
  });
});

describe('multi-frame zstd', () => {
  it('reads the same sample as the single-frame original', async () => {
    const multi = await (
      await openEval('synthetic/multiframe/ais-decoder_zstd_multiframe_64KiB.eval')
    ).readSample('1', 1);
    const single = await (await openEval(AIS_DECODER)).readSample('1', 1);
    expect(multi).toEqual(single);
  });
});

describe('.json logs', () => {
  it.each(fixtureFiles('.json'))(
    '%s: header and samples match a whole-file parse',
    async (path) => {
      const bytes = readFileSync(fixture(path));
      const whole = parseInspectJson(bytes.toString('utf8'), path) as Record<string, JsonValue>;
      const reader = await JsonLogReader.open(new MemoryByteSource(bytes));
      const { samples, reductions, ...expectedHeader } = whole;
      expect(await reader.readHeader()).toEqual(expectedHeader);
      expect(await reader.readReductions()).toEqual(reductions ?? null);
      const expectedSamples = (samples ?? []) as Array<Record<string, JsonValue>>;
      expect(await reader.readSummaries()).toHaveLength(expectedSamples.length);
      for (const expected of expectedSamples) {
        const sample = await reader.readSample(scalarText(expected.id), Number(expected.epoch));
        expect(sample.messages).toEqual(resolveSample(structuredClone(expected)).messages);
        expect(sample.scores).toEqual(expected.scores);
      }
    },
  );

  it.each(fixtureFiles('.json'))(
    '%s: parsed whole (small) or scanned (large), it reads the same',
    async (path) => {
      const bytes = readFileSync(fixture(path));
      const small = await JsonLogReader.open(new MemoryByteSource(bytes));
      const header = await small.readHeader();
      const summaries = await small.readSummaries();
      // Asked again, the header comes from the byte scan, and is not the one handed out before.
      (header as Record<string, JsonValue>).status = 'changed by the caller';
      const scanned = await small.readHeader();
      expect(scanned.status).not.toBe('changed by the caller');
      expect({ ...header, status: scanned.status }).toEqual(scanned);
      const streamed = [];
      for await (const part of small.streamSummaries()) streamed.push(...part.summaries);
      expect(dedupeSummaries(streamed)).toEqual(summaries);

      // The same log grown past the whole-parse size by a long string in its header.
      const whole = parseInspectJson(bytes.toString('utf8'), path) as Record<string, JsonValue>;
      const padded = stringifyInspectJson({ padding: 'x'.repeat(1_100_000), ...whole });
      const large = await JsonLogReader.open(new MemoryByteSource(Buffer.from(padded)));
      expect(await large.readHeader()).toEqual({ padding: 'x'.repeat(1_100_000), ...scanned });
      expect(await large.readSummaries()).toEqual(summaries);
    },
  );

  it('summarises samples like Inspect (errors as messages, completed)', async () => {
    const reader = await JsonLogReader.open(
      new MemoryByteSource(
        readFileSync(
          fixture(`${REAL}/analysis/test_logs/2025-05-12T20-28-13-04-00_popularity.json`),
        ),
      ),
    );
    const summaries = await reader.readSummaries();
    expect(summaries).toHaveLength(3);
    for (const summary of summaries) {
      expect(summary.completed).toBe(true);
      expect(typeof summary.message_count).toBe('number');
    }
  });
});

describe('JSON as Inspect writes it', () => {
  it('reads NaN and Infinity metrics and sample ids beyond 2^53 from a .eval', async () => {
    const sink = new MemoryZipSink();
    const writer = new ZipWriter(sink);
    const bigId = '12345678901234567890';
    const start =
      '{"version": 2, "eval": {"task": "t", "model": "m", "created": "2026-01-01T00:00:00+00:00", "dataset": {"samples": 1}, "config": {}}, "plan": {}}';
    const sample = `{"id": ${bigId}, "epoch": 1, "input": "hi", "target": "x", "messages": [], "scores": {"s": {"value": NaN}}, "metadata": {}, "events": [], "attachments": {}}`;
    const summaries = `[{"id": ${bigId}, "epoch": 1, "input": "hi", "target": "x", "scores": {"s": {"value": NaN}}, "metadata": {}}]`;
    const header =
      '{"version": 2, "status": "success", "eval": {"task": "t", "model": "m"}, "plan": {}, "results": {"total_samples": 1, "completed_samples": 1, "scores": [{"name": "s", "scorer": "s", "metrics": {"mean": {"name": "mean", "value": NaN}, "stderr": {"name": "stderr", "value": Infinity}, "low": {"name": "low", "value": -Infinity}}}]}, "stats": {}}';
    for (const [name, text] of [
      ['_journal/start.json', start],
      [`samples/${bigId}_epoch_1.json`, sample],
      ['summaries.json', summaries],
      ['header.json', header],
    ] as const) {
      await writer.add(name, new TextEncoder().encode(text));
    }
    await writer.finish();
    const reader = await EvalLogReader.open(new MemoryByteSource(sink.bytes()), codecs);
    const metrics = (
      (await reader.readHeader()).results as {
        scores: Array<{ metrics: Record<string, { value: number }> }>;
      }
    ).scores[0]!.metrics;
    expect(metrics.mean!.value).toBeNaN();
    expect(metrics.stderr!.value).toBe(Infinity);
    expect(metrics.low!.value).toBe(-Infinity);
    const [summary] = await reader.readSummaries();
    expect(summary!.id).toBe(BigInt(bigId));
    const refs = await reader.listSamples();
    expect(refs).toEqual([{ id: bigId, epoch: 1, layout: 'monolith' }]);
    const read = await reader.readSample(bigId, 1);
    expect(read.id).toBe(BigInt(bigId));
    expect((read.scores as { s: { value: number } }).s.value).toBeNaN();
  });
});

describe('chunked sample layout', () => {
  const names = [
    '2024-11-05T13-32-37-05-00_input-task_hxs4q9azL3ySGkjJirypKZ.eval',
    '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval',
    'log_read_sample.eval',
    'log_streaming.eval',
  ];

  /**
   * What a reader must reproduce. The converter re-serialised through pydantic, so timestamps come
   * back in UTC and defaults appear (`history: []`, `completion`, `working_start`): not content.
   */
  function content(sample: Sample): Record<string, unknown> {
    const events = (sample.events as Array<Record<string, JsonValue>>).map((event) => ({
      event: event.event ?? null,
      uuid: event.uuid ?? null,
      input: event.input ?? null,
      tool: event.function ?? null,
      result: event.result ?? null,
      score: isJsonObject(event.score) ? event.score.value : null,
    }));
    const scores = Object.fromEntries(
      Object.entries((sample.scores ?? {}) as Record<string, Record<string, JsonValue>>).map(
        ([name, score]) => [name, [score.value, score.answer ?? null, score.explanation ?? null]],
      ),
    );
    return { ...sample, events, scores, attachments: null, output: null, role_usage: null };
  }

  async function pair(name: string): Promise<[EvalLogReader, EvalLogReader]> {
    return [
      await openEval(`${TS_MONO}/chunked/${name}`),
      await openEval(`${TS_MONO}/original/${name}`),
    ];
  }

  it('reassembles the ais-decoder sample (pools, calls, attachments) exactly as the original', async () => {
    const [chunked, original] = await pair('ais-decoder.eval');
    const [ref] = await chunked.listSamples();
    expect(ref!.layout).toBe('chunked');
    const { attachments: _fromChunks, ...fromChunks } = await chunked.readSample(
      ref!.id,
      ref!.epoch,
    );
    const { attachments: _fromOriginal, ...fromOriginal } = await original.readSample(
      ref!.id,
      ref!.epoch,
    );
    expect(fromChunks).toEqual(fromOriginal);
  });

  it.each(names)('%s: every sample has the content of its monolithic original', async (name) => {
    const [chunked, original] = await pair(name);
    const refs = await chunked.listSamples();
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.every((ref) => ref.layout === 'chunked')).toBe(true);
    expect(refs.map((ref) => sampleKey(ref.id, ref.epoch)).sort()).toEqual(
      (await original.listSamples()).map((ref) => sampleKey(ref.id, ref.epoch)).sort(),
    );
    for (const ref of refs) {
      const fromChunks = await chunked.readSample(ref.id, ref.epoch);
      const fromOriginal = await original.readSample(ref.id, ref.epoch);
      expect(content(fromChunks)).toMatchObject(content(fromOriginal));
      expect((fromChunks.output as Record<string, JsonValue>).choices).toEqual(
        (fromOriginal.output as Record<string, JsonValue>).choices,
      );
    }
  });
});
