import type { ByteSource } from '../bytes/byteSource.ts';
import type { RunReader, SummaryProgress } from '../runReader.ts';
import {
  scanObjectLayout,
  type MemberSpan,
  type ObjectLayout,
  type ValueSpan,
} from '../json/jsonStructure.ts';
import {
  asJsonArray,
  asJsonObject,
  isJsonObject,
  parseInspectJsonBytes,
  type JsonValue,
  type ParseOptions,
} from '../json/inspectJson.ts';
import { resolveSample } from '../inspect-eval/sampleResolve.ts';
import { dedupeSummaries, summaryFromSample } from '../inspect-eval/summaries.ts';
import { isSalvageError, SalvageError } from '../../util/errors.ts';
import { MAX_JSON_VALUE_BYTES } from '../../util/limits.ts';
import {
  numberFrom,
  sampleKey,
  scalarText,
  type LogHeader,
  type Sample,
  type SampleRef,
  type SampleSummary,
} from '../../model/log.ts';
import { setOwn } from '../../util/records.ts';

const SAMPLES = 'samples';
/** Samples parsed per streamed batch: a row appears within a few parses, without an event per sample. */
const STREAM_BATCH_SAMPLES = 50;
const REDUCTIONS = 'reductions';
/**
 * Logs up to this size are parsed whole at open: one JSON.parse costs less than a byte scan and a
 * parse per sample, and the runs list wants every sample's summary anyway. Memory: a few times this.
 */
const WHOLE_PARSE_BYTES = 1024 * 1024;

/** A small log parsed whole at open: its header and its samples, each handed out once. */
interface ParsedWhole {
  header: Record<string, JsonValue> | null;
  samples: ReadonlyArray<JsonValue> | null;
}

/**
 * Reads an Inspect `.json` log (one JSON object) without materialising all samples.
 *
 * One byte scan finds the top-level members and each sample's byte range; the header is parsed
 * from the members other than samples, and samples are parsed one at a time on demand. A small
 * log is parsed whole at open instead, and its header and summaries come from that parse; what is
 * asked after them (a sample, a second header) goes through the scan. Every value handed out is
 * the caller's own (freshly parsed, never given twice): callers may change it.
 */
export class JsonLogReader implements RunReader {
  readonly format = 'inspect-json' as const;
  readonly source: ByteSource;
  private scan: Promise<ObjectLayout> | null;
  private whole: ParsedWhole | null;
  private summaries: SampleSummary[] | undefined;
  /** (id, epoch) → index of the sample's span; the last duplicate wins. */
  private readonly sampleIndex = new Map<string, number>();
  private readonly parseOptions: ParseOptions;

  private constructor(
    source: ByteSource,
    scan: ObjectLayout | null,
    whole: ParsedWhole | null,
    parseOptions: ParseOptions,
  ) {
    this.source = source;
    this.scan = scan && Promise.resolve(scan);
    this.whole = whole;
    this.parseOptions = parseOptions;
  }

  /** `parseOptions.lossless` keeps numbers' text, for callers that write the JSON back. */
  static async open(source: ByteSource, parseOptions: ParseOptions = {}): Promise<JsonLogReader> {
    const whole = await parseWhole(source, parseOptions);
    if (whole) return new JsonLogReader(source, null, whole, parseOptions);
    // Large, or not a readable log: the scan reads it (and says what is wrong with it).
    const layout = await scanObjectLayout(source, new Set([SAMPLES]));
    const keys = new Set(layout.members.map((member) => member.key));
    if (!keys.has('eval') || !keys.has('status')) throw notAnInspectLog();
    return new JsonLogReader(source, layout, null, parseOptions);
  }

  /** Every top-level field except samples and reductions, in file order (Inspect's `header_only` read). */
  async readHeader(): Promise<LogHeader> {
    const parsed = this.whole?.header;
    if (parsed) {
      this.take('header');
      return parsed;
    }
    const header: Record<string, JsonValue> = {};
    for (const member of (await this.layout()).members) {
      if (member.key === SAMPLES || member.key === REDUCTIONS) continue;
      setOwn(header, member.key, await this.parseSpan(member, `Field "${member.key}"`));
    }
    return header;
  }

  /** Summaries built from each sample, parsing one sample at a time. */
  async readSummaries(): Promise<SampleSummary[]> {
    if (!this.summaries) {
      const samples = this.whole?.samples;
      if (samples) this.take('samples');
      const count = samples?.length ?? (await this.layout()).samples.length;
      const rows: SampleSummary[] = [];
      for (let index = 0; index < count; index++) {
        const summary = summaryFromSample(
          samples ? asSample(samples[index], index) : await this.parseSample(index),
        );
        this.sampleIndex.set(sampleKey(summary.id, summary.epoch), index);
        rows.push(summary);
      }
      this.summaries = dedupeSummaries(rows);
    }
    return this.summaries;
  }

