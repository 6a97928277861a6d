import type { ByteSource, ClosableByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import {
  chunkedSampleFolder,
  monolithSampleEntryName,
  parseSampleEntryName,
} from '../../../shared/formats/inspect-eval/entryNames.ts';
import { JsonLogReader } from '../../../shared/formats/inspect-json/jsonLogReader.ts';
import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { JsonScanner } from '../../../shared/formats/json/jsonScanner.ts';
import { scanObjectLayout } from '../../../shared/formats/json/jsonStructure.ts';
import type { SampleLayoutKind } from '../../../shared/formats/sample/pageTypes.ts';
import {
  Part,
  SampleIndexer,
  type SampleIndex,
} from '../../../shared/formats/sample/sampleIndex.ts';
import { chunkedSampleParts, findJsonSample } from '../../../shared/formats/sample/samplePlaces.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { readEntryChunks } from '../../../shared/formats/zip/entryReader.ts';
import type { ZipEntry } from '../../../shared/formats/zip/zipEntry.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { STREAM_CHUNK_BYTES } from '../../../shared/util/limits.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import { openLogReader, openLogSource } from '../logs/openLog.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { asBuffer, bufferReads } from '../io/bufferReads.ts';
import { DecodeThread, defaultDecodeWorkerUrl } from './decodeThread.ts';
import {
  decodedSink,
  MEMORY_SAMPLE_BYTES,
  SpillFile,
  spillDirectory,
  type DecodedSink,
} from './spillFile.ts';

/** An indexed sample and the bytes its offsets refer to; close it to release them. */
export interface IndexedSample {
  readonly index: SampleIndex;
  readonly bytes: ClosableByteSource;
  /** Bytes written to a spill file for it (0 when in memory or read in place). */
  readonly spilledBytes: number;
}

export interface IndexOptions {
  readonly codecs?: Codecs;
  /** Folder of spill files (default: spillDirectory()). */
  readonly spillDirectory?: string;
  /** Stops the indexing (a handle closed while its sample is still being indexed). */
  readonly signal?: AbortSignal;
  /**
   * The decode thread's module (see decodeThread.ts): the bundled build's, or null to decode on
   * the calling thread. Used for a local `.eval` sample that spills, with the default codecs.
   */
  readonly decodeWorkerUrl?: URL | null;
}

/**
 * Index sample (id, epoch) of the log at `path` in one pass over its bytes, whatever their size:
 * a `.eval` sample entry (or the entries of a chunked sample) decoded as a stream into memory or
 * a spill file, a `.json` log's sample in place, a verifiers or Codex sample (small) in memory.
 */
export async function indexSample(
  path: string,
  id: string,
  epoch: number,
  options: IndexOptions = {},
): Promise<IndexedSample> {
  const codecs = options.codecs ?? defaultCodecs();
  const file = await openLogSource(path);
  let keepFile = false;
  try {
    const reader = await openLogReader(file, path, codecs);
    if (reader instanceof EvalLogReader) {
      const monolith = reader.directory.byName.get(monolithSampleEntryName(id, epoch));
      if (monolith)
        return await indexEntries(
          await entryDecoder(file, path, [monolith], options),
          [{ entry: monolith, part: Part.Root }],
          'monolith',
          options,
        );
      const chunked = reader.directory.entries.some((entry) => {
        const parsed = parseSampleEntryName(entry.name);
        return parsed?.layout === 'chunked' && parsed.id === id && parsed.epoch === epoch;
      });
      if (chunked) {
        const parts = chunkedSampleParts(reader.directory, chunkedSampleFolder(id, epoch));
        const decoder = await entryDecoder(
          file,
          path,
          parts.map(({ entry }) => entry),
          options,
        );
        return await indexEntries(decoder, parts, 'chunked', options);
      }
      throw new SalvageError(
        'sample-not-found',
        `Sample id ${id} epoch ${epoch} is not in this log${reader.isStarted ? ' (the run has not flushed it yet, or crashed before it did)' : ''}.`,
      );
    }
    if (reader instanceof JsonLogReader) {
      const layout = await scanObjectLayout(file, new Set(['samples']));
      const span = await findJsonSample(file, layout.elements.get('samples') ?? [], id, epoch);
      if (!span)
        throw new SalvageError(
          'sample-not-found',
          `Sample id ${id} epoch ${epoch} is not in this log.`,
        );
      const index = await indexInPlace(file, span.start, span.end, options.signal);
      keepFile = true;
      return { index, bytes: buffered(file), spilledBytes: 0 };
    }
    // Verifiers and Codex samples are small: their whole-sample form, indexed in memory.
    const sample = await reader.readSample(id, epoch);
    const sink = await decodedSink(0);
    await sink.append(Buffer.from(stringifyInspectJson(sample)));
    const bytes = await sink.finish();
    const indexer = new SampleIndexer('jsonl');
    scan(indexer, Part.Root, 0, [await bytes.read(0, bytes.size)], 'The sample');
    return { index: indexer.finish(), bytes, spilledBytes: 0 };
  } finally {
    if (!keepFile) await file.close();
  }
}

/** Where an entry's decoded bytes come from, and where they are kept. */
export interface EntryDecoder {
  /** The entry's bytes, decoded and checked (size, CRC-32); entries asked for in byte order. */
  chunks(entry: ZipEntry): AsyncGenerator<Uint8Array>;
  readonly sink: DecodedSink;
}

/** Decoding on this thread into a sink of its own (memory, or a spill file written from here). */
export async function localDecoder(
  file: ByteSource,
  entries: ReadonlyArray<ZipEntry>,
  codecs: Codecs,
  spillDirectory?: string,
): Promise<EntryDecoder> {
  return {
    chunks: (entry) => readEntryChunks(file, entry, codecs),
    sink: await decodedSink(totalBytes(entries), spillDirectory),
  };
}

/**
 * A large sample of a local file decodes on a thread of its own, beside the scan (see
 * decodeThread.ts); a small one (in memory), a sample in a bucket, or one read with codecs
 * given by the caller, on this thread.
 */
async function entryDecoder(
  file: ClosableByteSource,
  path: string,
  entries: ReadonlyArray<ZipEntry>,
  options: IndexOptions,
): Promise<EntryDecoder> {
  const url =
    options.decodeWorkerUrl === undefined ? defaultDecodeWorkerUrl() : options.decodeWorkerUrl;
  const total = totalBytes(entries);
  if (
    url === null ||
    options.codecs ||
    !(file instanceof FileByteSource) ||
    total <= MEMORY_SAMPLE_BYTES
  )
    return localDecoder(file, entries, options.codecs ?? defaultCodecs(), options.spillDirectory);
  const spill = await SpillFile.create(options.spillDirectory ?? spillDirectory(), total);
  const thread = new DecodeThread(
    url,
    { path, fileSize: file.size, spillFd: spill.fd, spillPath: spill.path },
    options.signal,
  );
  return { chunks: (entry) => thread.chunks(entry), sink: threadWrittenSink(spill, thread) };
}

/** The spill file as the decode thread writes it: appends only count; the thread is closed first. */
function threadWrittenSink(spill: SpillFile, thread: DecodeThread): DecodedSink {
  let size = 0;
  return {
    spilled: true,
    get size() {
      return size;
    },
    append: (chunk) => {
      size += chunk.length;
      return undefined;
    },
    finish: async () => {
      await thread.close();
      return spill.source(size);
    },
    abort: async () => {
      await thread.close();
      await spill.discard();
    },
  };
}

function totalBytes(entries: ReadonlyArray<ZipEntry>): number {
  return entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
}

/** Index each entry as it decodes, into one byte space (the decoder's sink). */
export async function indexEntries(
  decoder: EntryDecoder,
  parts: ReadonlyArray<{ entry: ZipEntry; part: Part }>,
  layout: SampleLayoutKind,
  options: Pick<IndexOptions, 'signal'>,
): Promise<IndexedSample> {
  const sink = decoder.sink;
  const indexer = new SampleIndexer(layout);
  try {
    for (const { entry, part } of parts) {
      indexer.beginPart(part);
      const scanner = new JsonScanner(indexer, { base: sink.size, what: `Entry "${entry.name}"` });
      indexer.scanner = scanner;
      // Iterated by hand: a for-await would close the entry's stream on a scan error, and
      // zipCause needs to read on.
      const chunks = decoder.chunks(entry);
      try {
        for (let step = await chunks.next(); !step.done; step = await chunks.next()) {
          options.signal?.throwIfAborted();
          const bytes = asBuffer(step.value);
          // A spill write goes to another thread while this thread scans the same bytes.
          const written = sink.append(bytes);
          scanner.push(bytes);
          if (written) await written;
        }
        scanner.finish();
      } catch (error) {
        throw await zipCause(chunks, error);
      }
    }
    const bytes = await sink.finish();
    return { index: indexer.finish(), bytes, spilledBytes: sink.spilled ? bytes.size : 0 };
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/**
 * Bad JSON inside an entry is often a corrupt entry: decode the rest, and if the entry fails its
 * own checks (CRC, size, compressed data) report that, the cause, rather than the JSON.
 */
async function zipCause(chunks: AsyncGenerator<Uint8Array>, error: unknown): Promise<unknown> {
  try {
    if (!(error instanceof SalvageError) || error.kind !== 'invalid-json') return error;
    while (!(await chunks.next()).done);
  } catch (cause) {
    if (cause instanceof SalvageError) return cause;
  } finally {
    await chunks.return(undefined);
  }
  return error;
}

/** Index the value at [start, end) of a file where it lies (a `.json` log's sample). */
export async function indexInPlace(
  file: ByteSource,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<SampleIndex> {
  const indexer = new SampleIndexer('json');
  const scanner = new JsonScanner(indexer, { base: start, what: 'The sample' });
  indexer.scanner = scanner;
  indexer.beginPart(Part.Root);
  for (let position = start; position < end; position += STREAM_CHUNK_BYTES) {
    signal?.throwIfAborted();
    scanner.push(asBuffer(await file.read(position, Math.min(STREAM_CHUNK_BYTES, end - position))));
  }
  scanner.finish();
  return indexer.finish();
}

function scan(
  indexer: SampleIndexer,
  part: Part,
  base: number,
  chunks: Uint8Array[],
  what: string,
): void {
  indexer.beginPart(part);
  const scanner = new JsonScanner(indexer, { base, what });
  indexer.scanner = scanner;
  for (const chunk of chunks) scanner.push(asBuffer(chunk));
  scanner.finish();
}

/** A file's reads as Buffers, closing the file on close. */
function buffered(file: ClosableByteSource): ClosableByteSource {
  return {
    ...bufferReads(file),
    close: () => file.close(),
  };
}
