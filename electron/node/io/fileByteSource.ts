import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { checkRange, type ByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { fileError } from './fileErrors.ts';

/**
 * Whether this thread reads files with blocking calls. A reader pool's worker does nothing but
 * read, so a blocking read (one system call) serves it better than an asynchronous one (a hop
 * through libuv's thread pool and back, which costs more than reading a small log's entries).
 */
let blockingReads = false;

/** Read files with blocking calls from now on in this thread (a worker that only reads). */
export function useBlockingReads(): void {
  blockingReads = true;
}

/** A file's stats, the way this thread reads files (see useBlockingReads). */
export async function statFile(path: string): Promise<Stats> {
  return blockingReads ? statSync(path) : stat(path);
}

/**
 * Files this small are read whole at open: a listing reads a small log's head, end, directory and
 * entries (half a dozen reads), and one read of it all costs less than the calls alone.
 */
export const WHOLE_BELOW = 256 * 1024;

/**
 * A ByteSource over a file: positional reads through one FileHandle (or, where this thread reads
 * with blocking calls, one descriptor); nothing loaded up front but a small file's bytes.
 *
 * The size is taken once at open. A log that grows later (a running eval) is re-opened by the
 * caller to see the new bytes; reads never go past the size seen at open.
 */
export class FileByteSource implements ByteSource, AsyncDisposable {
  readonly path: string;
  readonly size: number;
  /** When the file was last written, as seen at open. */
  readonly modified: Date;
  private readonly handle: FileHandle | number;
  /** A small file's bytes, read whole at open (see WHOLE_BELOW). */
  private readonly whole: Uint8Array | null;

  private constructor(
    path: string,
    handle: FileHandle | number,
    stats: Stats,
    whole: Uint8Array | null,
  ) {
    this.path = path;
    this.handle = handle;
    this.size = stats.size;
    this.modified = stats.mtime;
    this.whole = whole;
  }

  /**
   * Open a file. `lent`: a buffer the caller lends for a small file's bytes (read whole, see
   * WHOLE_BELOW), so that a thread reading thousands of logs reuses one buffer instead of
   * allocating one per log (a listing's largest garbage, and fresh pages to fault in). The
   * source's reads are then views of it: the caller must neither reuse the buffer nor keep a
   * view past close.
   */
  static async open(path: string, lent?: Uint8Array): Promise<FileByteSource> {
    let handle: FileHandle | number;
    let stats: Stats;
    try {
      handle = blockingReads ? openSync(path, 'r') : await open(path, 'r');
      stats = typeof handle === 'number' ? fstatSync(handle) : await handle.stat();
    } catch (error) {
      throw fileError(error, path);
    }
    if (!stats.isFile()) {
      await closeHandle(handle);
      throw new SalvageError('not-a-file', `${path} is not a regular file.`);
    }
    if (stats.size > WHOLE_BELOW) return new FileByteSource(path, handle, stats, null);
    const whole =
      lent && lent.length >= stats.size ? lent.subarray(0, stats.size) : new Uint8Array(stats.size);
    try {
      await fill(path, handle, whole, 0);
      return new FileByteSource(path, handle, stats, whole);
    } catch (error) {
      await closeHandle(handle);
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    // A view, as MemoryByteSource gives: a copy per read was most of a listing's garbage.
    if (this.whole) return this.whole.subarray(offset, offset + length);
    const buffer = new Uint8Array(length);
    await fill(this.path, this.handle, buffer, offset);
    return buffer;
  }

  close(): Promise<void> {
    return closeHandle(this.handle);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Fill `buffer` with the file's bytes from `offset` on; a file that ends first shrank. */
async function fill(
  path: string,
  handle: FileHandle | number,
  buffer: Uint8Array,
  offset: number,
): Promise<void> {
  let filled = 0;
  while (filled < buffer.length) {
    const position = offset + filled;
    const length = buffer.length - filled;
    const bytesRead =
      typeof handle === 'number'
        ? readSync(handle, buffer, filled, length, position)
        : (await handle.read(buffer, filled, length, position)).bytesRead;
    if (bytesRead === 0) {
      throw new SalvageError(
        'truncated',
        `${path} shrank while being read (expected ${buffer.length} bytes at offset ${offset}).`,
      );
    }
    filled += bytesRead;
  }
}

async function closeHandle(handle: FileHandle | number): Promise<void> {
  if (typeof handle === 'number') closeSync(handle);
  else await handle.close();
}
