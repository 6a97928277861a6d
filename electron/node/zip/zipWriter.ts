import { through, zlibChunkBytes } from '../codecs/nodeZlibCodecs.ts';
import zlib from 'node:zlib';
import {
  METHOD_DEFLATE,
  METHOD_STORED,
  METHOD_ZSTD,
} from '../../../shared/formats/zip/zipEntry.ts';

/** Where archive bytes go: appended in order, with header fields patched afterwards at known offsets. */
export interface ZipSink {
  /** Bytes written so far (the offset of the next append). */
  readonly position: number;
  append(bytes: Uint8Array): Promise<void>;
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
}

/** Bytes in memory: for tests and small archives such as segment zips. */
export class MemoryZipSink implements ZipSink {
  private buffer = new Uint8Array(64 * 1024);
  position = 0;

  append(bytes: Uint8Array): Promise<void> {
    this.ensure(this.position + bytes.length);
    this.buffer.set(bytes, this.position);
    this.position += bytes.length;
    return Promise.resolve();
  }

  writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    this.buffer.set(bytes, offset);
    return Promise.resolve();
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.position);
  }

  private ensure(size: number): void {
    if (size <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(size, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.position));
    this.buffer = grown;
  }
}

/** Inspect's zstd frame cap: a new frame every 200 MiB of input, so fzstd-based viewers can decode it (PR #3746). */
export const ZSTD_FRAME_INPUT_BYTES = 200 * 1024 * 1024;

/** Entries up to this size are compressed in one call rather than streamed (see WHOLE_DECODE_MAX_BYTES). */
const WHOLE_COMPRESS_MAX_BYTES = 4 * 1024 * 1024;

/** Inspect's zstd level (`compresslevel=None` → 3). */
const ZSTD_LEVEL = 3;
const DEFLATE_LEVEL = 5;

export interface EntryOptions {
  /** 0 stored, 8 deflate, 93 zstd. */
  readonly method?: number;
  /** zstd only: uncompressed bytes per frame. */
  readonly frameInputBytes?: number;
  /** Write a ZIP64 extra in the local header (as Inspect's recovery does with force_zip64). */
  readonly zip64LocalExtra?: boolean;
}

export interface ArchiveOptions {
  readonly comment?: string;
  /** Write ZIP64 end records even when no limit is reached (saturating the 32-bit fields). */
  readonly forceZip64End?: boolean;
}

interface WrittenEntry {
  readonly name: Uint8Array;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

const encoder = new TextEncoder();
const MAX_32 = 0xffffffff;

/**
 * Streams entries into a zip archive the way Python's zipfile writes Inspect logs: local header,
 * data, sizes patched into the header afterwards (no data descriptors), ZIP64 where needed.
 */
export class ZipWriter {
  private readonly sink: ZipSink;
  private readonly entries: WrittenEntry[] = [];

  constructor(sink: ZipSink) {
    this.sink = sink;
  }

  /** Add one entry from its uncompressed bytes (one array or a stream of chunks). */
  async add(
    name: string,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options: EntryOptions = {},
  ): Promise<void> {
    const method = options.method ?? METHOD_ZSTD;
    const nameBytes = encoder.encode(name);
    const localHeaderOffset = this.sink.position;
    const zip64Local = options.zip64LocalExtra === true;
    const header = localHeader(nameBytes, method, zip64Local);
    await this.sink.append(header);

    let crc = 0;
    let uncompressedSize = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      const input = data instanceof Uint8Array ? [data] : data;
      for await (const chunk of input) {
        crc = zlib.crc32(chunk, crc);
        uncompressedSize += chunk.length;
        yield chunk;
      }
    }
    const dataStart = this.sink.position;
    const sizeHint = data instanceof Uint8Array ? data.length : undefined;
    for await (const chunk of compress(counted(), method, options.frameInputBytes, sizeHint)) {
      await this.sink.append(chunk);
    }
    const compressedSize = this.sink.position - dataStart;
    if (!zip64Local && (compressedSize >= MAX_32 || uncompressedSize >= MAX_32)) {
      throw new Error(`Entry ${name} is over 4 GiB: write it with zip64LocalExtra.`);
    }
    await this.sink.writeAt(
      localHeaderOffset,
      localHeader(nameBytes, method, zip64Local, { crc, compressedSize, uncompressedSize }),
    );
    this.entries.push({
      name: nameBytes,
      method,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
    });
  }

