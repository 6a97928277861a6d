import type { ByteSource } from '../bytes/byteSource.ts';
import type { RunReader, SummaryProgress } from '../runReader.ts';
import {
  isJsonObject,
  parseInspectJson,
  type JsonObject,
  type JsonValue,
} from '../json/inspectJson.ts';
import {
  sampleKey,
  scalarText,
  type LogHeader,
  type Sample,
  type SampleRef,
  type SampleSummary,
} from '../../model/log.ts';
import { SalvageError } from '../../util/errors.ts';
import { codexLine, codexMessage, isPreamble } from '../runs/codexRecords.ts';
import {
  emptyTally,
  foldRecord,
  headerStatus,
  jsonlRunFacts,
  rolloutPlan,
  type JsonlRunContext,
  type JsonlRunFacts,
  type TailState,
} from '../runs/jsonlRunFacts.ts';
import { isoOfMillis } from '../../util/instants.ts';
import {
  contentText,
  rolloutSample,
  rolloutSummary,
  sampleIdOf,
} from '../runs/verifiersRecords.ts';
import { JsonScanner } from './jsonScanner.ts';
import { LineIndex } from './lineIndex.ts';
import { LINE_CHUNK_BYTES } from './lineReader.ts';
import { numberFrom } from '../../model/log.ts';

const utf8 = new TextDecoder();
/** Rollouts summarised per streamed batch. */
const BATCH_RECORDS = 500;

/** A record of the log and where it is: a complete line, or the last record missing its newline. */
interface Located {
  readonly record: JsonValue;
  readonly line: number | 'tail';
}

/**
 * A verifiers run or a Codex session seen through the same reader interface as Inspect logs, so
 * the run and sample views show it. A verifiers rollout is a sample's epoch (the rollouts of one
 * example are the epochs of one sample, numbered in file order); a Codex session is one sample
 * whose messages are the conversation. The header carries the run's facts as the runs list reads
 * them (`jsonlRunFacts`), shaped like an Inspect header.
 */
export class JsonlRunReader implements RunReader {
  readonly format: 'verifiers' | 'codex';
  private readonly index: LineIndex;
  private readonly source: ByteSource;
  private readonly context: JsonlRunContext;
  private readonly rows = new Map<string, number | 'tail'>();
  private tailRecord: Promise<{ tail: TailState; record: JsonValue | undefined }> | null = null;
  private tallied: Promise<JsonlRunFacts> | null = null;

  constructor(source: ByteSource, context: JsonlRunContext) {
    this.format = context.kind;
    this.source = source;
    this.index = new LineIndex(source);
    this.context = context;
  }

  /** The run's facts, as the runs list has them (one pass over the records, kept). */
  facts(): Promise<JsonlRunFacts> {
    this.tallied ??= (async () => {
      const tally = emptyTally();
      for await (const { records } of this.batches()) {
        for (const { record } of records) foldRecord(this.format, tally, record);
      }
      const { tail } = await this.tail();
      return jsonlRunFacts(tally, this.context, tail);
    })();
    return this.tallied;
  }

