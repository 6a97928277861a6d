// The reader families of the fuzz harness: for each, the real fixtures it starts from, how an
// input is made from them, and what is run on an input. An input passes when every step either
// succeeds or fails with a typed SalvageError; anything else thrown is a bug (the harness adds
// hangs and memory). Used by `npm run fuzz` (scripts/fuzz.ts) and by the regression test that
// replays every saved crasher (test/fuzz-regressions/).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import zlib from 'node:zlib';
import { MemoryByteSource, type ByteSource } from '../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../shared/formats/inspect-eval/evalLogReader.ts';
import { summaryFromSample } from '../../shared/formats/inspect-eval/summaries.ts';
import { JsonLogReader } from '../../shared/formats/inspect-json/jsonLogReader.ts';
import {
  isJsonObject,
  parseInspectJson,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../../shared/formats/json/inspectJson.ts';
import { JsonlRunReader } from '../../shared/formats/jsonl/jsonlRunReader.ts';
import { LineIndex } from '../../shared/formats/jsonl/lineIndex.ts';
import { walkLines } from '../../shared/formats/jsonl/lineReader.ts';
import type { RunReader } from '../../shared/formats/runReader.ts';
import type { JsonlRunContext } from '../../shared/formats/runs/jsonlRunFacts.ts';
import {
  entryDataOffset,
  readCentralDirectory,
} from '../../shared/formats/zip/centralDirectory.ts';
import { readEntryChunks, readEntryText } from '../../shared/formats/zip/entryReader.ts';
import { scanLocalHeaders } from '../../shared/formats/zip/localHeaderScan.ts';
import { METHOD_ZSTD, type ZipEntry } from '../../shared/formats/zip/zipEntry.ts';
import {
  decodeAllFrames,
  maxFramesFor,
  splitFrames,
} from '../../shared/formats/zstd/frameSplitter.ts';
import { displayText, scoreLabels } from '../../shared/model/display.ts';
import { headerSummary } from '../../shared/model/headerSummary.ts';
import { runFacts } from '../../shared/model/runFacts.ts';
import { sampleFacts, searchTextOf } from '../../shared/model/sampleFacts.ts';
import {
  contentText,
  eventDepths,
  eventSummary,
  modelInputText,
} from '../../shared/model/transcript.ts';
import { diffConfigs } from '../../shared/resume/configDiff.ts';
import { isSalvageError, SalvageError } from '../../shared/util/errors.ts';
import { nodeZlibCodecs } from '../../electron/node/codecs/nodeZlibCodecs.ts';
import { planRecovery, recoverLog } from '../../electron/node/recovery/recoverLog.ts';
import { checkJsonl, repairJsonl, undoRepair } from '../../electron/node/repair/repairJsonl.ts';
import { readRunConfig } from '../../electron/node/resume/runConfig.ts';
import { MemoryZipSink, ZipWriter } from '../../electron/node/zip/zipWriter.ts';
import { FIXTURES_ROOT, fixture, JSONL_FIXTURES } from '../support/fixtures.ts';
import { concat, mutateBytes, mutateJsonText, mutateZip, mutateZstd } from './mutators.ts';
import type { Random } from './random.ts';

const codecs = nodeZlibCodecs();
const encoder = new TextEncoder();
const utf8 = new TextDecoder();

/** One family of readers under test. */
export interface Family {
  readonly name: string;
  readonly about: string;
  /** One input, made from the seeds (deterministic in `random`). */
  generate(random: Random): Uint8Array | Promise<Uint8Array>;
  /** Run the readers on an input; resolves when every step succeeded or failed with a typed error. */
  run(input: Uint8Array, scratch: string): Promise<Outcome>;
}

export type Outcome = 'success' | 'typed';

/** An input found to break the promise: not a typed error. */
export class FuzzBug extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FuzzBug';
  }
}

/** Steps of one input: typed errors are fine and counted, anything else escapes as the bug it is. */
class Steps {
  typed = 0;
  async step<T>(run: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (isSalvageError(error)) {
        this.typed += 1;
        return undefined;
      }
      throw error;
    }
  }
  get outcome(): Outcome {
    return this.typed > 0 ? 'typed' : 'success';
  }
}

// ---------------------------------------------------------------------------------------------
// Bundles: several files in one input (a log and its buffer, a log and its metadata).

const BUNDLE_MAGIC = encoder.encode('SALVAGE-FUZZ-BUNDLE\n');

export function bundle(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [BUNDLE_MAGIC];
  for (const [name, data] of files) {
    const nameBytes = encoder.encode(name);
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, nameBytes.length, true);
    new DataView(header.buffer).setUint32(4, data.length, true);
    parts.push(header, nameBytes, data);
  }
  return concat(parts);
}

export function unbundle(bytes: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = BUNDLE_MAGIC.length;
  while (at + 8 <= bytes.length) {
    const nameLength = view.getUint32(at, true);
    const dataLength = view.getUint32(at + 4, true);
    at += 8;
    const name = utf8.decode(bytes.subarray(at, at + nameLength));
    at += nameLength;
    files.set(name, bytes.subarray(at, at + dataLength));
    at += dataLength;
  }
  return files;
}

