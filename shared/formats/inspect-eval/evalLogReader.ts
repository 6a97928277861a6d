import type { ByteSource } from '../bytes/byteSource.ts';
import { readCentralDirectory } from '../zip/centralDirectory.ts';
import type { Codecs } from '../zip/codecs.ts';
import { readEntryText } from '../zip/entryReader.ts';
import type { RunReader, SummaryProgress } from '../runReader.ts';
import type { ZipDirectory, ZipEntry } from '../zip/zipEntry.ts';
import {
  asJsonArray,
  asJsonObject,
  parseInspectJson,
  type JsonValue,
  type ParseOptions,
} from '../json/inspectJson.ts';
import { SalvageError } from '../../util/errors.ts';
import { MAX_ENTRY_TEXT_BYTES, MAX_HEADER_BYTES } from '../../util/limits.ts';
import {
  sampleKey,
  type LogHeader,
  type Sample,
  type SampleRef,
  type SampleSummary,
} from '../../model/log.ts';
import {
  CONFIG_UPDATES_PREFIX,
  HEADER_JSON,
  JOURNAL_SUMMARIES_PREFIX,
  REDUCTIONS_JSON,
  START_JSON,
  SUMMARIES_JSON,
  journalIndex,
  chunkedSampleFolder,
  monolithSampleEntryName,
  parseSampleEntryName,
} from './entryNames.ts';
import { resolveSample } from './sampleResolve.ts';
import { readChunkedSample } from './chunkedSample.ts';
import { dedupeSummaries } from './summaries.ts';

/**
 * Reads an Inspect `.eval` archive lazily: the central directory at open, everything else on demand.
 *
 * Header and summaries cost a few small reads whatever the file's size; a sample costs one
 * streamed read of its own entries.
 */
export class EvalLogReader implements RunReader {
  readonly format = 'inspect-eval' as const;
  readonly source: ByteSource;
  readonly directory: ZipDirectory;
  private readonly codecs: Codecs;
  private readonly parseOptions: ParseOptions;

  private constructor(
    source: ByteSource,
    directory: ZipDirectory,
    codecs: Codecs,
    parseOptions: ParseOptions,
  ) {
    this.source = source;
    this.directory = directory;
    this.codecs = codecs;
    this.parseOptions = parseOptions;
  }

  /** `parseOptions.lossless` keeps numbers' text, for callers that write the JSON back. */
  static async open(
    source: ByteSource,
    codecs: Codecs,
    parseOptions: ParseOptions = {},
  ): Promise<EvalLogReader> {
    return EvalLogReader.fromDirectory(
      source,
      await readCentralDirectory(source),
      codecs,
      parseOptions,
    );
  }

  /** A reader over a directory found another way (the local-header scan of a truncated archive). */
  static fromDirectory(
    source: ByteSource,
    directory: ZipDirectory,
    codecs: Codecs,
    parseOptions: ParseOptions = {},
  ): EvalLogReader {
    if (!directory.byName.has(HEADER_JSON) && !directory.byName.has(START_JSON)) {
      throw new SalvageError(
        'not-an-inspect-log',
        `This zip has neither ${HEADER_JSON} nor ${START_JSON}, so it is not an Inspect .eval log.`,
      );
    }
    return new EvalLogReader(source, directory, codecs, parseOptions);
  }

  /** True when the eval never finished writing (running, or crashed): there is no header.json yet. */
  get isStarted(): boolean {
    return !this.directory.byName.has(HEADER_JSON);
  }

  /** The log header: header.json, or for a started log one built from the journal with status `started`. */
  async readHeader(): Promise<LogHeader> {
    const header = this.directory.byName.get(HEADER_JSON);
    if (header) return asJsonObject(await this.readJson(header, MAX_HEADER_BYTES), HEADER_JSON);
    const start = asJsonObject(
      await this.readJson(this.entry(START_JSON), MAX_HEADER_BYTES),
      START_JSON,
    );
    const configUpdates = await this.readJournal(CONFIG_UPDATES_PREFIX, MAX_HEADER_BYTES);
    const synthesized: Record<string, JsonValue> = {
      version: start.version ?? 2,
      status: 'started',
      eval: start.eval ?? {},
      plan: start.plan ?? {},
    };
    if (configUpdates.length > 0) synthesized.config_updates = configUpdates;
    return synthesized;
  }