  async readHeader(): Promise<LogHeader> {
    const facts = await this.facts();
    const plan = rolloutPlan(this.context);
    const metadata = this.context.metadata ?? this.context.config ?? (await this.codexMeta()) ?? {};
    const settings = this.context.metadata ?? this.context.config ?? {};
    const completedAt =
      facts.created !== null && facts.duration !== null
        ? isoOfMillis(Date.parse(facts.created) + facts.duration * 1000)
        : null;
    return {
      status: headerStatus(facts.status),
      eval: {
        task: facts.task,
        model: facts.model,
        created: facts.created,
        ...(facts.cwd !== null ? { task_args: { cwd: facts.cwd } } : {}),
        ...(isJsonObject(settings.env_args) ? { task_args: settings.env_args } : {}),
        ...(facts.samples.total !== null && plan.examples !== null
          ? {
              dataset: { samples: plan.examples },
              config: { epochs: plan.rolloutsPerExample ?? 1 },
            }
          : {}),
        ...(isJsonObject(settings.sampling_args ?? settings.sampling)
          ? { model_generate_config: (settings.sampling_args ?? settings.sampling) as JsonObject }
          : {}),
      },
      results: {
        total_samples: facts.samples.total,
        completed_samples: facts.samples.completed,
        scores: facts.scores.map((score) => ({
          name: score.name,
          scorer: score.name,
          metrics: { mean: { name: 'mean', value: score.value } },
        })),
      },
      stats: {
        ...(facts.tokens !== null
          ? { model_usage: { [facts.model ?? 'model']: { total_tokens: facts.tokens } } }
          : {}),
        // The run's own span, so that the run view's duration is the list's.
        ...(completedAt !== null ? { started_at: facts.created, completed_at: completedAt } : {}),
      },
      metadata,
    };
  }

  async readSummaries(): Promise<SampleSummary[]> {
    const summaries: SampleSummary[] = [];
    for await (const progress of this.streamSummaries()) summaries.push(...progress.summaries);
    return summaries;
  }

  async *streamSummaries(): AsyncGenerator<SummaryProgress> {
    if (this.format === 'codex') {
      yield { summaries: [await this.codexSummary()], bytesRead: 1, bytesTotal: 1 };
      return;
    }
    const plan = rolloutPlan(this.context);
    const epochs = new Map<string, number>();
    let ordinal = 0;
    for await (const { records, bytesRead } of this.batches()) {
      const batch: SampleSummary[] = [];
      for (const { record, line } of records) {
        const id = sampleIdOf(record, ordinal++, plan);
        if (!isJsonObject(record)) continue;
        const epoch = (epochs.get(id) ?? 0) + 1;
        epochs.set(id, epoch);
        this.rows.set(sampleKey(id, epoch), line);
        batch.push(rolloutSummary(record, id, epoch));
      }
      yield { summaries: batch, bytesRead, bytesTotal: this.index.size };
    }
  }

  /**
   * The log's records in order, a batch of lines at a time, each batch one read (a per-line read
   * costs more than the parse), then the last record when only its newline is missing. Lines
   * that are not JSON are skipped, as the runs list skips them.
   */
  private async *batches(): AsyncGenerator<{
    readonly records: ReadonlyArray<Located>;
    readonly bytesRead: number;
  }> {
    for (let first = 0; ; first += BATCH_RECORDS) {
      const lines = await this.index.lines(first, BATCH_RECORDS);
      const records: Located[] = [];
      lines.forEach((bytes, offset) => {
        const record = parseRecord(bytes);
        if (record !== undefined) records.push({ record, line: first + offset });
      });
      if (lines.length === BATCH_RECORDS) {
        yield { records, bytesRead: this.index.endOf(first + lines.length) };
        continue;
      }
      const { record } = await this.tail();
      if (record !== undefined) records.push({ record, line: 'tail' });
      yield { records, bytesRead: this.index.size };
      return;
    }
  }

  /** How the log ends, and the last record when it is complete but lacks its newline. */
  private tail(): Promise<{ tail: TailState; record: JsonValue | undefined }> {
    this.tailRecord ??= (async () => {
      await this.index.build();
      const start = this.index.endOf(this.index.count);
      const scanner = new JsonScanner();
      for (let offset = start; offset < this.source.size; offset += LINE_CHUNK_BYTES) {
        scanner.feed(
          await this.source.read(offset, Math.min(LINE_CHUNK_BYTES, this.source.size - offset)),
        );
        if (scanner.verdict() === 'invalid') break;
      }
      const verdict = scanner.verdict();
      if (verdict === 'empty') return { tail: 'healthy', record: undefined };
      if (verdict !== 'complete') return { tail: 'torn', record: undefined };
      const record = parseRecord(await this.source.read(start, this.source.size - start));
      return record === undefined
        ? { tail: 'torn', record: undefined }
        : { tail: 'missing-newline', record };
    })();
    return this.tailRecord;
  }

