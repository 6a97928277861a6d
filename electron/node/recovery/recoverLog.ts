import { recoveredName } from '../../../shared/model/outputNames.ts';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import type { ByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import {
  START_JSON,
  CONFIG_UPDATES_PREFIX,
  monolithSampleEntryName,
  parseSampleEntryName,
} from '../../../shared/formats/inspect-eval/entryNames.ts';
import { summaryFromSample } from '../../../shared/formats/inspect-eval/summaries.ts';
import { JsonLogReader } from '../../../shared/formats/inspect-json/jsonLogReader.ts';
import {
  isJsonObject,
  numberOf,
  pythonFloat,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
  type ParseOptions,
} from '../../../shared/formats/json/inspectJson.ts';
import { plannedSamples } from '../../../shared/model/runFacts.ts';
import {
  readCentralDirectory,
  entryDataOffset,
} from '../../../shared/formats/zip/centralDirectory.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { readEntryChunks, readRange } from '../../../shared/formats/zip/entryReader.ts';
import { scanLocalHeaders, type LostEntry } from '../../../shared/formats/zip/localHeaderScan.ts';
import type { RecoveryPlan, RecoveryReport } from '../../../shared/model/recovery.ts';
import {
  numberFrom,
  sampleKey,
  scalarText,
  type SampleRef,
  type SampleSummary,
} from '../../../shared/model/log.ts';
import { reconstructSample } from '../../../shared/recovery/reconstructSample.ts';
import { upgradePlan, upgradeSample, upgradeSpec } from '../../../shared/recovery/currentSchema.ts';
import { recomputeResults, type ScoredSample } from '../../../shared/recovery/recomputeResults.ts';
import type { BufferedSample, SampleBuffer } from '../../../shared/recovery/sampleBuffer.ts';
import type { InspectRecoverySource } from '../../../shared/model/run.ts';
import { SalvageError, isSalvageError } from '../../../shared/util/errors.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { writeOutput } from '../io/writeOutput.ts';
import { openLogSource } from '../logs/openLog.ts';
import type { Liveness } from '../../../shared/model/run.ts';
import { isS3Url, normalS3Url } from '../s3/s3Url.ts';
import type { S3ByteSource } from '../s3/s3ByteSource.ts';
import { FileZipSink } from '../zip/fileZipSink.ts';
import { ZipWriter } from '../zip/zipWriter.ts';
import {
  BUFFER_SEARCH_LIMITS,
  findDatabaseCandidates,
  findFilestore,
  isWriterAlive,
  recoveryState,
  type RecoveryState,
} from './bufferLocation.ts';
import { DatabaseBuffer } from './databaseBuffer.ts';
import { FilestoreBuffer, localFilestoreFiles, type FilestoreFiles } from './filestoreBuffer.ts';
import { setOwn } from '../../../shared/util/records.ts';

export interface RecoverOptions {
  readonly output?: string;
  readonly overwrite?: boolean;
  /** Keep transcripts (events) of rebuilt samples; `--no-events` sets false. */
  readonly includeEvents?: boolean;
  /**
   * Where to look for the buffer database instead of Inspect's data directory: the data directory
   * itself, its `samplebuffer/`, the hashed folder, or any folder above a copied `<log>.<pid>.db`.
   */
  readonly bufferDir?: string;
  /** Remove the buffer after a successful, verified write. */
  readonly cleanup?: boolean;
  readonly codecs?: Codecs;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The default output: `<name>-recovered.eval` beside the log. A crashed `.json` log is recovered
 * into a `.eval` too (Inspect's recovery reads and writes only `.eval`).
 */
export function recoveredPath(log: string): string {
  return recoveredName(log);
}

/** A log's location as recovery names it: an absolute path, or an `s3://` URL written one way. */
function locationOf(log: string): string {
  return isS3Url(log) ? normalS3Url(log) : resolve(log);
}

/** Where a log's buffer is, and for a log in a bucket what its dates say of it. */
interface BufferLocation {
  readonly state: RecoveryState;
  /** The filestore's files, when the state's source is `filestore`. */
  readonly filestore: FilestoreFiles | null;
  readonly liveness: Liveness | null;
}

/**
 * A log's buffer: a database on this machine (or under `bufferDir`), else its `--log-shared`
 * filestore beside it (a folder, or a prefix in its bucket), else the archive alone when it was
 * cut. A log in a bucket is also judged running or crashed from the bucket's dates.
 */
async function locateBuffer(
  log: string,
  source: ByteSource,
  truncated: boolean,
  bufferDir: string | undefined,
): Promise<BufferLocation> {
  if (!isS3Url(log)) {
    const state = recoveryState(log, truncated, bufferDir);
    const folder =
      state.state === 'recoverable' && state.source === 'filestore' ? findFilestore(log) : null;
    return { state, filestore: folder ? localFilestoreFiles(folder) : null, liveness: null };
  }
  // Loaded for a bucket only: the S3 modules bring the AWS SDK (see openLogSource).
  const { findS3Filestore, s3FilestoreFiles } = await import('../s3/s3Filestore.ts');
  const { livenessOf } = await import('../s3/s3Runs.ts');
  const candidates = findDatabaseCandidates(log, bufferDir);
  const filestore = await findS3Filestore(log);
  const liveness = livenessOf(
    (source as S3ByteSource).object,
    filestore?.manifest ?? null,
    candidates,
  );
  const alive = candidates.find(isWriterAlive);
  const state: RecoveryState = alive
    ? { state: 'running', pid: alive.pid }
    : candidates.length > 0
      ? { state: 'recoverable', source: 'database' }
      : filestore
        ? { state: 'recoverable', source: 'filestore' }
        : truncated
          ? { state: 'recoverable', source: 'truncated-archive' }
          : { state: 'none' };
  return { state, filestore: filestore ? s3FilestoreFiles(filestore.url) : null, liveness };
}

/** Numbers keep their text: the recovered log is JSON written back (Python reads `2.0` as a float). */
const LOSSLESS: ParseOptions = { lossless: true };

/** What a recovery reads of the crashed log itself: header, flushed samples, their summaries. */
interface CrashedLog {
  readonly archive: 'intact' | 'truncated';
  readonly lostEntries: ReadonlyArray<LostEntry>;
  /** The header, as parsed (numbers lossless): version, eval, plan, config_updates. */
  readonly header: JsonObject;
  /** Flushed samples in the order Inspect copies them (by entry name). */
  readonly flushed: ReadonlyArray<SampleRef>;
  readSample(ref: SampleRef): Promise<JsonObject>;
  /** The summaries Inspect wrote for flushed samples, by sample key (none for a `.json` log). */
  readSummaries(): Promise<ReadonlyMap<string, SampleSummary>>;
  /** Copy the journal's config updates (`_journal/config_updates/N.json` of a `.eval`) as they are. */
  copyJournal(writer: ZipWriter): Promise<void>;
}

/** Whether a log is a `.json` log: by name, or by its first byte for a log of another name. */
async function isJsonLog(log: string, source: ByteSource): Promise<boolean> {
  if (extname(log).toLowerCase() === '.json') return true;
  if (extname(log).toLowerCase() === '.eval' || source.size === 0) return false;
  return (await source.read(0, 1))[0] === 0x7b;
}

async function openCrashedLog(
  log: string,
  source: ByteSource,
  codecs: Codecs,
): Promise<CrashedLog> {
  if (await isJsonLog(log, source)) return openCrashedJson(log, source);
  let reader: EvalLogReader;
  let archive: 'intact' | 'truncated' = 'intact';
  let lostEntries: ReadonlyArray<LostEntry> = [];
  try {
    reader = EvalLogReader.fromDirectory(
      source,
      await readCentralDirectory(source),
      codecs,
      LOSSLESS,
    );
  } catch (error) {
    if (!isSalvageError(error) || error.kind !== 'central-directory-missing') throw error;
    const scan = await scanLocalHeaders(source, codecs);
    reader = EvalLogReader.fromDirectory(source, scan.directory, codecs, LOSSLESS);
    archive = 'truncated';
    lostEntries = scan.lost;
  }
  if (!reader.isStarted) {
    throw new SalvageError(
      'not-recoverable',
      `${log} finished writing (it has a header.json): there is nothing to recover.`,
    );
  }
  if (!reader.directory.byName.has(START_JSON)) {
    throw new SalvageError(
      'not-recoverable',
      `${log} has no ${START_JSON}: the eval crashed before it started logging.`,
    );
  }
  const flushed = [...(await reader.listSamples())].sort((a, b) =>
    compareText(entryName(a), entryName(b)),
  );
  return {
    archive,
    lostEntries,
    header: await reader.readHeader(),
    flushed,
    readSample: (ref) => reader.readSample(ref.id, ref.epoch),
    readSummaries: async () => {
      const byKey = new Map<string, SampleSummary>();
      for (const summary of await reader.readSummaries())
        byKey.set(sampleKey(summary.id, summary.epoch), summary);
      return byKey;
    },
    copyJournal: async (writer) => {
      for (const [name, entry] of reader.directory.byName) {
        if (!name.startsWith(CONFIG_UPDATES_PREFIX)) continue;
        const offset = await entryDataOffset(source, entry);
        await writer.addRaw(name, entry, readRange(source, offset, entry.compressedSize));
      }
    },
  };
}

/**
 * A crashed `.json` log: Inspect's JSON recorder rewrites the whole log at every flush, so after a
 * crash the file is a complete JSON document with `status: "started"`, the eval and plan, and the
 * samples flushed so far (`_recorders/json.py`). Inspect cannot recover it; Salvage rebuilds a
 * `.eval` from those samples and the buffer.
 */
async function openCrashedJson(log: string, source: ByteSource): Promise<CrashedLog> {
  const reader = await JsonLogReader.open(source, LOSSLESS);
  const header = await reader.readHeader();
  if (header.status !== 'started') {
    throw new SalvageError(
      'not-recoverable',
      `${log} finished writing (status ${scalarText(header.status)}): there is nothing to recover.`,
    );
  }
  const flushed = [...(await reader.listSamples())].sort((a, b) =>
    compareText(entryName(a), entryName(b)),
  );
  return {
    archive: 'intact',
    lostEntries: [],
    header,
    flushed,
    readSample: (ref) => reader.readSample(ref.id, ref.epoch),
    readSummaries: () => Promise.resolve(new Map()),
    // A .json log keeps its config updates in its header (carried into the recovered header).
    copyJournal: () => Promise.resolve(),
  };
}

function entryName(ref: SampleRef): string {
  return monolithSampleEntryName(ref.id, ref.epoch);
}

/** Python's string order (by code point; the same as UTF-16 order for these names). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Inventory {
  readonly crashed: CrashedLog;
  readonly buffer: SampleBuffer | null;
  readonly source: InspectRecoverySource;
  readonly liveness: Liveness | null;
  /** What the inventory itself warns of (a run that may still be running). */
  readonly warnings: ReadonlyArray<string>;
}

/** Read everything a recovery needs; the caller closes the buffer and the source. */
async function takeInventory(
  log: string,
  source: ByteSource,
  options: RecoverOptions,
  codecs: Codecs,
): Promise<Inventory> {
  const crashed = await openCrashedLog(log, source, codecs);
  const located = await locateBuffer(
    log,
    source,
    crashed.archive === 'truncated',
    options.bufferDir,
  );
  const { state, liveness } = located;
  if (state.state === 'running') {
    throw new SalvageError(
      'not-recoverable',
      `${log} is still running (process ${state.pid} is alive): recover it after it stops.`,
    );
  }
  // A bucket shows no process: recent writes say the run goes on; a quiet spell is not enough.
  const warnings: string[] = [];
  if (liveness?.verdict === 'running') {
    if (liveness.confidence !== 'low') {
      throw new SalvageError(
        'not-recoverable',
        `${log} looks still running (${liveness.evidence}): recover it after it stops.`,
      );
    }
    warnings.push(`It may still be running (${liveness.evidence}); recovered as it is now.`);
  }
  if (state.state === 'none') {
    const looked = options.bufferDir
      ? `${options.bufferDir} (and up to ${BUFFER_SEARCH_LIMITS.depth} folders below it)`
      : 'Inspect\u2019s data directory';
    throw new SalvageError(
      'not-recoverable',
      `No sample buffer was found for ${log} (looked for ${basename(log)}.<pid>.db in ${looked}, and beside the log in .buffer/); its flushed samples are already readable as they are.`,
    );
  }
  let buffer: SampleBuffer | null = null;
  if (state.source === 'database') {
    const newest = findDatabaseCandidates(log, options.bufferDir)[0]!;
    buffer = DatabaseBuffer.open(newest.path, LOSSLESS);
  } else if (state.source === 'filestore') {
    buffer = await FilestoreBuffer.open(located.filestore!, codecs, LOSSLESS);
  }
  return { crashed, buffer, source: state.source, liveness, warnings };
}

interface Split {
  readonly flushed: ReadonlyArray<SampleRef>;
  readonly completed: ReadonlyArray<BufferedSample>;
  readonly inProgress: ReadonlyArray<BufferedSample>;
  /** Buffered samples the log already holds (a kill between a flush and the buffer's cleanup). */
  readonly alreadyFlushed: number;
}

async function split(inventory: Inventory): Promise<Split> {
  const flushed = inventory.crashed.flushed;
  const flushedKeys = new Set(flushed.map((ref) => sampleKey(ref.id, ref.epoch)));
  const buffered = inventory.buffer ? await inventory.buffer.samples() : [];
  // Recovered once, from the log, as Inspect does; Inspect's --list counts them twice.
  const pending = buffered.filter(
    (sample) => !flushedKeys.has(sampleKey(sample.summary.id, sample.summary.epoch)),
  );
  const isDone = (summary: JsonObject): boolean =>
    summary.completed_at !== undefined && summary.completed_at !== null;
  return {
    flushed,
    completed: pending.filter((sample) => isDone(sample.summary)),
    inProgress: pending.filter((sample) => !isDone(sample.summary)),
    alreadyFlushed: buffered.length - pending.length,
  };
}

function planOf(
  log: string,
  inventory: Inventory,
  parts: Split,
  options: RecoverOptions,
): RecoveryPlan {
  const crashed = inventory.crashed;
  const spec = isJsonObject(crashed.header.eval) ? crashed.header.eval : {};
  const lostSamples = crashed.lostEntries.filter(
    (entry) => parseSampleEntryName(entry.name) !== null,
  );
  return {
    log,
    source: inventory.source,
    buffer: inventory.buffer?.location ?? null,
    archive: crashed.archive,
    total: plannedSamples(spec),
    flushed: parts.flushed.length,
    completed: parts.completed.length,
    inProgress: parts.inProgress.length,
    alreadyFlushed: parts.alreadyFlushed,
    lost: lostSamples.length,
    lostEntries: crashed.lostEntries,
    output: locationOf(options.output ?? recoveredPath(log)),
    warnings: [...inventory.warnings, ...(inventory.buffer?.warnings ?? [])],
    ...(inventory.liveness ? { liveness: inventory.liveness } : {}),
  };
}

async function withInventory<T>(
  log: string,
  options: RecoverOptions,
  use: (inventory: Inventory, codecs: Codecs) => Promise<T>,
): Promise<T> {
  const codecs = options.codecs ?? defaultCodecs();
  const source = await openLogSource(log);
  let inventory: Inventory | undefined;
  try {
    inventory = await takeInventory(log, source, options, codecs);
    return await use(inventory, codecs);
  } finally {
    await inventory?.buffer?.close();
    await source.close();
  }
}

/** The plan of a recovery (`--dry-run`): nothing is written. */
export function planRecovery(logPath: string, options: RecoverOptions = {}): Promise<RecoveryPlan> {
  const log = locationOf(logPath);
  return withInventory(log, options, async (inventory) =>
    planOf(log, inventory, await split(inventory), options),
  );
}

/**
 * Rebuild a crashed run into `<name>-recovered.eval` (or `options.output`), as Inspect's
 * `inspect log recover` does, writing atomically and verifying every entry before the rename.
 * The crashed log and the buffer are never modified; the buffer is removed only with `cleanup`
 * after a successful, verified write. Samples are read and written one at a time.
 */
export function recoverLog(logPath: string, options: RecoverOptions = {}): Promise<RecoveryReport> {
  const log = locationOf(logPath);
  return withInventory(log, options, async (inventory, codecs) => {
    const crashed = inventory.crashed;
    const parts = await split(inventory);
    const plan = planOf(log, inventory, parts, options);
    if (plan.output === log) {
      throw new SalvageError(
        'already-exists',
        'The output would replace the crashed log itself; choose another --output.',
      );
    }
    // Inspect parses the spec and plan with its models and writes them back with their defaults.
    const spec = upgradeSpec(isJsonObject(crashed.header.eval) ? crashed.header.eval : {}, () =>
      randomUUID(),
    );
    const planned = upgradePlan(isJsonObject(crashed.header.plan) ? crashed.header.plan : {});
    const version = crashed.header.version ?? 2;
    const resultWarnings: string[] = [];
    const journalSummaries = await crashed.readSummaries();

    const summaries: SampleSummary[] = [];
    const scored: ScoredSample[] = [];
    const stats = new StatsAccumulator(spec);
    const collect = (sample: JsonObject, summary: SampleSummary): void => {
      summaries.push(summary);
      stats.add(sample);
      scored.push({
        id: sample.id ?? null,
        epoch: numberFrom(sample.epoch ?? 1),
        scores: isJsonObject(sample.scores) ? sample.scores : null,
        hasError: isJsonObject(sample.error),
      });
    };
    const total = parts.flushed.length + parts.completed.length + parts.inProgress.length;
    let done = 0;
    let bytes = 0;

    await writeOutput(
      plan.output,
      async (handle) => {
        const sink = new FileZipSink(handle);
        const writer = new ZipWriter(sink);
        const json = (value: JsonValue): Uint8Array =>
          new TextEncoder().encode(stringifyInspectJson(value));
        await writer.add(START_JSON, json({ version, eval: spec, plan: planned }));
        await crashed.copyJournal(writer);
        const writeSample = async (sample: JsonObject): Promise<void> => {
          const name = monolithSampleEntryName(
            scalarText(sample.id),
            numberFrom(sample.epoch ?? 1),
          );
          // Inspect's recovery writes samples with force_zip64: a ZIP64 extra in every local header.
          await writer.add(name, json(sample), { zip64LocalExtra: true });
        };
        // Flushed samples are read and written again, as Inspect does, so that samples of older
        // Inspect versions come out with the current schema's defaults.
        for (const ref of parts.flushed) {
          const sample = upgradeSample(await crashed.readSample(ref));
          await writeSample(sample);
          collect(
            sample,
            journalSummaries.get(sampleKey(ref.id, ref.epoch)) ?? summaryFromSample(sample),
          );
          options.onProgress?.(++done, total);
        }
        for (const [samples, inProgress] of [
          [parts.completed, false],
          [parts.inProgress, true],
        ] as const) {
          for (const buffered of samples) {
            const id = scalarText(buffered.summary.id);
            const epoch = numberFrom(buffered.summary.epoch ?? 1);
            const data = await inventory.buffer!.sampleData(id, epoch);
            const rebuilt = reconstructSample(buffered, data, {
              inProgress,
              includeEvents: options.includeEvents ?? true,
              evalSandbox: spec.sandbox,
              newUuid: () => randomUUID(),
            });
            const sample = upgradeSample(rebuilt.sample);
            await writeSample(sample);
            // Inspect's filestore path keeps a completed sample's buffered summary (retries and
            // all); its database path, and Salvage for every in-progress sample, summarise the
            // rebuilt sample, so that the summary carries the sample's CancelledError.
            const keepBuffered = inventory.source === 'filestore' && !inProgress;
            collect(
              sample,
              keepBuffered ? { ...rebuilt.summary, completed: true } : summaryFromSample(sample),
            );
            options.onProgress?.(++done, total);
          }
        }
        const recomputed = recomputeResults(spec, scored);
        resultWarnings.push(...recomputed.warnings);
        await writer.add('summaries.json', json(summaries));
        if (recomputed.reductions.length > 0)
          await writer.add('reductions.json', json(recomputed.reductions));
        const recovered = recoveredHeader(
          crashed.header,
          version,
          spec,
          planned,
          recomputed.results,
        );
        await writer.add('header.json', json({ ...recovered, stats: stats.stats() }));
        await writer.finish();
        await sink.flush();
        bytes = sink.position;
      },
      { overwrite: options.overwrite, verify: (temporary) => verifyArchive(temporary, codecs) },
    );

    let cleanedUp = false;
    if (options.cleanup && inventory.buffer && inventory.source !== 'truncated-archive') {
      const location = inventory.buffer.location;
      await inventory.buffer.close();
      if (inventory.source === 'database') {
        for (const suffix of ['', '-wal', '-shm']) await rm(location + suffix, { force: true });
      } else if (isS3Url(location)) {
        const { removeS3Folder } = await import('../s3/s3Filestore.ts');
        await removeS3Folder(location);
      } else {
        await rm(location, { recursive: true, force: true });
      }
      cleanedUp = true;
    }
    // The buffer's warnings grow while samples are read (a missing segment shows only then).
    const warnings = [
      ...new Set([...plan.warnings, ...(inventory.buffer?.warnings ?? []), ...resultWarnings]),
    ];
    return { ...plan, warnings, written: total, bytes, cleanedUp };
  });
}

/** The header of a recovered log: status error with Inspect's message and the results recomputed. */
function recoveredHeader(
  header: JsonObject,
  version: JsonValue,
  spec: JsonObject,
  plan: JsonObject,
  results: JsonObject,
): JsonObject {
  const tags = Array.isArray(spec.tags)
    ? [...new Set((spec.tags as JsonValue[]).filter((tag) => typeof tag === 'string'))].sort()
    : [];
  const recovered: Record<string, JsonValue> = {
    version,
    status: 'error',
    eval: spec,
    plan,
    results,
    stats: {},
    error: {
      message: 'Eval recovered from crash',
      traceback: 'Eval process crashed; log recovered from sample buffer database.\n',
      traceback_ansi: 'Eval process crashed; log recovered from sample buffer database.\n',
    },
    invalidated: false,
    tags,
    metadata: isJsonObject(spec.metadata) ? spec.metadata : {},
  };
  if (Array.isArray(header.config_updates) && header.config_updates.length > 0)
    recovered.config_updates = header.config_updates;
  return recovered;
}

/** ModelUsage fields in Inspect's order; the first three always, the rest when a sample had them. */
const USAGE_FIELDS = [
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'input_tokens_cache_write',
  'input_tokens_cache_read',
  'reasoning_tokens',
  'total_cost',
] as const;
const FLOAT_USAGE_FIELDS = new Set(['total_cost']);

/**
 * The recovered log's stats as Inspect accumulates them (`_StatsAccumulator`): `started_at` is
 * the earliest of the eval's `created` and the samples' starts (compared as text, as Inspect
 * does), usage summed per model and per role over every sample.
 */
class StatsAccumulator {
  private startedAt: string | null;
  private readonly modelUsage = new Map<string, Map<string, number>>();
  private readonly roleUsage = new Map<string, Map<string, number>>();

  constructor(spec: JsonObject) {
    this.startedAt = typeof spec.created === 'string' ? spec.created : null;
  }

  add(sample: JsonObject): void {
    const started = sample.started_at;
    if (typeof started === 'string' && started !== '') {
      if (this.startedAt === null || this.startedAt === '' || started < this.startedAt)
        this.startedAt = started;
    }
    addUsage(this.modelUsage, sample.model_usage);
    addUsage(this.roleUsage, sample.role_usage);
  }

  stats(): JsonObject {
    return {
      started_at: this.startedAt ?? '',
      completed_at: new Date().toISOString().replace('Z', '+00:00'),
      model_usage: usageJson(this.modelUsage),
      role_usage: usageJson(this.roleUsage),
      connection_limit_history: [],
    };
  }
}

function addUsage(into: Map<string, Map<string, number>>, usage: JsonValue | undefined): void {
  if (!isJsonObject(usage)) return;
  for (const [model, counts] of Object.entries(usage)) {
    if (!isJsonObject(counts)) continue;
    const total =
      into.get(model) ??
      new Map<string, number>([
        ['input_tokens', 0],
        ['output_tokens', 0],
        ['total_tokens', 0],
      ]);
    for (const [field, value] of Object.entries(counts)) {
      const number = numberOf(value);
      if (number !== undefined) total.set(field, (total.get(field) ?? 0) + number);
    }
    into.set(model, total);
  }
}

function usageJson(usage: Map<string, Map<string, number>>): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [model, counts] of usage) {
    const fields: Record<string, JsonValue> = {};
    const ordered = [
      ...USAGE_FIELDS.filter((field) => counts.has(field)),
      ...[...counts.keys()].filter(
        (field) => !(USAGE_FIELDS as ReadonlyArray<string>).includes(field),
      ),
    ];
    for (const field of ordered) {
      const value = counts.get(field)!;
      setOwn(fields, field, FLOAT_USAGE_FIELDS.has(field) ? pythonFloat(value) : value);
    }
    setOwn(out, model, fields);
  }
  return out;
}

/** Re-read a written archive completely: every entry must decode to its CRC, and the header must parse. */
async function verifyArchive(path: string, codecs: Codecs): Promise<void> {
  const source = await FileByteSource.open(path);
  try {
    const reader = await EvalLogReader.open(source, codecs);
    for (const entry of reader.directory.entries) {
      for await (const chunk of readEntryChunks(source, entry, codecs)) void chunk;
    }
    await reader.readHeader();
  } finally {
    await source.close();
  }
}
