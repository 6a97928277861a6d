import type { ByteSource } from '../bytes/byteSource.ts';
import type { RunReader, SummaryProgress } from '../runReader.ts';
import { scanObjectLayout, type MemberSpan, type ValueSpan } from '../json/jsonStructure.ts';
import {
  asJsonArray,
  asJsonObject,
  parseInspectJsonBytes,
  type JsonValue,
  type ParseOptions,
} from '../json/inspectJson.ts';
import { resolveSample } from '../inspect-eval/sampleResolve.ts';
import { dedupeSummaries, summaryFromSample } from '../inspect-eval/summaries.ts';
import { SalvageError } from '../../util/errors.ts';
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
 * Reads an Inspect `.json` log (one JSON object) without materialising all samples.
 *
 * One byte scan finds the top-level members and each sample's byte range; the header is parsed
 * from the members other than samples, and samples are parsed one at a time on demand.
 */
export class JsonLogReader implements RunReader {
  readonly format = 'inspect-json' as const;
  readonly source: ByteSource;
  private readonly members: ReadonlyArray<MemberSpan>;
  private readonly sampleSpans: ReadonlyArray<ValueSpan>;
  private summaries: SampleSummary[] | undefined;
  /** (id, epoch) → index of the sample's span; the last duplicate wins. */
  private readonly sampleIndex = new Map<string, number>();
  private readonly parseOptions: ParseOptions;

  private constructor(
    source: ByteSource,
    members: ReadonlyArray<MemberSpan>,
    samples: ReadonlyArray<ValueSpan>,
    parseOptions: ParseOptions,
  ) {
    this.source = source;
    this.members = members;
    this.sampleSpans = samples;
    this.parseOptions = parseOptions;
  }

  /** `parseOptions.lossless` keeps numbers' text, for callers that write the JSON back. */
  static async open(source: ByteSource, parseOptions: ParseOptions = {}): Promise<JsonLogReader> {
    const layout = await scanObjectLayout(source, new Set([SAMPLES]));
    const keys = new Set(layout.members.map((member) => member.key));
    if (!keys.has('eval') || !keys.has('status')) {
      throw new SalvageError(
        'not-an-inspect-log',
        'This JSON file has no "eval" and "status" fields, so it is not an Inspect log.',
      );
    }
    return new JsonLogReader(
      source,
      layout.members,
      layout.elements.get(SAMPLES) ?? [],
      parseOptions,
    );
  }

  get sampleCount(): number {
    return this.sampleSpans.length;
  }

  /** Every top-level field except samples and reductions, in file order (Inspect's `header_only` read). */
  async readHeader(): Promise<LogHeader> {
    const header: Record<string, JsonValue> = {};
    for (const member of this.members) {
      if (member.key === SAMPLES || member.key === REDUCTIONS) continue;
      setOwn(header, member.key, await this.parseSpan(member, `Field "${member.key}"`));
    }
    return header;
  }

  /** Summaries built from each sample, parsing one sample at a time. */
  async readSummaries(): Promise<SampleSummary[]> {
    if (!this.summaries) {
      const rows: SampleSummary[] = [];
      for (let index = 0; index < this.sampleSpans.length; index++) {
        const summary = summaryFromSample(await this.parseSample(index));
        this.sampleIndex.set(sampleKey(summary.id, summary.epoch), index);
        rows.push(summary);
      }
      this.summaries = dedupeSummaries(rows);
    }
    return this.summaries;
  }

  /** Summaries built one sample at a time, in batches, with progress in bytes of the file. */
  async *streamSummaries(): AsyncGenerator<SummaryProgress> {
    let batch: SampleSummary[] = [];
    for (let index = 0; index < this.sampleSpans.length; index++) {
      const summary = summaryFromSample(await this.parseSample(index));
      this.sampleIndex.set(sampleKey(summary.id, summary.epoch), index);
      batch.push(summary);
      if (batch.length === STREAM_BATCH_SAMPLES || index === this.sampleSpans.length - 1) {
        yield {
          summaries: batch,
          bytesRead: this.sampleSpans[index]!.end,
          bytesTotal: this.source.size,
        };
        batch = [];
      }
    }
    if (this.sampleSpans.length === 0)
      yield { summaries: [], bytesRead: this.source.size, bytesTotal: this.source.size };
  }

  async readReductions(): Promise<JsonValue[] | null> {
    const member = this.members.find((candidate) => candidate.key === REDUCTIONS);
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

  private async parseSample(index: number): Promise<Sample> {
    return asJsonObject(
      await this.parseSpan(this.sampleSpans[index]!, `Sample ${index + 1}`),
      `Sample ${index + 1}`,
    );
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
