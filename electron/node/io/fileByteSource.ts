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
const WHOLE_BELOW = 256 * 1024;

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

  static async open(path: string): Promise<FileByteSource> {
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
    const partial = new FileByteSource(path, handle, stats, null);
    try {
      return new FileByteSource(path, handle, stats, await partial.read(0, stats.size));
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
    let filled = 0;
    while (filled < length) {
      const position = offset + filled;
      const bytesRead =
        typeof this.handle === 'number'
          ? readSync(this.handle, buffer, filled, length - filled, position)
          : (await this.handle.read(buffer, filled, length - filled, position)).bytesRead;
      if (bytesRead === 0) {
        throw new SalvageError(
          'truncated',
          `${this.path} shrank while being read (expected ${length} bytes at offset ${offset}).`,
        );
      }
      filled += bytesRead;
    }
    return buffer;
  }

  close(): Promise<void> {
    return closeHandle(this.handle);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function closeHandle(handle: FileHandle | number): Promise<void> {
  if (typeof handle === 'number') closeSync(handle);
  else await handle.close();
}