/** Write a bundle's files under `folder` (names are relative paths chosen by the harness). */
function writeBundle(folder: string, files: ReadonlyMap<string, Uint8Array>): void {
  for (const [name, data] of files) {
    const path = join(folder, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}

function digestOf(folder: string): string {
  const hash = createHash('sha256');
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const inner = join(path, name);
      if (statSync(inner).isDirectory()) walk(inner);
      else hash.update(relative(folder, inner)).update(readFileSync(inner));
    }
  };
  walk(folder);
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Seeds from the real fixtures (and the demo logs).

function filesUnder(root: string, test: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (test(name)) found.push(path);
    }
  };
  walk(root);
  return found;
}

const MAX_SEED_BYTES = 200 * 1024;

let evalSeedCache: Uint8Array[] | undefined;
function evalSeeds(): Uint8Array[] {
  evalSeedCache ??= filesUnder(join(FIXTURES_ROOT, 'inspect'), (name) => name.endsWith('.eval'))
    .filter((path) => statSync(path).size <= MAX_SEED_BYTES)
    .map((path) => new Uint8Array(readFileSync(path)));
  return evalSeedCache;
}

let jsonLogSeedCache: string[] | undefined;
function jsonLogSeeds(): string[] {
  jsonLogSeedCache ??= filesUnder(join(FIXTURES_ROOT, 'inspect'), (name) => name.endsWith('.json'))
    .filter((path) => !['manifest.json', 'case.json'].includes(basename(path)))
    .filter((path) => statSync(path).size <= MAX_SEED_BYTES)
    .map((path) => readFileSync(path, 'utf8'));
  return jsonLogSeedCache;
}

/** Every entry of the seed archives, decoded: the JSON texts Inspect writes. */
let entryTextCache: Array<{ archive: number; name: string; text: string }> | undefined;
async function entryTexts(): Promise<Array<{ archive: number; name: string; text: string }>> {
  if (entryTextCache) return entryTextCache;
  const texts: Array<{ archive: number; name: string; text: string }> = [];
  for (const [archive, bytes] of evalSeeds().entries()) {
    const source = new MemoryByteSource(bytes);
    try {
      for (const entry of (await readCentralDirectory(source)).entries)
        texts.push({ archive, name: entry.name, text: await readEntryText(source, entry, codecs) });
    } catch {
      // A truncated seed: its entries come through the local-header scan in other families.
    }
  }
  entryTextCache = texts;
  return texts;
}

let zstdSeedCache: Uint8Array[] | undefined;
async function zstdSeeds(): Promise<Uint8Array[]> {
  if (zstdSeedCache) return zstdSeedCache;
  const found: Uint8Array[] = [];
  for (const bytes of evalSeeds()) {
    const source = new MemoryByteSource(bytes);
    try {
      for (const entry of (await readCentralDirectory(source)).entries) {
        if (entry.method !== METHOD_ZSTD) continue;
        const offset = await entryDataOffset(source, entry);
        found.push(bytes.slice(offset, offset + entry.compressedSize));
      }
    } catch {
      // Not every seed has a directory.
    }
  }
  zstdSeedCache = found;
  return found;
}

interface JsonlSeed {
  readonly kind: 'verifiers' | 'codex';
  readonly log: Uint8Array;
  readonly metadata: Uint8Array | null;
}

let jsonlSeedCache: JsonlSeed[] | undefined;
function jsonlSeeds(): JsonlSeed[] {
  jsonlSeedCache ??= filesUnder(JSONL_FIXTURES, (name) => name.endsWith('.jsonl'))
    .filter((path) => statSync(path).size <= 400 * 1024)
    .map((path) => {
      const kind = path.includes('/codex/') ? ('codex' as const) : ('verifiers' as const);
      const metadataPath = join(dirname(path), 'metadata.json');
      let metadata: Uint8Array | null;
      try {
        metadata = new Uint8Array(readFileSync(metadataPath));
      } catch {
        metadata = null;
      }
      return { kind, log: new Uint8Array(readFileSync(path)), metadata };
    });
  return jsonlSeedCache;
}

// ---------------------------------------------------------------------------------------------
// Making inputs.

/** Entries of the seed archives compressed once per method (a rebuilt archive reuses them). */
const compressedCache = new Map<string, { data: Uint8Array; crc: number; size: number }>();

function compressed(key: string, text: string, method: number) {
  const cacheKey = `${key}\u0000${method}`;
  let found = compressedCache.get(cacheKey);
  if (!found) {
    const raw = encoder.encode(text);
    const data =
      method === 0
        ? raw
        : new Uint8Array(method === 8 ? zlib.deflateRawSync(raw) : zlib.zstdCompressSync(raw));
    found = { data, crc: zlib.crc32(raw), size: raw.length };
    compressedCache.set(cacheKey, found);
  }
  return found;
}