  /**
   * Copy an entry's compressed bytes as they are (method, CRC and sizes unchanged): how flushed
   * samples move from a crashed log to its recovered one without being decoded and re-encoded.
   */
  async addRaw(
    name: string,
    entry: {
      readonly method: number;
      readonly crc32: number;
      readonly compressedSize: number;
      readonly uncompressedSize: number;
    },
    compressed: AsyncIterable<Uint8Array>,
  ): Promise<void> {
    const nameBytes = encoder.encode(name);
    const localHeaderOffset = this.sink.position;
    const zip64 = entry.compressedSize >= MAX_32 || entry.uncompressedSize >= MAX_32;
    const sizes = {
      crc: entry.crc32,
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
    };
    await this.sink.append(localHeader(nameBytes, entry.method, zip64, sizes));
    const dataStart = this.sink.position;
    for await (const chunk of compressed) await this.sink.append(chunk);
    if (this.sink.position - dataStart !== entry.compressedSize) {
      throw new Error(
        `Copied ${this.sink.position - dataStart} bytes of ${name}, expected ${entry.compressedSize}.`,
      );
    }
    this.entries.push({
      name: nameBytes,
      localHeaderOffset,
      ...sizes,
      crc32: entry.crc32,
      method: entry.method,
    });
  }

  /** Write the central directory and end records. */
  async finish(options: ArchiveOptions = {}): Promise<void> {
    const directoryOffset = this.sink.position;
    for (const entry of this.entries) await this.sink.append(centralHeader(entry));
    const directorySize = this.sink.position - directoryOffset;
    const needsZip64 =
      options.forceZip64End === true ||
      this.entries.length >= 0xffff ||
      directoryOffset >= MAX_32 ||
      directorySize >= MAX_32;
    if (needsZip64) {
      const recordOffset = this.sink.position;
      const record = new Fields(56);
      record.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0);
      record
        .u64(this.entries.length)
        .u64(this.entries.length)
        .u64(directorySize)
        .u64(directoryOffset);
      await this.sink.append(record.bytes);
      const locator = new Fields(20);
      locator.u32(0x07064b50).u32(0).u64(recordOffset).u32(1);
      await this.sink.append(locator.bytes);
    }
    const comment = encoder.encode(options.comment ?? '');
    const end = new Fields(22 + comment.length);
    end.u32(0x06054b50).u16(0).u16(0);
    const count = needsZip64 ? 0xffff : this.entries.length;
    end.u16(count).u16(count);
    end.u32(needsZip64 ? MAX_32 : directorySize).u32(needsZip64 ? MAX_32 : directoryOffset);
    end.u16(comment.length).raw(comment);
    await this.sink.append(end.bytes);
  }
}

function localHeader(
  name: Uint8Array,
  method: number,
  zip64: boolean,
  sizes: { crc: number; compressedSize: number; uncompressedSize: number } = {
    crc: 0,
    compressedSize: 0,
    uncompressedSize: 0,
  },
): Uint8Array {
  const extraLength = zip64 ? 20 : 0;
  const header = new Fields(30 + name.length + extraLength);
  header
    .u32(0x04034b50)
    .u16(zip64 ? 45 : 20)
    .u16(0)
    .u16(method)
    .u16(0)
    .u16(0x21);
  header.u32(sizes.crc);
  header.u32(zip64 ? MAX_32 : sizes.compressedSize).u32(zip64 ? MAX_32 : sizes.uncompressedSize);
  header.u16(name.length).u16(extraLength).raw(name);
  if (zip64) header.u16(0x0001).u16(16).u64(sizes.uncompressedSize).u64(sizes.compressedSize);
  return header.bytes;
}

