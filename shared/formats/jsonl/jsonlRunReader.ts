import type { ByteSource } from '../bytes/byteSource.ts';
import type { InspectLogReader, SummaryProgress } from '../inspectLog.ts';
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
import { LineIndex } from './lineIndex.ts';

const utf8 = new TextDecoder();
/** Rollouts summarised per streamed batch. */
const BATCH_RECORDS = 500;

/**
 * A verifiers or Codex JSONL run seen through the same reader interface as Inspect logs, so the
 * run and sample views show it: a verifiers rollout is a sample (id = example_id, epoch = its
 * rollout number); a Codex session is one sample whose messages are the conversation.
 */
export class JsonlRunReader implements InspectLogReader {
  readonly format: 'verifiers' | 'codex';
  private readonly index: LineIndex;
  private readonly metadata: JsonObject | null;
  private readonly fallback: { readonly task: string | null; readonly model: string | null };
  private readonly rows = new Map<string, number>();

  /** `fallback`: task and model from the run folder's name, for a run whose metadata.json was never written. */
  constructor(
    source: ByteSource,
    format: 'verifiers' | 'codex',
    metadata: JsonObject | null,
    fallback: { readonly task: string | null; readonly model: string | null } = {
      task: null,
      model: null,
    },
  ) {
    this.format = format;
    this.index = new LineIndex(source);
    this.metadata = metadata;
    this.fallback = fallback;
  }