  /** Summaries built one sample at a time, in batches, with progress in bytes of the file. */
  async *streamSummaries(): AsyncGenerator<SummaryProgress> {
    const spans = (await this.layout()).samples;
    let batch: SampleSummary[] = [];
    for (let index = 0; index < spans.length; index++) {
      const summary = summaryFromSample(await this.parseSample(index));
      this.sampleIndex.set(sampleKey(summary.id, summary.epoch), index);
      batch.push(summary);
      if (batch.length === STREAM_BATCH_SAMPLES || index === spans.length - 1) {
        yield {
          summaries: batch,
          bytesRead: spans[index]!.end,
          bytesTotal: this.source.size,
        };
        batch = [];
      }
    }
    if (spans.length === 0)
      yield { summaries: [], bytesRead: this.source.size, bytesTotal: this.source.size };
  }

  async readReductions(): Promise<JsonValue[] | null> {
    const member = (await this.layout()).members.find((candidate) => candidate.key === REDUCTIONS);
    if (!member) return null;
    return [...asJsonArray(await this.parseSpan(member, 'Field "reductions"'), 'reductions')];
  }

  async listSamples(): Promise<SampleRef[]> {
    const summaries = await this.readSummaries();
    return summaries.map((summary) => ({
      id: scalarText(summary.id),
      epoch: numberFrom(summary.epoch),
      layout: 'monolith' as const,
    }));
  }

  async readSample(id: string, epoch: number): Promise<Sample> {
    await this.readSummaries();
    const index = this.sampleIndex.get(sampleKey(id, epoch));
    if (index !== undefined) return resolveSample(await this.parseSample(index));
    throw new SalvageError(
      'sample-not-found',
      `Sample id ${id} epoch ${epoch} is not in this log.`,
    );
  }

  /** The byte scan: on open for a large log, on first need for one parsed whole. */
  private layout(): Promise<{
    members: ReadonlyArray<MemberSpan>;
    samples: ReadonlyArray<ValueSpan>;
  }> {
    this.scan ??= scanObjectLayout(this.source, new Set([SAMPLES]));
    return this.scan.then((layout) => ({
      members: layout.members,
      samples: layout.elements.get(SAMPLES) ?? [],
    }));
  }

  /** Hand out a part of the whole parse; once both are out, it is dropped. */
  private take(part: keyof ParsedWhole): void {
    if (!this.whole) return;
    this.whole[part] = null;
    if (!this.whole.header && !this.whole.samples) this.whole = null;
  }

  private async parseSample(index: number): Promise<Sample> {
    const span = (await this.layout()).samples[index]!;
    return asSample(await this.parseSpan(span, `Sample ${index + 1}`), index);
  }

  private async parseSpan(span: ValueSpan, what: string): Promise<JsonValue> {
    const length = span.end - span.start;
    if (length > MAX_JSON_VALUE_BYTES) {
      throw new SalvageError(
        'size-limit',
        `${what} is ${length} bytes, above the ${MAX_JSON_VALUE_BYTES}-byte limit for one JSON value.`,
      );
    }
    return parseInspectJsonBytes(
      await this.source.read(span.start, length),
      what,
      this.parseOptions,
    );
  }
}

function asSample(value: JsonValue | undefined, index: number): Sample {
  return asJsonObject(value, `Sample ${index + 1}`);
}

function notAnInspectLog(): SalvageError {
  return new SalvageError(
    'not-an-inspect-log',
    'This JSON file has no "eval" and "status" fields, so it is not an Inspect log.',
  );
}

/**
 * A small log parsed whole, or null when it is large or does not parse as an Inspect log (the scan
 * then reads it, and its errors say what is wrong).
 */
async function parseWhole(source: ByteSource, options: ParseOptions): Promise<ParsedWhole | null> {
  if (source.size > WHOLE_PARSE_BYTES) return null;
  let value: JsonValue;
  try {
    value = parseInspectJsonBytes(await source.read(0, source.size), 'The log', options);
  } catch (error) {
    if (isSalvageError(error)) return null;
    throw error;
  }
  if (!isJsonObject(value) || !('eval' in value) || !('status' in value)) return null;
  const header: Record<string, JsonValue> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key !== SAMPLES && key !== REDUCTIONS) header[key] = member;
  }
  return { header, samples: Array.isArray(value.samples) ? value.samples : [] };
}