  async listSamples(): Promise<SampleRef[]> {
    return (await this.readSummaries()).map((summary) => ({
      id: scalarText(summary.id),
      epoch: numberFrom(summary.epoch),
      layout: 'monolith' as const,
    }));
  }

  async readSample(id: string, epoch: number): Promise<Sample> {
    if (this.format === 'codex') return this.codexSample();
    if (this.rows.size === 0) await this.readSummaries();
    const line = this.rows.get(sampleKey(id, epoch));
    if (line === undefined)
      throw new SalvageError('sample-not-found', `Rollout ${id} (${epoch}) is not in this log.`);
    const record =
      line === 'tail' ? (await this.tail()).record : parseRecord(await this.index.line(line));
    if (!isJsonObject(record))
      throw new SalvageError(
        'invalid-json',
        `Line ${line === 'tail' ? this.index.count + 1 : line + 1} is not a JSON object.`,
      );
    return rolloutSample(record, id, epoch);
  }

  readReductions(): Promise<JsonValue[] | null> {
    return Promise.resolve(null);
  }

  /** A Codex session's `session_meta` payload (or legacy header), for the header's metadata. */
  private async codexMeta(): Promise<JsonObject | null> {
    if (this.format !== 'codex') return null;
    for await (const { records } of this.batches()) {
      for (const [ordinal, { record }] of records.entries()) {
        const line = codexLine(record, ordinal);
        if (line.kind === 'meta') return line.meta;
      }
      return null;
    }
    return null;
  }

  private async codexSummary(): Promise<SampleSummary> {
    const sample = await this.codexSample();
    return {
      id: 'session',
      epoch: 1,
      input: sample.input ?? '',
      target: '',
      metadata: {},
      completed: true,
      message_count: (sample.messages as JsonValue[]).length,
    };
  }

  /** The session as one sample: user and assistant messages, tool calls and their outputs in order. */
  private async codexSample(): Promise<Sample> {
    const messages: JsonObject[] = [];
    let ordinal = 0;
    for await (const { records } of this.batches()) {
      for (const { record } of records) {
        const line = codexLine(record, ordinal++);
        const message = line.kind === 'item' ? codexMessage(line.item) : null;
        if (message) messages.push(message);
      }
    }
    const users = messages
      .filter((message) => message.role === 'user')
      .map((m) => contentText(m.content));
    const input = users.find((text) => !isPreamble(text)) ?? users.at(-1) ?? '';
    return { id: 'session', epoch: 1, input, target: '', messages, metadata: {}, events: [] };
  }
}

/** A line as a record, or undefined when it is not JSON (malformed lines are skipped, not fatal). */
function parseRecord(bytes: Uint8Array): JsonValue | undefined {
  const text = utf8.decode(bytes).trim();
  if (text === '' || !couldBeJson(text)) return undefined;
  try {
    return parseInspectJson(text, 'record');
  } catch {
    return undefined;
  }
}

/**
 * False for text that cannot be one JSON value, judged by its first and last characters: a torn
 * line (an object cut short) or a line of an indented value. Such lines are skipped without a
 * parse, whose thrown error costs 20-40 µs (22,870 lines of an indented array cost a reader 0.3 s
 * a pass; found by the fuzz harness, jsonl/harden2-3840). Never false for valid JSON.
 */
export function couldBeJson(text: string): boolean {
  const first = text[0]!;
  const last = text.at(-1)!;
  if (first === '{') return last === '}';
  if (first === '[') return last === ']';
  if (first === '"') return last === '"' && text.length > 1;
  // A number ends with a digit; true, false, null, NaN, Infinity with a letter.
  return /[-0-9tfnNI]/.test(first) && /[0-9a-zA-Z]/.test(last);
}