  async readHeader(): Promise<LogHeader> {
    if (this.format === 'verifiers') {
      const metadata = this.metadata ?? {};
      return {
        status: this.metadata ? 'success' : 'started',
        eval: {
          task: metadata.env_id ?? metadata.env ?? this.fallback.task,
          model: metadata.model ?? this.fallback.model,
        },
        metadata,
      };
    }
    const meta = await this.firstOfType('session_meta');
    const context = await this.firstOfType('turn_context');
    return {
      status: 'success',
      eval: { task: meta?.cwd ?? null, model: context?.model ?? null },
      metadata: meta ?? {},
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
    const rollouts = new Map<string, number>();
    for await (const { first, records, done } of this.batches()) {
      const batch: SampleSummary[] = [];
      records.forEach((record, offset) => {
        const line = first + offset;
        if (!isJsonObject(record)) return;
        const id = record.example_id === undefined ? String(line) : scalarText(record.example_id);
        const epoch = (rollouts.get(id) ?? 0) + 1;
        rollouts.set(id, epoch);
        this.rows.set(sampleKey(id, epoch), line);
        batch.push({
          id,
          epoch,
          input: lastContent(record.prompt),
          target: record.answer ?? '',
          scores: typeof record.reward === 'number' ? { reward: { value: record.reward } } : {},
          metadata: isJsonObject(record.info) ? record.info : {},
          completed: true,
        });
      });
      const bytesRead = done ? this.index.size : this.index.endOf(first + records.length);
      yield { summaries: batch, bytesRead, bytesTotal: this.index.size };
    }
  }

  /**
   * The log's records in order, a batch of lines at a time, each batch one read (a per-line read
   * costs more than the parse); a line that is not JSON is `undefined`.
   */
  private async *batches(): AsyncGenerator<{
    readonly first: number;
    readonly records: ReadonlyArray<JsonValue | undefined>;
    readonly done: boolean;
  }> {
    for (let first = 0; ; first += BATCH_RECORDS) {
      const lines = await this.index.lines(first, BATCH_RECORDS);
      const done = lines.length < BATCH_RECORDS;
      yield {
        first,
        records: lines.map((bytes, offset) => parseRecord(bytes, first + offset)),
        done,
      };
      if (done) return;
    }
  }

  async listSamples(): Promise<SampleRef[]> {
    return (await this.readSummaries()).map((summary) => ({
      id: scalarText(summary.id),
      epoch: Number(summary.epoch),
      layout: 'monolith' as const,
    }));
  }

  async readSample(id: string, epoch: number): Promise<Sample> {
    if (this.format === 'codex') return this.codexSample();
    if (this.rows.size === 0) await this.readSummaries();
    const line = this.rows.get(sampleKey(id, epoch));
    if (line === undefined)
      throw new SalvageError('sample-not-found', `Rollout ${id} (${epoch}) is not in this log.`);
    const record = await this.record(line);
    if (!isJsonObject(record))
      throw new SalvageError('invalid-json', `Line ${line + 1} is not a JSON object.`);
    const messages = [...asMessages(record.prompt), ...asMessages(record.completion)];
    return {
      id,
      epoch,
      input: lastContent(record.prompt),
      target: record.answer ?? '',
      messages,
      scores:
        typeof record.reward === 'number' ? { reward: { value: record.reward, history: [] } } : {},
      metadata: {
        ...(isJsonObject(record.info) ? record.info : {}),
        ...(isJsonObject(record.metrics) ? { metrics: record.metrics } : {}),
      },
      events: [],
      raw: record,
    };
  }

  readReductions(): Promise<JsonValue[] | null> {
    return Promise.resolve(null);
  }

  private async record(line: number): Promise<JsonValue | undefined> {
    return parseRecord(await this.index.line(line), line);
  }

  private async firstOfType(type: string): Promise<JsonObject | undefined> {
    const lines = await this.index.lines(0, 50);
    for (const [line, bytes] of lines.entries()) {
      const record = parseRecord(bytes, line);
      if (isJsonObject(record) && record.type === type && isJsonObject(record.payload))
        return record.payload;
    }
    return undefined;
  }

  private async codexSummary(): Promise<SampleSummary> {
    const sample = await this.codexSample();
    return {
      id: 'session',
      epoch: 1,
      input: lastContent(sample.messages),
      target: '',
      metadata: {},
      completed: true,
      message_count: (sample.messages as JsonValue[]).length,
    };
  }

  /** The session as one sample: user and assistant messages, tool calls and their outputs in order. */
  private async codexSample(): Promise<Sample> {
    const messages: JsonValue[] = [];
    for await (const { records } of this.batches()) {
      for (const record of records) {
        const message = codexMessage(record);
        if (message) messages.push(message);
      }
    }
    return { id: 'session', epoch: 1, input: '', target: '', messages, metadata: {}, events: [] };
  }
}

/** A Codex rollout line as a message: a message, a tool call, or a tool's output; else null. */
function codexMessage(record: JsonValue | undefined): JsonValue | null {
  if (!isJsonObject(record) || record.type !== 'response_item' || !isJsonObject(record.payload))
    return null;
  const item = record.payload;
  if (item.type === 'message')
    return { role: item.role ?? 'assistant', content: partsText(item.content) };
  if (item.type === 'function_call')
    return {
      role: 'assistant',
      content: `${scalarText(item.name)}(${typeof item.arguments === 'string' ? item.arguments : scalarText(item.arguments ?? '')})`,
    };
  if (item.type === 'function_call_output')
    return {
      role: 'tool',
      content: typeof item.output === 'string' ? item.output : scalarText(item.output ?? ''),
    };
  return null;
}

function asMessages(value: JsonValue | undefined): JsonValue[] {
  if (Array.isArray(value)) return value as JsonValue[];
  return typeof value === 'string' ? [{ role: 'assistant', content: value }] : [];
}

function lastContent(value: JsonValue | undefined): string {
  const messages = asMessages(value);
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (isJsonObject(message) && message.role === 'user') return partsText(message.content);
  }
  return typeof value === 'string' ? value : '';
}

function partsText(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as JsonValue[])
    .map((part) => (isJsonObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

/** A line as a record, or undefined when it is not JSON (malformed lines are skipped, not fatal). */
function parseRecord(bytes: Uint8Array, line: number): JsonValue | undefined {
  try {
    return parseInspectJson(utf8.decode(bytes), `Line ${line + 1}`);
  } catch {
    return undefined;
  }
}
