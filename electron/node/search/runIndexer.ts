import {
  asJsonObject,
  isJsonObject,
  parseInspectJson,
  parseInspectJsonBytes,
  type JsonObject,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import {
  chunkedSampleFolder,
  monolithSampleEntryName,
} from '../../../shared/formats/inspect-eval/entryNames.ts';
import { JsonLogReader } from '../../../shared/formats/inspect-json/jsonLogReader.ts';
import { scanObjectLayout } from '../../../shared/formats/json/jsonStructure.ts';
import { walkLines } from '../../../shared/formats/jsonl/lineReader.ts';
import { codexLine, codexMessage } from '../../../shared/formats/runs/codexRecords.ts';
import { rolloutPlan } from '../../../shared/formats/runs/jsonlRunFacts.ts';
import { rolloutSample, sampleIdOf } from '../../../shared/formats/runs/verifiersRecords.ts';
import { Part, type SampleIndex } from '../../../shared/formats/sample/sampleIndex.ts';
import { chunkedSampleParts } from '../../../shared/formats/sample/samplePlaces.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { scalarText, sampleKey, type SampleRef } from '../../../shared/model/log.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import { indexableText, SampleTexts } from '../../../shared/search/sampleTexts.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import type { FileIdentity } from '../index/runDigest.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { jsonlRunKind, readRunContext, type JsonlRunKind } from '../logs/jsonlRuns.ts';
import { openLogReader } from '../logs/openLog.ts';
import { indexEntries, indexInPlace, localDecoder } from '../sample/indexSample.ts';
import type { IndexBatch } from './indexBatch.ts';
import { collectIndexed, collectParsed } from './sampleCollectors.ts';
import {
  factsOf,
  type RunFacts,
  type SearchStore,
  type SegmentWriter,
  type StoredRun,
} from './searchStore.ts';

/**
 * Indexing one run, incrementally: a run already indexed at this file identity costs nothing; a
 * changed `.eval` re-reads only the samples whose entries changed (CRC and size); a `.json` log
 * (rewritten whole by Inspect) is read again; a grown JSONL log (same inode, larger) only from
 * the end of the last line indexed. A run interrupted mid-way (the app quit, a newer pass began)
 * resumes the same way: what was committed stays, what was not is read again.
 */

/** Samples up to this size are parsed whole (faster); larger ones are read item by item. */
export const PARSE_WHOLE_BYTES = 16 * 1024 * 1024;

export interface RunIndexOptions {
  readonly codecs?: Codecs;
  readonly spillDirectory?: string;
  readonly signal?: AbortSignal;
  /** Samples (rollouts, session parts) indexed so far in this run. */
  readonly onSample?: () => void;
  /** Samples up to this size are parsed whole (default PARSE_WHOLE_BYTES; tests lower it). */
  readonly parseWholeBytes?: number;
}

export interface RunIndexReport {
  readonly samples: number;
  /** Samples that could not be read (a corrupt entry): indexed again only when the file changes. */
  readonly failed: number;
}

interface Context {
  readonly batch: IndexBatch;
  readonly row: RunRow;
  readonly identity: FileIdentity;
  readonly facts: RunFacts;
  readonly options: RunIndexOptions;
  run: StoredRun;
  samples: number;
  failed: number;
}

/** Whether two identities are the same file version. */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.inode === b.inode;
}

/** Bring the index up to date with one run of the listing. */
export async function indexRun(
  batch: IndexBatch,
  store: SearchStore,
  row: RunRow,
  identity: FileIdentity,
  options: RunIndexOptions = {},
): Promise<RunIndexReport> {
  const facts = factsOf(row);
  const known = store.run(row.location);
  if (known?.complete && sameIdentity(known.identity, identity)) {
    // Unchanged: only the facts may have moved (a crashed run's status depends on more than its file).
    if (JSON.stringify(known.facts) !== JSON.stringify(facts))
      batch.write().saveRun(row.location, identity, facts, true, known.state);
    return { samples: 0, failed: 0 };
  }
  const kind = jsonlRunKind(row.location);
  const context: Context = {
    batch,
    row,
    identity,
    facts,
    options,
    run: batch.write().saveRun(row.location, identity, facts, false, known?.state ?? null),
    samples: 0,
    failed: 0,
  };
  try {
    if (kind) await indexJsonl(context, kind, known);
    else await indexInspect(context);
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    // A log that cannot be opened (its end missing, not a log at all) is searchable by its facts
    // and read again when it changes.
    writeRunFacts(context);
    finish(context, null);
    return { samples: context.samples, failed: context.failed + 1 };
  }
  return { samples: context.samples, failed: context.failed };
}