function centralHeader(entry: WrittenEntry): Uint8Array {
  const bigUncompressed = entry.uncompressedSize >= MAX_32;
  const bigCompressed = entry.compressedSize >= MAX_32;
  const bigOffset = entry.localHeaderOffset >= MAX_32;
  const extraLength = (bigUncompressed ? 8 : 0) + (bigCompressed ? 8 : 0) + (bigOffset ? 8 : 0);
  const extraTotal = extraLength > 0 ? 4 + extraLength : 0;
  const header = new Fields(46 + entry.name.length + extraTotal);
  header
    .u32(0x02014b50)
    .u16(0x031e)
    .u16(extraTotal ? 45 : 20)
    .u16(0)
    .u16(entry.method);
  header.u16(0).u16(0x21).u32(entry.crc32);
  header.u32(bigCompressed ? MAX_32 : entry.compressedSize);
  header.u32(bigUncompressed ? MAX_32 : entry.uncompressedSize);
  header
    .u16(entry.name.length)
    .u16(extraTotal)
    .u16(0)
    .u16(0)
    .u16(0)
    .u32(0o100644 << 16);
  header.u32(bigOffset ? MAX_32 : entry.localHeaderOffset).raw(entry.name);
  if (extraTotal) {
    header.u16(0x0001).u16(extraLength);
    if (bigUncompressed) header.u64(entry.uncompressedSize);
    if (bigCompressed) header.u64(entry.compressedSize);
    if (bigOffset) header.u64(entry.localHeaderOffset);
  }
  return header.bytes;
}

/** Compress a stream of chunks with the entry's method; zstd restarts a frame every `frameInputBytes`. */
async function* compress(
  input: AsyncIterable<Uint8Array>,
  method: number,
  frameInputBytes = ZSTD_FRAME_INPUT_BYTES,
  sizeHint?: number,
): AsyncGenerator<Uint8Array> {
  const chunkSize = zlibChunkBytes(sizeHint);
  if (method === METHOD_STORED) {
    yield* input;
    return;
  }
  if (method === METHOD_DEFLATE) {
    yield* through(input, zlib.createDeflateRaw({ level: DEFLATE_LEVEL, chunkSize }));
    return;
  }
  if (method !== METHOD_ZSTD) throw new Error(`Cannot write zip method ${method}`);
  if (sizeHint !== undefined && sizeHint <= Math.min(frameInputBytes, WHOLE_COMPRESS_MAX_BYTES)) {
    // A small entry in one call: no stream, no thread-pool round trip.
    const chunks: Uint8Array[] = [];
    for await (const chunk of input) chunks.push(chunk);
    const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const compressed = zlib.zstdCompressSync(whole, {
      params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
    });
    yield new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength);
    return;
  }
  for await (const frame of splitInput(input, frameInputBytes)) {
    yield* through(
      frame,
      zlib.createZstdCompress({
        chunkSize,
        params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
      }),
    );
  }
}

/** Cut a chunk stream into consecutive sub-streams of `size` bytes each (the last may be shorter). */
async function* splitInput(
  input: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<AsyncIterable<Uint8Array>> {
  const iterator = input[Symbol.asyncIterator]();
  let carry: Uint8Array | undefined;
  let finished = false;
  async function* part(): AsyncGenerator<Uint8Array> {
    let remaining = size;
    while (remaining > 0) {
      let chunk = carry;
      carry = undefined;
      if (!chunk) {
        const step = await iterator.next();
        if (step.done) {
          finished = true;
          return;
        }
        chunk = step.value;
      }
      if (chunk.length > remaining) {
        carry = chunk.subarray(remaining);
        chunk = chunk.subarray(0, remaining);
      }
      remaining -= chunk.length;
      yield chunk;
    }
  }
  let first = true;
  while (!finished) {
    // Peek so that no empty trailing frame is written (Inspect's writer avoids it too).
    if (!first && !carry) {
      const step = await iterator.next();
      if (step.done) return;
      carry = step.value;
    }
    first = false;
    yield part();
  }
}

/** Little-endian field writer for headers. */
class Fields {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(value: number): this {
    this.view.setUint16(this.offset, value, true);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.offset, value >>> 0, true);
    this.offset += 4;
    return this;
  }

  u64(value: number): this {
    this.view.setUint32(this.offset, value % 0x1_0000_0000, true);
    this.view.setUint32(this.offset + 4, Math.floor(value / 0x1_0000_0000), true);
    this.offset += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }
}