/** An archive rebuilt from entries, one of them mutated as a JSON tree (CRCs right, so readers go deep). */
async function rebuiltArchive(random: Random): Promise<Uint8Array> {
  const texts = await entryTexts();
  const archive = random.pick(texts).archive;
  const entries = texts.filter((entry) => entry.archive === archive);
  const sink = new MemoryZipSink();
  const writer = new ZipWriter(sink);
  const mutated = random.below(entries.length);
  for (const [index, entry] of entries.entries()) {
    const method = random.pick([0, 8, 93, 93]);
    if (index === mutated || random.chance(0.05)) {
      const data = mutateJsonText(random, entry.text, [encoder.encode(entry.text)]);
      const frameInputBytes =
        method === 93 && random.chance(0.2) ? random.pick([64, 1024, 65536]) : undefined;
      await writer.add(entry.name, data, {
        method,
        ...(frameInputBytes ? { frameInputBytes } : {}),
      });
      continue;
    }
    // Unchanged entries are compressed once and copied after that: most of an input's making.
    const packed = compressed(`${archive}/${index}`, entry.text, method);
    const copies = random.chance(0.03) ? 2 : 1; // sometimes a duplicate name
    for (let copy = 0; copy < copies; copy++) {
      await writer.addRaw(
        entry.name,
        {
          method,
          crc32: packed.crc,
          compressedSize: packed.data.length,
          uncompressedSize: packed.size,
        },
        (async function* () {
          yield await Promise.resolve(packed.data);
        })(),
      );
    }
  }
  await writer.finish({ forceZip64End: random.chance(0.1) });
  return sink.bytes();
}

/** A zip with one real bomb: `megabytes` of one byte, deflate or zstd, its sizes honest or not. */
function bombArchive(random: Random): Uint8Array {
  // Real bombs, a thousand to a hundred thousand to one; decoded in full within the time budget.
  const size = random.pick([1, 4, 8, 16]) * 1024 * 1024;
  const content = Buffer.alloc(size, random.pick([0x20, 0x00, 0x5b]));
  const zstd = random.chance(0.5);
  const compressed = zstd
    ? zlib.zstdCompressSync(content)
    : zlib.deflateRawSync(content, { level: 9 });
  const declared = random.pick([size, size - 1, 100, 0xffffffff, 2 ** 40]);
  const name = random.pick([
    'header.json',
    '_journal/start.json',
    'samples/1_epoch_1.json',
    'summaries.json',
  ]);
  const zip64 = declared >= 0xffffffff;
  const nameBytes = encoder.encode(name);
  const local = new Uint8Array(30 + nameBytes.length + (zip64 ? 20 : 0));
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 45, true);
  lv.setUint16(8, zstd ? 93 : 8, true);
  lv.setUint32(14, zlib.crc32(content), true);
  lv.setUint32(18, zip64 ? 0xffffffff : compressed.length, true);
  lv.setUint32(22, zip64 ? 0xffffffff : declared, true);
  lv.setUint16(26, nameBytes.length, true);
  lv.setUint16(28, zip64 ? 20 : 0, true);
  local.set(nameBytes, 30);
  if (zip64) {
    lv.setUint16(30 + nameBytes.length, 1, true);
    lv.setUint16(32 + nameBytes.length, 16, true);
    lv.setBigUint64(34 + nameBytes.length, BigInt(declared), true);
    lv.setBigUint64(42 + nameBytes.length, BigInt(compressed.length), true);
  }
  const start = encoder.encode('{"version":2,"eval":{"task":"t"},"plan":{}}');
  const startLocal = new Uint8Array(30 + 19);
  const sv = new DataView(startLocal.buffer);
  sv.setUint32(0, 0x04034b50, true);
  sv.setUint32(14, zlib.crc32(start), true);
  sv.setUint32(18, start.length, true);
  sv.setUint32(22, start.length, true);
  sv.setUint16(26, 19, true);
  startLocal.set(encoder.encode('_journal/start.json'), 30);
  const body = concat([startLocal, start, local, compressed]);
  const central = (header: Uint8Array, offset: number): Uint8Array => {
    const hv = new DataView(header.buffer, header.byteOffset);
    const nameLength = hv.getUint16(26, true);
    const extraLength = hv.getUint16(28, true);
    const record = new Uint8Array(46 + nameLength + extraLength + (extraLength ? 8 : 0));
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x02014b50, true);
    rv.setUint16(4, 45, true);
    rv.setUint16(6, 45, true);
    rv.setUint16(10, hv.getUint16(8, true), true);
    rv.setUint32(16, hv.getUint32(14, true), true);
    rv.setUint32(20, hv.getUint32(18, true), true);
    rv.setUint32(24, hv.getUint32(22, true), true);
    rv.setUint16(28, nameLength, true);
    rv.setUint16(30, extraLength ? extraLength + 8 : 0, true);
    rv.setUint32(42, offset, true);
    record.set(header.subarray(30, 30 + nameLength), 46);
    if (extraLength) {
      rv.setUint16(46 + nameLength, 1, true);
      rv.setUint16(48 + nameLength, 24, true);
      rv.setBigUint64(50 + nameLength, BigInt(declared), true);
      rv.setBigUint64(58 + nameLength, BigInt(compressed.length), true);
      rv.setBigUint64(66 + nameLength, BigInt(offset), true);
    }
    return record;
  };
  const directory = concat([
    central(startLocal, 0),
    central(local, startLocal.length + start.length),
  ]);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 2, true);
  ev.setUint16(10, 2, true);
  ev.setUint32(12, directory.length, true);
  ev.setUint32(16, body.length, true);
  return concat([body, directory, end]);
}