/** The run's own facts (task, model, tags) as a segment of their own, replaced each time. */
function writeRunFacts(context: Context): void {
  const store = context.batch.write();
  store.deleteSegments(store.segmentsOf(context.run).filter((segment) => segment.sample === null));
  const writer = store.beginSegment(context.run, null);
  const text = [context.row.task, context.row.model, ...context.row.tags]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('\n');
  if (text) writer.text({ kind: 'run', index: null, label: null }, indexableText(text));
  writer.end('run');
}

function finish(context: Context, state: unknown): void {
  context.batch.write().saveRun(context.row.location, context.identity, context.facts, true, state);
  context.batch.commit();
}

// ----- Inspect (.eval, .json) -----

async function indexInspect(context: Context): Promise<void> {
  const codecs = context.options.codecs ?? defaultCodecs();
  const file = await FileByteSource.open(context.row.location);
  try {
    const reader = await openLogReader(file, context.row.location, codecs);
    if (reader instanceof EvalLogReader) await indexEval(context, reader, file, codecs);
    else if (reader instanceof JsonLogReader) await indexJson(context, file);
    finish(context, null);
  } finally {
    await file.close();
  }
}

/** What identifies a sample's bytes in a `.eval`: its entries' CRCs and sizes. */
function evalStamp(reader: EvalLogReader, ref: SampleRef): string {
  const monolith = reader.directory.byName.get(monolithSampleEntryName(ref.id, ref.epoch));
  const entries = monolith
    ? [monolith]
    : chunkedSampleParts(reader.directory, chunkedSampleFolder(ref.id, ref.epoch)).map(
        (part) => part.entry,
      );
  return entries.map((entry) => `${entry.crc32.toString(16)}.${entry.uncompressedSize}`).join('/');
}

/**
 * Keep the run's segments whose stamp is still `wanted` for their sample; delete the rest (the
 * run's facts, changed or vanished samples, a sample cut off mid-way). Returns the keys kept.
 */
function pruneSegments(context: Context, wanted: ReadonlyMap<string, string>): Set<string> {
  const store = context.batch.write();
  const kept = new Set<string>();
  const stale = store.segmentsOf(context.run).filter((segment) => {
    if (segment.sample === null || segment.stamp === null) return true;
    const key = sampleKey(segment.sample, segment.epoch ?? 1);
    if (kept.has(key) || wanted.get(key) !== segment.stamp) return true;
    kept.add(key);
    return false;
  });
  store.deleteSegments(stale);
  return kept;
}

async function indexEval(
  context: Context,
  reader: EvalLogReader,
  file: FileByteSource,
  codecs: Codecs,
): Promise<void> {
  const refs = await reader.listSamples();
  const stamps = new Map(refs.map((ref) => [sampleKey(ref.id, ref.epoch), evalStamp(reader, ref)]));
  const kept = pruneSegments(context, stamps);
  writeRunFacts(context);
  for (const ref of refs) {
    const key = sampleKey(ref.id, ref.epoch);
    if (kept.has(key)) continue;
    await indexSample(
      context,
      { id: ref.id, epoch: ref.epoch },
      stamps.get(key)!,
      async (writer) => {
        const monolith = reader.directory.byName.get(monolithSampleEntryName(ref.id, ref.epoch));
        if (monolith && monolith.uncompressedSize <= parseWholeBytes(context)) {
          collectParsed(asJsonObject(await reader.readJson(monolith), monolith.name), writer);
          return;
        }
        const parts = monolith
          ? [{ entry: monolith, part: Part.Root }]
          : chunkedSampleParts(reader.directory, chunkedSampleFolder(ref.id, ref.epoch));
        // Decoded on this thread: the search index runs on a worker thread already.
        const decoder = await localDecoder(
          file,
          parts.map(({ entry }) => entry),
          codecs,
          context.options.spillDirectory,
        );
        const indexed = await indexEntries(decoder, parts, monolith ? 'monolith' : 'chunked', {
          signal: context.options.signal,
        });
        try {
          await collectIndexed(indexed.index, indexed.bytes, writer, itemDone(context, writer));
        } finally {
          await indexed.bytes.close();
        }
      },
    );
  }
}

