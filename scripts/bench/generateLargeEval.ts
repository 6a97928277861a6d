// Writes the benchmark's large .eval: 10,000 ordinary samples plus one huge sample entry written as
// 200 MiB zstd frames, like Inspect writes it. Text is drawn from a word pool at random offsets so
// it compresses about as well as chat transcripts (≈3x), not as well as repeated filler.
import { open } from 'node:fs/promises';
import { FileZipSink } from '../../electron/node/zip/fileZipSink.ts';
import { ZipWriter } from '../../electron/node/zip/zipWriter.ts';

const WORDS =
  'the model answered question because tool output result error retry agent user assistant system score sample epoch token context window reasoning step plan file code test pass fail value metric mean stderr accuracy dataset input target choice message content role call function arguments bash python search read write list directory network request response latency budget limit'.split(
    ' ',
  );

/** A pool of word-salad text; samples take slices of it at random offsets. */
function makePool(bytes: number, random: () => number): Buffer {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    const token = random() < 0.15 ? `${word}${Math.floor(random() * 1e6)}` : word;
    parts.push(token);
    size += token.length + 1;
  }
  return Buffer.from(parts.join(' '), 'latin1');
}

/** Deterministic PRNG (mulberry32) so every run benchmarks the same bytes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LargeEvalPlan {
  readonly samples: number;
  readonly sampleBytes: number;
  readonly hugeSampleBytes: number;
}

export const HUGE_SAMPLE_ENTRY = 'samples/huge_epoch_1.json';

export async function generateLargeEval(path: string, plan: LargeEvalPlan): Promise<void> {
  const random = seeded(42);
  const pool = makePool(64 * 1024 * 1024, random);
  const slice = (length: number): string => {
    const start = Math.floor(random() * (pool.length - length));
    return pool.toString('latin1', start, start + length);
  };
  const handle = await open(path, 'w');
  const sink = new FileZipSink(handle);
  const writer = new ZipWriter(sink);
  const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
  const spec = {
    eval_id: 'bench',
    run_id: 'bench',
    created: '2026-11-24T00:00:00+00:00',
    task: 'bench',
    task_id: 'bench',
    task_version: 0,
    dataset: { name: 'bench', samples: plan.samples + 1 },
    model: 'bench/model',
    config: {},
  };
  await writer.add('_journal/start.json', json({ version: 2, eval: spec, plan: {} }));
  const summaries: unknown[] = [];
  for (let id = 1; id <= plan.samples; id++) {
    const turns = Array.from({ length: 8 }, (_, turn) => ({
      role: turn % 2 ? 'assistant' : 'user',
      content: slice(Math.floor(plan.sampleBytes / 8)),
    }));
    const score = { value: random() < 0.7 ? 'C' : 'I', explanation: slice(120) };
    await writer.add(
      `samples/${id}_epoch_1.json`,
      json({
        id,
        epoch: 1,
        input: turns[0]!.content,
        target: 'C',
        messages: turns,
        scores: { match: score },
        metadata: {},
        events: [],
        attachments: {},
      }),
    );
    summaries.push({
      id,
      epoch: 1,
      input: slice(200),
      target: 'C',
      scores: { match: score },
      metadata: {},
      completed: true,
    });
  }
  // The huge sample, streamed in pieces so the generator itself stays small.
  function* hugeSample(): Generator<Uint8Array> {
    yield Buffer.from('{"id": "huge", "epoch": 1, "input": "", "target": "", "messages": [');
    const message = 1024 * 1024;
    for (let written = 0; written < plan.hugeSampleBytes; written += message) {
      yield Buffer.from(
        `${written ? ',' : ''}{"role": "tool", "content": ${JSON.stringify(slice(message - 40))}}`,
      );
    }
    yield Buffer.from('], "metadata": {}, "events": [], "attachments": {}}');
  }
  await writer.add(HUGE_SAMPLE_ENTRY, toAsync(hugeSample()));
  summaries.push({ id: 'huge', epoch: 1, input: '', target: '', metadata: {}, completed: true });
  await writer.add('_journal/summaries/1.json', json(summaries));
  await writer.add('summaries.json', json(summaries));
  await writer.add(
    'header.json',
    json({
      version: 2,
      status: 'success',
      eval: spec,
      plan: {},
      results: { total_samples: plan.samples + 1, completed_samples: plan.samples + 1, scores: [] },
      stats: {},
    }),
  );
  await writer.finish();
  await sink.flush();
  await handle.close();
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}