async function evalInput(random: Random): Promise<Uint8Array> {
  const roll = random.below(20);
  if (roll < 9) return rebuiltArchive(random);
  if (roll === 9) return bombArchive(random);
  let bytes = random.pick(evalSeeds());
  for (let n = random.smallSize(3); n > 0; n--)
    bytes = random.chance(0.6) ? mutateZip(random, bytes) : mutateBytes(random, bytes, evalSeeds());
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Running readers.

const MAX_SAMPLES_READ = 6;
const MAX_EVENTS_READ = 400;

/** What the UI and the CLI do with a sample: facts, text, transcript, the summary and JSON text. */
function useSample(sample: JsonObject): void {
  summaryFromSample(sample);
  displayText(sample.input);
  displayText(sample.target);
  scoreLabels(sample.scores);
  stringifyInspectJson(sample);
  const events = Array.isArray(sample.events)
    ? (sample.events as JsonValue[]).filter(isJsonObject).slice(0, MAX_EVENTS_READ)
    : [];
  eventDepths(events);
  for (const event of events) {
    eventSummary(event);
    modelInputText(event);
  }
  const messages = Array.isArray(sample.messages)
    ? (sample.messages as JsonValue[]).slice(0, MAX_EVENTS_READ)
    : [];
  for (const message of messages) if (isJsonObject(message)) contentText(message.content);
}

/** Everything a run reader offers, as the runs list, the run view, the sample view and the CLI read it. */
async function useReader(steps: Steps, reader: RunReader): Promise<void> {
  const header = await steps.step(() => reader.readHeader());
  const summaries = await steps.step(() => reader.readSummaries());
  if (header) {
    await steps.step(() => headerSummary(header));
    await steps.step(() => runFacts(header, summaries ?? []));
  }
  for (const summary of (summaries ?? []).slice(0, 500)) {
    await steps.step(() => searchTextOf(sampleFacts(summary)));
  }
  await steps.step(async () => {
    for await (const progress of reader.streamSummaries()) void progress;
  });
  await steps.step(() => reader.readReductions());
  const refs = (await steps.step(() => reader.listSamples())) ?? [];
  for (const ref of refs.slice(0, MAX_SAMPLES_READ)) {
    const sample = await steps.step(() => reader.readSample(ref.id, ref.epoch));
    if (sample) await steps.step(() => useSample(sample));
  }
}

async function runEval(input: Uint8Array): Promise<Outcome> {
  const steps = new Steps();
  const source: ByteSource = new MemoryByteSource(input);
  let reader: EvalLogReader | undefined;
  try {
    reader = await EvalLogReader.open(source, codecs);
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    steps.typed += 1;
    // What recovery does with an archive cut before its directory.
    if (error.kind === 'central-directory-missing') {
      const scan = await steps.step(() => scanLocalHeaders(source, codecs));
      if (scan)
        reader = await steps.step(() =>
          EvalLogReader.fromDirectory(source, scan.directory, codecs),
        );
    }
  }
  if (reader) {
    await useReader(steps, reader);
    // A recovery reads the same archive losslessly.
    const lossless = await steps.step(() =>
      EvalLogReader.fromDirectory(source, reader.directory, codecs, { lossless: true }),
    );
    if (lossless) {
      const refs = (await steps.step(() => lossless.listSamples())) ?? [];
      for (const ref of refs.slice(0, 2)) {
        const sample = await steps.step(() => lossless.readSample(ref.id, ref.epoch));
        if (sample) await steps.step(() => stringifyInspectJson(sample));
      }
    }
  }
  return steps.outcome;
}

async function runZip(input: Uint8Array): Promise<Outcome> {
  const steps = new Steps();
  const source = new MemoryByteSource(input);
  const directory = await steps.step(() => readCentralDirectory(source));
  for (const entry of (directory?.entries ?? []).slice(0, 100)) {
    await steps.step(async () => {
      for await (const chunk of readEntryChunks(source, entry, codecs)) void chunk;
    });
  }
  const scan = await steps.step(() => scanLocalHeaders(source, codecs));
  void scan;
  return steps.outcome;
}

/** A zstd entry as the zip reader meets it: its local header, then the data; sizes as declared. */
function zstdEntry(
  data: Uint8Array,
  declared: number,
): { source: MemoryByteSource; entry: ZipEntry } {
  const header = new Uint8Array(30 + 5);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x04034b50, true);
  view.setUint16(26, 5, true);
  header.set(encoder.encode('x.bin'), 30);
  return {
    source: new MemoryByteSource(concat([header, data])),
    entry: {
      name: 'x.bin',
      method: METHOD_ZSTD,
      flags: 0,
      crc32: 0,
      compressedSize: data.length,
      uncompressedSize: declared,
      localHeaderOffset: 0,
      index: 0,
    },
  };
}

