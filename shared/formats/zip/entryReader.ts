import type { ByteSource } from '../bytes/byteSource.ts';
import { concatBytes } from '../bytes/littleEndian.ts';
import { SalvageError } from '../../util/errors.ts';
import {
  MAX_ENTRY_TEXT_BYTES,
  STREAM_CHUNK_BYTES,
  WHOLE_DECODE_MAX_BYTES,
} from '../../util/limits.ts';
import type { Codecs } from './codecs.ts';
import { decodeAllFrames, maxFramesFor, splitFrames } from '../zstd/frameSplitter.ts';
import { entryDataOffset } from './centralDirectory.ts';
import { METHOD_DEFLATE, METHOD_STORED, METHOD_ZSTD, type ZipEntry } from './zipEntry.ts';

/**
 * Stream an entry's decoded bytes, checking size and CRC-32 against the central directory.
 *
 * Memory stays bounded by the chunk size whatever the entry's size. A decoder that produces more
 * bytes than the directory declares is stopped at once (no decompression bomb), and a short or
 * corrupt entry ends with a typed error after its last chunk, because some zstd decoders accept
 * truncated input silently.
 */
export async function* readEntryChunks(
  source: ByteSource,
  entry: ZipEntry,
  codecs: Codecs,
): AsyncGenerator<Uint8Array> {
  if (entry.flags & 0x1) {
    throw new SalvageError(
      'unsupported-compression',
      `Entry "${entry.name}" is encrypted; Salvage cannot read encrypted zip entries.`,
    );
  }
  const dataOffset = await entryDataOffset(source, entry);
  const raw = readRange(source, dataOffset, entry.compressedSize);
  const decoded = canDecodeWhole(entry, codecs)
    ? decodeWhole(entry, await source.read(dataOffset, entry.compressedSize), codecs)
    : decode(entry, raw, codecs);
  let produced = 0;
  let crc = 0;
  try {
    for await (const chunk of decoded) {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) {
        throw new SalvageError(
          'size-mismatch',
          `Entry "${entry.name}" decodes to more than the ${entry.uncompressedSize} bytes its directory record declares; the archive is corrupt.`,
        );
      }
      crc = codecs.crc32(chunk, crc);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof SalvageError) throw error;
    throw new SalvageError(
      'corrupt-zip',
      `Entry "${entry.name}" could not be decompressed (${describe(error)}); its bytes are corrupt or truncated.`,
      { cause: error },
    );
  }
  if (produced !== entry.uncompressedSize) {
    throw new SalvageError(
      'size-mismatch',
      `Entry "${entry.name}" decoded to ${produced} bytes but its directory record declares ${entry.uncompressedSize}; the entry is truncated or corrupt.`,
    );
  }
  if (crc !== entry.crc32) {
    throw new SalvageError(
      'crc-mismatch',
      `Entry "${entry.name}" failed its CRC-32 check (expected ${hex(entry.crc32)}, got ${hex(crc)}); its bytes are corrupt.`,
    );
  }
}

/** A whole entry as bytes, refusing entries above `limit` before reading any of them. */
export async function readEntryBytes(
  source: ByteSource,
  entry: ZipEntry,
  codecs: Codecs,
  limit = MAX_ENTRY_TEXT_BYTES,
): Promise<Uint8Array> {
  if (entry.uncompressedSize > limit) {
    throw new SalvageError(
      'size-limit',
      `Entry "${entry.name}" is ${entry.uncompressedSize} bytes, above the ${limit}-byte limit for reading it whole.`,
    );
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of readEntryChunks(source, entry, codecs)) chunks.push(chunk);
  return concatBytes(chunks);
}

const utf8 = new TextDecoder('utf-8');

/** A whole entry decoded as UTF-8 text. */
export async function readEntryText(
  source: ByteSource,
  entry: ZipEntry,
  codecs: Codecs,
  limit = MAX_ENTRY_TEXT_BYTES,
): Promise<string> {
  return utf8.decode(await readEntryBytes(source, entry, codecs, limit));
}

function canDecodeWhole(entry: ZipEntry, codecs: Codecs): boolean {
  return (
    codecs.decodeWhole !== undefined &&
    (entry.method === METHOD_ZSTD || entry.method === METHOD_DEFLATE) &&
    entry.compressedSize <= WHOLE_DECODE_MAX_BYTES &&
    entry.uncompressedSize <= WHOLE_DECODE_MAX_BYTES
  );
}

/** A small entry decoded in one call per zstd frame (or one DEFLATE call). */
async function* decodeWhole(
  entry: ZipEntry,
  compressed: Uint8Array,
  codecs: Codecs,
): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  if (entry.method === METHOD_DEFLATE) {
    yield codecs.decodeWhole!('deflate', compressed, entry.uncompressedSize);
    return;
  }
  for (const frame of splitFrames(compressed, maxFramesFor(entry.uncompressedSize))) {
    yield codecs.decodeWhole!('zstd', frame, entry.uncompressedSize);
  }
}

function decode(
  entry: ZipEntry,
  raw: AsyncIterable<Uint8Array>,
  codecs: Codecs,
): AsyncIterable<Uint8Array> {
  switch (entry.method) {
    case METHOD_STORED:
      return raw;
    case METHOD_DEFLATE:
      return codecs.inflateRaw(raw, entry.uncompressedSize);
    case METHOD_ZSTD:
      return decodeAllFrames(
        raw,
        (frame) => codecs.zstdDecompress(frame, entry.uncompressedSize),
        codecs.decodeWhole ? smallFrameDecoder(codecs, entry.uncompressedSize) : undefined,
        maxFramesFor(entry.uncompressedSize),
      );
    default:
      throw new SalvageError(
        'unsupported-compression',
        `Entry "${entry.name}" uses zip compression method ${entry.method}, which Salvage does not decode (it reads stored, deflate and zstd: methods 0, 8 and 93).`,
      );
  }
}

/**
 * Decodes a small whole zstd frame at once, holding at most WHOLE_DECODE_MAX_BYTES of output (or
 * the entry's declared size, when less); null when it decodes to more, so that the frame is
 * streamed instead. Only the declared size bounds an entry, never its compression ratio.
 */
function smallFrameDecoder(
  codecs: Codecs,
  declared: number,
): (frame: Uint8Array) => Uint8Array | null {
  const limit = Math.min(declared, WHOLE_DECODE_MAX_BYTES);
  return (frame) => {
    const decoded = codecs.decodeWhole!('zstd', frame, limit);
    // Over the declared size: the reader reports it. Over the in-memory limit only: stream it.
    return decoded.length > limit && limit < declared ? null : decoded;
  };
}

/** Positional reads of a byte range in fixed-size chunks. */
export async function* readRange(
  source: ByteSource,
  offset: number,
  length: number,
  chunkBytes = STREAM_CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  const end = offset + length;
  for (let position = offset; position < end; position += chunkBytes) {
    yield await source.read(position, Math.min(chunkBytes, end - position));
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