async function indexJson(context: Context, file: FileByteSource): Promise<void> {
  // One pass finds every sample's byte range; each is then read on its own.
  const layout = await scanObjectLayout(file, new Set(['samples']));
  const spans = layout.elements.get('samples') ?? [];
  const version = `${context.identity.size}.${context.identity.mtimeMs}`;
  const stampOf = (span: { start: number }) => `${version}@${span.start}`;
  // Ids are read with each sample; a segment is kept when its stamp (file version and place) is.
  const stamps = new Map<string, string>();
  for (const segment of context.batch.write().segmentsOf(context.run)) {
    if (segment.sample !== null && segment.stamp?.startsWith(`${version}@`))
      stamps.set(sampleKey(segment.sample, segment.epoch ?? 1), segment.stamp);
  }
  const kept = pruneSegments(context, stamps);
  const done = new Set([...kept].map((key) => stamps.get(key)));
  writeRunFacts(context);
  for (const span of spans) {
    const stamp = stampOf(span);
    if (done.has(stamp)) continue;
    if (span.end - span.start <= parseWholeBytes(context)) {
      const value = parseInspectJsonBytes(
        await file.read(span.start, span.end - span.start),
        'A sample of the log',
      );
      if (!isJsonObject(value)) continue;
      await indexSample(context, identityOf(value), stamp, (writer) => {
        collectParsed(value, writer);
        return Promise.resolve();
      });
      continue;
    }
    const index = await indexInPlace(file, span.start, span.end, context.options.signal);
    const identity = await indexedIdentity(index, file);
    await indexSample(context, identity, stamp, (writer) =>
      collectIndexed(index, file, writer, itemDone(context, writer)),
    );
  }
}

function parseWholeBytes(context: Context): number {
  return context.options.parseWholeBytes ?? PARSE_WHOLE_BYTES;
}

function identityOf(sample: JsonObject): { id: string; epoch: number } {
  return { id: scalarText(sample.id), epoch: typeof sample.epoch === 'number' ? sample.epoch : 1 };
}

/** A large `.json` sample's id and epoch, from its index's top-level members. */
async function indexedIdentity(
  index: SampleIndex,
  file: FileByteSource,
): Promise<{ id: string; epoch: number }> {
  const read = async (key: string): Promise<JsonValue> => {
    const member = index.members.find((candidate) => candidate.key === key);
    return member
      ? parseInspectJsonBytes(await file.read(member.start, member.end - member.start), key)
      : null;
  };
  return identityOf({ id: await read('id'), epoch: await read('epoch') });
}

/** After each item of a large sample: commit when the batch is full, let other work in. */
function itemDone(context: Context, writer: SegmentWriter): () => Promise<void> {
  return async () => {
    context.batch.maybeCommit(writer);
    await context.batch.pause();
  };
}

/**
 * Index one sample into a segment of its own. A sample that cannot be read (a corrupt entry) is
 * left with an empty segment under the same stamp, so that it is tried again only when it changes.
 */
async function indexSample(
  context: Context,
  sample: { id: string; epoch: number },
  stamp: string,
  collect: (writer: SegmentWriter) => Promise<void>,
): Promise<void> {
  const store = context.batch.write();
  const writer = store.beginSegment(context.run, sample);
  try {
    await collect(writer);
    context.batch.write();
    writer.end(stamp);
    context.samples += 1;
    context.options.onSample?.();
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    const again = context.batch.write();
    writer.flush();
    again.deleteSegments([writer]);
    again.beginSegment(context.run, sample).end(stamp);
    context.failed += 1;
  }
  context.batch.maybeCommit();
  await context.batch.pause();
}

// ----- JSONL (verifiers, Codex) -----

/** Where a growing JSONL log's indexing stands. */
interface JsonlState {
  /** Just past the last complete line indexed. */
  readonly offset: number;
  /** Records read so far (a verifiers rollout's position names its example in old layouts). */
  readonly ordinal: number;
  /** Codex: messages so far (the next one's number). */
  readonly messages: number;
  /** Verifiers: the rollout plan the ids were read with; another plan means reading again. */
  readonly plan: string;
  /** Segments of a last record that had no newline yet: read again once the line is complete. */
  readonly tail: ReadonlyArray<number>;
}

function isJsonlState(value: unknown): value is JsonlState {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as JsonlState).offset === 'number' &&
    Array.isArray((value as JsonlState).tail)
  );
}