async function runZstd(input: Uint8Array): Promise<Outcome> {
  const steps = new Steps();
  // Declared small (decoded in one call a frame), and large (streamed, small frames in one call).
  for (const declared of [64 * 1024, 64 * 1024 * 1024]) {
    const { source, entry } = zstdEntry(input, declared);
    await steps.step(async () => {
      for await (const chunk of readEntryChunks(source, entry, codecs)) void chunk;
    });
  }
  // The splitter fed odd chunk sizes, frames split across chunks.
  await steps.step(async () => {
    const chunked = async function* (): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < input.length; at += 4093)
        yield await Promise.resolve(input.subarray(at, at + 4093));
    };
    let produced = 0;
    // With the frame cap the entry reader applies for that size (it never decodes uncapped).
    const decoded = decodeAllFrames(
      chunked(),
      (frame) => codecs.zstdDecompress(frame, 1 << 26),
      (frame) => codecs.decodeWhole!('zstd', frame, 4 * 1024 * 1024),
      maxFramesFor(1 << 26),
    );
    for await (const chunk of decoded) {
      produced += chunk.length;
      if (produced > 1 << 26) throw new SalvageError('size-mismatch', 'over the declared size');
    }
  });
  await steps.step(() => splitFrames(input));
  return steps.outcome;
}

async function runJsonLog(input: Uint8Array): Promise<Outcome> {
  const steps = new Steps();
  const reader = await steps.step(() => JsonLogReader.open(new MemoryByteSource(input)));
  if (reader) await useReader(steps, reader);
  const lossless = await steps.step(() =>
    JsonLogReader.open(new MemoryByteSource(input), { lossless: true }),
  );
  if (lossless) await steps.step(() => lossless.readHeader());
  return steps.outcome;
}

async function runInspectJson(input: Uint8Array): Promise<Outcome> {
  const steps = new Steps();
  const text = utf8.decode(input);
  for (const lossless of [false, true]) {
    const value = await steps.step(() => parseInspectJson(text, 'input', { lossless }));
    if (value === undefined) continue;
    // Written and read back, a value is written the same again (numbers, markers and keys kept).
    const written = stringifyInspectJson(value);
    const again = stringifyInspectJson(parseInspectJson(written, 'written', { lossless }));
    if (again !== written)
      throw new FuzzBug(`a ${lossless ? 'lossless' : 'default'} round trip changed the value`);
  }
  return steps.outcome;
}

function contextOf(kind: 'verifiers' | 'codex', metadata: Uint8Array | undefined): JsonlRunContext {
  let parsed: JsonValue | undefined;
  try {
    parsed = metadata ? parseInspectJson(utf8.decode(metadata), 'metadata.json') : undefined;
  } catch (error) {
    if (!isSalvageError(error)) throw error;
  }
  return {
    kind,
    metadata: kind === 'verifiers' && isJsonObject(parsed) ? parsed : null,
    config: null,
    folder: 'run',
    parentFolder: 'env--model',
  };
}

async function runJsonl(input: Uint8Array): Promise<Outcome> {
  const steps = new Steps();
  const files = unbundle(input);
  const log = files.get('log.jsonl') ?? new Uint8Array();
  const kind = files.has('codex') ? 'codex' : 'verifiers';
  const source = new MemoryByteSource(log);
  const index = new LineIndex(source);
  await steps.step(async () => {
    const count = await index.build();
    await index.lines(0, Math.min(count, 50));
    if (count > 0) await index.line(count - 1);
  });
  await steps.step(() => walkLines(source, () => {}));
  const reader = new JsonlRunReader(source, contextOf(kind, files.get('metadata.json')));
  await steps.step(() => reader.facts());
  await useReader(steps, reader);
  return steps.outcome;
}

function jsonlInput(random: Random): Uint8Array {
  const seed = random.pick(jsonlSeeds());
  let log = seed.log;
  const roll = random.below(4);
  if (roll < 2) {
    // One or a few lines mutated as JSON trees.
    const lines = utf8.decode(log).split('\n');
    for (let n = random.smallSize(3); n > 0; n--) {
      const at = random.below(lines.length);
      lines[at] = utf8.decode(mutateJsonText(random, lines[at]!, [log]));
    }
    log = encoder.encode(lines.join('\n'));
  } else if (roll === 2) {
    // Torn or spliced: cut a line short, glue lines, drop newlines.
    const text = utf8.decode(log);
    const cut = random.below(text.length);
    log = encoder.encode(
      random.chance(0.5)
        ? text.slice(0, cut)
        : text.slice(0, cut) + text.slice(text.indexOf('\n', cut) + 1 || cut),
    );
  } else
    log = mutateBytes(
      random,
      log,
      jsonlSeeds().map((item) => item.log),
    );
  const files = new Map<string, Uint8Array>([['log.jsonl', log]]);
  if (seed.kind === 'codex') files.set('codex', new Uint8Array());
  if (seed.metadata) {
    const metadata = random.chance(0.3)
      ? mutateJsonText(random, utf8.decode(seed.metadata), [seed.metadata])
      : seed.metadata;
    files.set('metadata.json', metadata);
  }
  return bundle(files);
}

// ---------------------------------------------------------------------------------------------
// Recovery: a crashed log with its buffer (filestore and database), one part mutated.

const CRASH_FOLDER = fixture('synthetic/crash-with-buffer');
const CRASH_NAME = '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001';