  /** Sample summaries, de-duplicated by (id, epoch) with the last row winning. */
  async readSummaries(): Promise<SampleSummary[]> {
    const consolidated = this.directory.byName.get(SUMMARIES_JSON);
    const rows = consolidated
      ? asJsonArray(await this.readJson(consolidated), SUMMARIES_JSON)
      : (await this.readJournal(JOURNAL_SUMMARIES_PREFIX)).flatMap((part, index) =>
          asJsonArray(part, `${JOURNAL_SUMMARIES_PREFIX}${index + 1}.json`),
        );
    return dedupeSummaries(rows.map((row) => asJsonObject(row, 'A sample summary')));
  }

  /** Summaries part by part (summaries.json at once, or each journal flush), with progress in compressed bytes. */
  async *streamSummaries(): AsyncGenerator<SummaryProgress> {
    const consolidated = this.directory.byName.get(SUMMARIES_JSON);
    const entries = consolidated ? [consolidated] : this.journalEntries(JOURNAL_SUMMARIES_PREFIX);
    const bytesTotal = entries.reduce((sum, entry) => sum + entry.compressedSize, 0);
    let bytesRead = 0;
    for (const entry of entries) {
      const rows = asJsonArray(await this.readJson(entry), entry.name).map((row) =>
        asJsonObject(row, 'A sample summary'),
      );
      bytesRead += entry.compressedSize;
      yield { summaries: rows, bytesRead, bytesTotal };
    }
    if (entries.length === 0) yield { summaries: [], bytesRead: 0, bytesTotal: 0 };
  }

  /** Epoch-reduced scores (`reductions.json`), present only in finished logs that have reductions. */
  async readReductions(): Promise<JsonValue[] | null> {
    const entry = this.directory.byName.get(REDUCTIONS_JSON);
    return entry ? [...asJsonArray(await this.readJson(entry), REDUCTIONS_JSON)] : null;
  }

  /** The samples actually stored in the archive, in archive order, each once. */
  listSamples(): Promise<SampleRef[]> {
    return Promise.resolve(this.sampleRefs());
  }

  private sampleRefs(): SampleRef[] {
    const seen = new Map<string, SampleRef>();
    for (const entry of this.directory.entries) {
      const parsed = parseSampleEntryName(entry.name);
      if (parsed) seen.set(sampleKey(parsed.id, parsed.epoch), parsed);
    }
    return [...seen.values()];
  }

  /** One full sample with pools and attachments resolved. */
  async readSample(id: string, epoch: number): Promise<Sample> {
    const monolith = this.directory.byName.get(monolithSampleEntryName(id, epoch));
    if (monolith) {
      const sample = asJsonObject(await this.readJson(monolith), monolith.name);
      return resolveSample(sample);
    }
    const chunked = this.sampleRefs().find(
      (ref) => ref.layout === 'chunked' && ref.id === id && ref.epoch === epoch,
    );
    if (chunked) {
      return readChunkedSample(this.directory, chunkedSampleFolder(id, epoch), (entry) =>
        this.readJson(entry),
      );
    }
    throw new SalvageError(
      'sample-not-found',
      `Sample id ${id} epoch ${epoch} is not in this log${this.isStarted ? ' (the run has not flushed it yet, or crashed before it did)' : ''}.`,
    );
  }

  /** Parse an entry as Inspect JSON, refusing one that declares more than `limit` bytes. */
  async readJson(entry: ZipEntry, limit = MAX_ENTRY_TEXT_BYTES): Promise<JsonValue> {
    const text = await readEntryText(this.source, entry, this.codecs, limit);
    return parseInspectJson(text, `Entry "${entry.name}"`, this.parseOptions);
  }

  private entry(name: string): ZipEntry {
    const entry = this.directory.byName.get(name);
    if (!entry) throw new SalvageError('entry-not-found', `The log has no "${name}" entry.`);
    return entry;
  }

  /** Every `<prefix>N.json` journal entry, parsed, in numeric order of N. */
  private async readJournal(prefix: string, limit?: number): Promise<JsonValue[]> {
    const parts: JsonValue[] = [];
    for (const entry of this.journalEntries(prefix)) parts.push(await this.readJson(entry, limit));
    return parts;
  }

  /** The `<prefix>N.json` journal entries in numeric order of N. */
  private journalEntries(prefix: string): ZipEntry[] {
    const numbered: Array<{ index: number; entry: ZipEntry }> = [];
    for (const [name, entry] of this.directory.byName) {
      const index = journalIndex(name, prefix);
      if (index !== null) numbered.push({ index, entry });
    }
    return numbered.sort((a, b) => a.index - b.index).map(({ entry }) => entry);
  }
}