async function indexJsonl(
  context: Context,
  kind: JsonlRunKind,
  known: StoredRun | null,
): Promise<void> {
  const path = context.row.location;
  const runContext = readRunContext(path, kind);
  const plan = rolloutPlan(runContext);
  const planKey = kind === 'verifiers' ? JSON.stringify(plan) : '';
  const previous = known && isJsonlState(known.state) ? known.state : null;
  // The same file grown (same inode, no smaller) and read with the same plan resumes.
  const resume =
    previous !== null &&
    known !== null &&
    known.identity.inode === context.identity.inode &&
    known.identity.size <= context.identity.size &&
    previous.offset <= context.identity.size &&
    previous.plan === planKey;
  const store = context.batch.write();
  let state: JsonlState;
  if (resume) {
    store.deleteSegments(previous.tail.map((id) => ({ id })));
    state = { ...previous, tail: [] };
  } else {
    store.deleteSegments(store.segmentsOf(context.run));
    state = { offset: 0, ordinal: 0, messages: 0, plan: planKey, tail: [] };
  }
  writeRunFacts(context);
  const session = kind === 'codex' ? new CodexSession(context) : null;
  /** Index one record (a verifiers rollout, a Codex line); returns the segments it wrote. */
  const record = (value: JsonValue, counts: { ordinal: number; messages: number }): number[] => {
    if (session) return session.record(value, counts);
    const id = sampleIdOf(value, counts.ordinal, plan);
    counts.ordinal += 1;
    if (!isJsonObject(value)) return [];
    const write = context.batch.write();
    const epoch = write.epochsOf(context.run, id) + 1;
    const writer = write.beginSegment(context.run, { id, epoch });
    collectParsed(rolloutSample(value, id, epoch), writer);
    writer.end('line');
    context.samples += 1;
    context.options.onSample?.();
    return [writer.id];
  };
  const counts = { ordinal: state.ordinal, messages: state.messages };
  let offset = state.offset;
  // What a resume needs, saved in the transaction that commits the lines before `offset`.
  const checkpoint = (): void => {
    session?.flush();
    state = { ...state, offset, ordinal: counts.ordinal, messages: counts.messages };
    context.batch.write().saveRun(path, context.identity, context.facts, false, state);
  };
  const decoder = new TextDecoder();
  const file = await FileByteSource.open(path);
  let walk;
  try {
    walk = await walkLines(
      file,
      (line, start) => {
        const value = parseLine(decoder.decode(line));
        if (value !== undefined) record(value, counts);
        offset = start + line.length + 1;
        context.batch.maybeCommit(session?.openWriter, checkpoint);
      },
      state.offset,
    );
  } finally {
    await file.close();
  }
  session?.end();
  checkpoint();
  // A last record complete but for its newline is indexed now, and again once its line is whole.
  const tail = parseLine(decoder.decode(walk.tail));
  if (tail !== undefined) {
    const tailSession = session ? new CodexSession(context) : null;
    const tailCounts = { ordinal: counts.ordinal, messages: counts.messages };
    const segments = tailSession ? tailSession.record(tail, tailCounts) : record(tail, tailCounts);
    tailSession?.end();
    state = { ...state, tail: segments };
  }
  finish(context, state);
}

function parseLine(text: string): JsonValue | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return parseInspectJson(trimmed, 'record');
  } catch {
    return undefined;
  }
}

/** Keys of a Codex session's meta that repeat the same long instructions in every session. */
const CODEX_META_SKIPPED = new Set(['instructions', 'base_instructions']);

/**
 * A Codex session is one sample whose messages are its conversation; each pass over new lines
 * adds a segment of that sample (opened on the first record that has text).
 */
class CodexSession {
  private readonly context: Context;
  private writer: SegmentWriter | null = null;
  private texts: SampleTexts | null = null;

  constructor(context: Context) {
    this.context = context;
  }

  /** The session's segment while it is being written. */
  get openWriter(): SegmentWriter | undefined {
    return this.writer ?? undefined;
  }

  private open(): SampleTexts {
    if (!this.texts) {
      const store = this.context.batch.write();
      this.writer = store.beginSegment(this.context.run, { id: 'session', epoch: 1 });
      this.texts = new SampleTexts(this.writer);
    }
    return this.texts;
  }

  record(value: JsonValue, counts: { ordinal: number; messages: number }): number[] {
    const line = codexLine(value, counts.ordinal);
    counts.ordinal += 1;
    if (line.kind === 'meta') {
      const meta = Object.entries(line.meta).filter(([key]) => !CODEX_META_SKIPPED.has(key));
      this.open().field('metadata', Object.fromEntries(meta));
    } else if (line.kind === 'item') {
      const message = codexMessage(line.item);
      if (message) this.open().message(counts.messages++, message);
      // Reasoning is not a message of the session: it is found at the message it led to.
      else if (line.item.type === 'reasoning')
        this.open().message(counts.messages, line.item, 'reasoning');
    }
    return this.writer ? [this.writer.id] : [];
  }

  /** The rows so far belong to the segment (before a checkpoint commits them). */
  flush(): void {
    this.writer?.flush();
  }

  end(): void {
    if (!this.writer) return;
    this.context.batch.write();
    this.writer.end('lines');
    this.context.samples += 1;
    this.context.options.onSample?.();
  }
}