let crashSeedCache: Map<string, Uint8Array> | undefined;
export function crashSeed(): Map<string, Uint8Array> {
  if (crashSeedCache) return crashSeedCache;
  const files = new Map<string, Uint8Array>();
  const logs = join(CRASH_FOLDER, 'logs');
  for (const path of filesUnder(logs, () => true))
    files.set(`logs/${relative(logs, path)}`, new Uint8Array(readFileSync(path)));
  const buffers = join(CRASH_FOLDER, 'samplebuffer');
  for (const path of filesUnder(buffers, () => true))
    files.set(`buffers/${basename(path)}`, new Uint8Array(readFileSync(path)));
  crashSeedCache = files;
  return files;
}

/** A buffer database changed through SQL: rows with hostile JSON, tables or columns gone. */
function mutateDatabase(
  random: Random,
  database: Uint8Array,
  wal: Uint8Array | undefined,
  scratch: string,
): Uint8Array {
  mkdirSync(scratch, { recursive: true });
  const path = join(scratch, 'mutate.db');
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  writeFileSync(path, database);
  if (wal) writeFileSync(`${path}-wal`, wal);
  const db = new DatabaseSync(path);
  try {
    const table = random.pick(['samples', 'events', 'attachments', 'message_pool', 'call_pool']);
    switch (random.below(5)) {
      case 0:
        db.exec(`DROP TABLE ${table}`);
        break;
      case 1: {
        const column = random.pick([
          'data',
          'id',
          'epoch',
          'sample_id',
          'hash',
          'content',
          'event_id',
          'sample_metadata',
        ]);
        try {
          db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
        } catch {
          // Not a column of that table, or one SQLite will not drop.
        }
        break;
      }
      case 2: {
        const rows = db.prepare(`SELECT rowid, * FROM ${table}`).all() as Array<
          Record<string, unknown>
        >;
        const row = rows.length ? random.pick(rows) : undefined;
        const column = table === 'attachments' ? 'content' : 'data';
        if (row && typeof row[column] === 'string') {
          const value = mutateJsonText(random, row[column], []);
          db.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`).run(
            utf8.decode(value),
            row.rowid as number,
          );
        }
        break;
      }
      case 3:
        db.prepare(
          `UPDATE ${table} SET ${table === 'samples' ? 'epoch' : 'id'} = ? WHERE rowid = (SELECT min(rowid) FROM ${table})`,
        ).run(
          random.pick<number | bigint | string | null>([9007199254740993n, -1, 'x', null, 2 ** 62]),
        );
        break;
      default:
        db.exec(
          `INSERT INTO samples (id, epoch, data) VALUES ('__proto__', 1, '{"id": "__proto__", "epoch": 1, "model_usage": {"__proto__": {"input_tokens": 1}}, "completed_at": "x"}')`,
        );
    }
  } catch {
    // A mutation SQLite refuses leaves the database as it was.
  }
  db.close();
  return new Uint8Array(readFileSync(path));
}

function recoveryInput(random: Random, scratch: string): Uint8Array {
  const files = new Map(crashSeed());
  const names = [...files.keys()];
  const manifest = names.find((name) => name.endsWith('manifest.json'))!;
  const segments = names.filter((name) => /segment\.\d+\.zip$/.test(name));
  const database = names.find((name) => name.endsWith('.db'))!;
  const log = names.find((name) => name.endsWith('.eval'))!;
  switch (random.below(6)) {
    case 0:
    case 1:
      files.set(manifest, mutateJsonText(random, utf8.decode(files.get(manifest)), []));
      break;
    case 2: {
      const segment = random.pick(segments);
      files.set(
        segment,
        random.chance(0.5)
          ? mutateZip(random, files.get(segment)!)
          : mutateBytes(random, files.get(segment)!, []),
      );
      break;
    }
    case 3: {
      const mutated = mutateDatabase(
        random,
        files.get(database)!,
        files.get(`${database}-wal`),
        scratch,
      );
      files.set(database, mutated);
      files.delete(`${database}-wal`);
      files.delete(`${database}-shm`);
      break;
    }
    case 4: {
      // Database pages themselves damaged.
      files.set(database, mutateBytes(random, files.get(database)!, []));
      if (random.chance(0.5))
        files.set(`${database}-wal`, mutateBytes(random, files.get(`${database}-wal`)!, []));
      break;
    }
    default:
      files.set(
        log,
        random.chance(0.5)
          ? mutateZip(random, files.get(log)!)
          : mutateBytes(random, files.get(log)!, []),
      );
  }
  if (random.chance(0.2))
    files.delete(random.pick(random.chance(0.5) ? segments : [database, manifest]));
  return bundle(files);
}

async function runRecovery(input: Uint8Array, scratch: string): Promise<Outcome> {
  const steps = new Steps();
  const folder = join(scratch, 'run');
  rmSync(folder, { recursive: true, force: true });
  const files = unbundle(input);
  writeBundle(folder, files);
  const log = join(folder, 'logs', `${CRASH_NAME}.eval`);
  const bufferDir = join(folder, 'buffers');
  mkdirSync(bufferDir, { recursive: true });
  const before = digestOf(folder);
  mkdirSync(join(folder, 'out'));
  // The plan is what a recovery computes first; a plan alone, now and then (it costs a recovery's read).
  if (input.length % 4 === 0) await steps.step(() => planRecovery(log, { bufferDir }));
  const report = await steps.step(() =>
    recoverLog(log, { bufferDir, output: join(folder, 'out', 'recovered.eval') }),
  );
  const written = join(folder, 'out', 'recovered.eval');
  if (report) {
    // What was written reads back (recoverLog checked every entry's CRC before the rename).
    const reader = await EvalLogReader.open(
      new MemoryByteSource(new Uint8Array(readFileSync(written))),
      codecs,
    );
    await reader.readHeader();
    const refs = await reader.listSamples();
    if (refs[0]) await reader.readSample(refs[0].id, refs[0].epoch);
    rmSync(join(folder, 'out'), { recursive: true, force: true });
  }
  // Nothing the user owns changed (the output folder aside).
  rmSync(join(folder, 'out'), { recursive: true, force: true });
  if (digestOf(folder) !== before)
    throw new FuzzBug('recovery changed the crashed log or its buffer');
  rmSync(folder, { recursive: true, force: true });
  return steps.outcome;
}

// ---------------------------------------------------------------------------------------------
// Repair: a JSONL log damaged as crashes and resumes damage it; the repair must need no second
// pass, and its undo must give back the exact bytes.

const noWriters = (): Promise<{ writers: never[]; complete: boolean }> =>
  Promise.resolve({ writers: [], complete: true });

function repairInput(random: Random): Uint8Array {
  const seed = random.pick(jsonlSeeds()).log;
  const text = utf8.decode(seed);
  const lines = text.split('\n').filter(Boolean);
  const damaged: string[] = [];
  for (const line of lines.slice(0, random.smallSize(lines.length))) {
    const roll = random.below(12);
    if (roll === 0)
      damaged.push(line.slice(0, random.below(line.length)) + random.pick(lines)); // torn + resumed
    else if (roll === 1)
      damaged.push(line + random.pick(lines)); // glued
    else if (roll === 2)
      damaged.push(line.slice(0, random.below(line.length))); // torn in the middle
    else damaged.push(line);
  }
  let out = damaged.join('\n') + (random.chance(0.5) ? '\n' : '');
  if (random.chance(0.5)) out = out.slice(0, out.length - random.below(Math.min(out.length, 4000)));
  let bytes: Uint8Array = encoder.encode(out);
  if (random.chance(0.3)) bytes = mutateBytes(random, bytes, [seed]);
  return bytes;
}

async function runRepair(input: Uint8Array, scratch: string): Promise<Outcome> {
  const steps = new Steps();
  const folder = join(scratch, 'repair');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const log = join(folder, 'results.jsonl');
  writeFileSync(log, input);
  const check = await steps.step(() => checkJsonl(log));
  const report = await steps.step(() => repairJsonl(log, new Date(), noWriters));
  if (report?.repaired) {
    const again = await checkJsonl(log);
    if (again.plans.length > 0)
      throw new FuzzBug(
        `a repaired log needs another repair: ${again.plans.map((plan) => plan.action).join(', ')}`,
      );
    await undoRepair(report.sidecar!, noWriters);
    if (Buffer.compare(readFileSync(log), input) !== 0)
      throw new FuzzBug('undo did not give back the original bytes');
  } else if (Buffer.compare(readFileSync(log), input) !== 0) {
    throw new FuzzBug('a repair that repaired nothing changed the log');
  }
  void check;
  rmSync(folder, { recursive: true, force: true });
  return steps.outcome;
}

// ---------------------------------------------------------------------------------------------
// Config diff: two configurations of one kind, the second mutated.

let configSeedCache: Array<{ kind: 'inspect' | 'verifiers'; text: string }> | undefined;
async function configSeeds(): Promise<Array<{ kind: 'inspect' | 'verifiers'; text: string }>> {
  if (configSeedCache) return configSeedCache;
  const seeds: Array<{ kind: 'inspect' | 'verifiers'; text: string }> = [];
  for (const path of filesUnder(JSONL_FIXTURES, (name) => name === 'metadata.json'))
    seeds.push({ kind: 'verifiers', text: readFileSync(path, 'utf8') });
  for (const entry of (await entryTexts())
    .filter((item) => item.name === 'header.json')
    .slice(0, 10)) {
    const header = parseInspectJson(entry.text, 'header');
    if (isJsonObject(header))
      seeds.push({
        kind: 'inspect',
        text: stringifyInspectJson({ eval: header.eval ?? {}, plan: header.plan ?? {} }),
      });
  }
  configSeedCache = seeds;
  return seeds;
}

const TOML_SEED = `model = "gpt-4.1-mini"\nnum_tasks = 10\nnum_rollouts = 2\n[sampling]\ntemperature = 0.7\nmax_tokens = 1024\n[env]\nid = "math"\n`;

function configInput(
  random: Random,
  seeds: Array<{ kind: 'inspect' | 'verifiers'; text: string }>,
): Uint8Array {
  if (random.chance(0.15)) {
    let toml = TOML_SEED;
    if (random.chance(0.3)) toml = `${'['.repeat(random.smallSize(5000))}\n${toml}`;
    if (random.chance(0.3))
      toml += `deep = ${'['.repeat(random.smallSize(20000))}1${']'.repeat(random.smallSize(20000))}\n`;
    return bundle(new Map([['config.toml', mutateBytes(random, encoder.encode(toml), [])]]));
  }
  const seed = random.pick(seeds);
  const b = mutateJsonText(random, seed.text, []);
  return bundle(
    new Map([
      ['a.json', encoder.encode(seed.text)],
      ['b.json', b],
      [seed.kind, new Uint8Array()],
    ]),
  );
}

async function runConfig(input: Uint8Array, scratch: string): Promise<Outcome> {
  const steps = new Steps();
  const files = unbundle(input);
  const toml = files.get('config.toml');
  if (toml) {
    const folder = join(scratch, 'toml-run');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'config.toml'), toml);
    writeFileSync(join(folder, 'results.jsonl'), '');
    const config = await steps.step(() => readRunConfig(join(folder, 'results.jsonl')));
    if (config) await steps.step(() => diffConfigs(config.config, config.config, 'verifiers'));
    rmSync(folder, { recursive: true, force: true });
    return steps.outcome;
  }
  const kind = files.has('inspect') ? 'inspect' : 'verifiers';
  const a = await steps.step(() => parseInspectJson(utf8.decode(files.get('a.json')), 'a'));
  const b = await steps.step(() => parseInspectJson(utf8.decode(files.get('b.json')), 'b'));
  if (a !== undefined && b !== undefined) {
    await steps.step(() => diffConfigs(a, b, kind));
    await steps.step(() => diffConfigs(b, b, kind));
  }
  return steps.outcome;
}

// ---------------------------------------------------------------------------------------------

/** Made once per process (the seeds' entries decoded); `generate` stays synchronous after that. */
export async function loadFamilies(scratch: string): Promise<Family[]> {
  const texts = await entryTexts();
  const zstd = await zstdSeeds();
  const configs = await configSeeds();
  const jsonTexts = [
    ...texts.map((entry) => entry.text).filter((text) => text.length <= MAX_SEED_BYTES),
    ...jsonLogSeeds(),
    ...jsonlSeeds().flatMap((seed) =>
      utf8.decode(seed.log).split('\n').filter(Boolean).slice(0, 3),
    ),
  ];
  return [
    {
      name: 'zip',
      about: 'central directory, ZIP64, entry streams, local-header scan',
      generate: (random) => {
        let bytes = random.chance(0.1) ? bombArchive(random) : random.pick(evalSeeds());
        for (let n = random.smallSize(3); n > 0; n--)
          bytes = random.chance(0.7)
            ? mutateZip(random, bytes)
            : mutateBytes(random, bytes, evalSeeds());
        return bytes;
      },
      run: (input) => runZip(input),
    },
    {
      name: 'zstd',
      about: 'zstd frame splitting and per-frame decoding (streamed, small frames, whole)',
      generate: (random) => {
        let bytes = random.pick(zstd);
        for (let n = random.smallSize(2); n > 0; n--) bytes = mutateZstd(random, bytes);
        return bytes;
      },
      run: (input) => runZstd(input),
    },
    {
      name: 'eval',
      about: 'Inspect .eval logs: header, summaries, samples (pools, attachments, chunked), facts',
      generate: (random) => evalInput(random),
      run: (input) => runEval(input),
    },
    {
      name: 'json-log',
      about: 'Inspect .json logs: structure scan, header, samples',
      generate: (random) => {
        const text = random.pick(jsonLogSeeds());
        return random.chance(0.7)
          ? mutateJsonText(random, text, [])
          : mutateBytes(random, encoder.encode(text), []);
      },
      run: (input) => runJsonLog(input),
    },
    {
      name: 'inspect-json',
      about:
        'the Inspect JSON parser and writer, both modes (NaN, big integers, deep nesting, markers)',
      generate: (random) => {
        if (random.chance(0.1)) {
          const depth = random.pick([3_000, 10_000, 100_000]);
          const inner = random.pick([
            'NaN',
            '12345678901234567890',
            '2.0',
            '"\\u0000salvage-number:Infinity"',
            '1',
          ]);
          return encoder.encode(
            random.chance(0.5)
              ? '['.repeat(depth) + inner + ']'.repeat(depth)
              : '{"a":'.repeat(depth) + inner + '}'.repeat(depth),
          );
        }
        return mutateJsonText(random, random.pick(jsonTexts), []);
      },
      run: (input) => runInspectJson(input),
    },
    {
      name: 'jsonl',
      about: 'JSONL line index and the verifiers and Codex run readers',
      generate: (random) => jsonlInput(random),
      run: (input) => runJsonl(input),
    },
    {
      name: 'recovery',
      about: 'recovery inputs: manifest, segment zips, buffer database, crashed log',
      generate: (random) => recoveryInput(random, join(scratch, 'generate')),
      run: (input, folder) => runRecovery(input, folder),
    },
    {
      name: 'repair',
      about: 'repair plans, the repair and its undo on torn and spliced JSONL logs',
      generate: (random) => repairInput(random),
      run: (input, folder) => runRepair(input, folder),
    },
    {
      name: 'config',
      about: 'the config diff (Inspect specs, verifiers metadata, v1 config.toml)',
      generate: (random) => configInput(random, configs),
      run: (input, folder) => runConfig(input, folder),
    },
  ];
}
