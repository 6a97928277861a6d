import { SalvageError } from '../../util/errors.ts';

/**
 * Random-access bytes: a file, an HTTP range endpoint, or memory.
 *
 * Every format reader reads through this interface so that nothing in shared/ opens a file,
 * and tests can count exactly what a reader touched.
 */
export interface ByteSource {
  /** Total size in bytes (a JS number: exact up to 2^53, far beyond any log). */
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or a `truncated` error when the source is shorter. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource that owns something to release (an open file, a spill file, connections). */
export interface ClosableByteSource extends ByteSource {
  close(): Promise<void>;
}

/** A ByteSource over bytes already in memory (tests, segment zips, small logs). */
export class MemoryByteSource implements ByteSource {
  readonly size: number;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.size = bytes.length;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    return Promise.resolve(this.bytes.subarray(offset, offset + length));
  }
}

/** Throws the typed error every ByteSource uses for a read past the end. */
export function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new SalvageError('corrupt-zip', `Invalid read range ${offset}+${length}.`);
  }
  if (offset + length > size) {
    throw new SalvageError(
      'truncated',
      `The file is shorter than its own structure says: a read of ${length} bytes at offset ${offset} goes past its end (${size} bytes). It was probably truncated.`,
    );
  }
}

/** Wraps a source and counts reads and bytes: how benchmarks and tests prove "a few reads". */
export class CountingByteSource implements ByteSource {
  reads = 0;
  bytesRead = 0;
  private readonly inner: ByteSource;

  constructor(inner: ByteSource) {
    this.inner = inner;
  }

  get size(): number {
    return this.inner.size;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads += 1;
    this.bytesRead += length;
    return this.inner.read(offset, length);
  }
}
