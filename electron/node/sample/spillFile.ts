import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { open, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRange, type ClosableByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { fileError } from '../io/fileErrors.ts';

/**
 * Where an open sample's decoded bytes live while it is paged: memory for small samples, a
 * temporary "spill" file for the rest.
 *
 * Why a spill file: a page must be served without decoding the entry again from its start. A
 * deflate stream has no restart points at all; a zstd entry has one per 200 MiB frame, so a page
 * in the middle of a 1.4 GiB entry would cost up to 200 MiB of decoding (~0.3 s here) and a
 * cached 200 MiB frame would take 40% of the main process's 500 MB budget. Writing the decoded
 * bytes once while indexing costs a copy into the page cache, done on libuv's pool in parallel
 * with the scan, and then any page is a few positional reads (microseconds from the page cache).
 *
 * The file is unlinked as soon as it is open: its space is freed when it is closed or the process
 * dies, however it dies. Where a system refuses to unlink an open file, it is deleted on close,
 * at exit, and, if the process was killed, by the next process's sweep of stale files.
 */

/** Decoded bytes up to this size stay in memory (a typical sample; the main budget is 500 MB). */
export const MEMORY_SAMPLE_BYTES = 16 * 1024 * 1024;
/** Writes in flight at once: enough to overlap the disk with the scan, bounded in memory. */
const MAX_PENDING_WRITES = 4;
/** Free space left on the spill file's disk after it is written. */
const DISK_MARGIN_BYTES = 512 * 1024 * 1024;

export type { ClosableByteSource };

/** The folder of spill files: $SALVAGE_SPILL_DIR, or salvage-spill in the system temp folder. */
export function spillDirectory(): string {
  return process.env.SALVAGE_SPILL_DIR ?? join(tmpdir(), 'salvage-spill');
}

/** Collects decoded bytes in order, then serves them by positional reads. */
export interface DecodedSink {
  /** Append a chunk; resolves when the writer may take more (back-pressure on the disk). */
  append(chunk: Uint8Array): Promise<void> | undefined;
  /** Bytes appended so far: the offset of the next chunk. */
  readonly size: number;
  /** True for a spill file (disk), false in memory. */
  readonly spilled: boolean;
  /** The bytes, readable; the sink is done. */
  finish(): Promise<ClosableByteSource>;
  /** Give up: release everything. */
  abort(): Promise<void>;
}

/** A sink for about `expectedBytes` (memory below MEMORY_SAMPLE_BYTES, else a spill file in `directory`). */
export async function decodedSink(
  expectedBytes: number,
  directory = spillDirectory(),
): Promise<DecodedSink> {
  if (expectedBytes <= MEMORY_SAMPLE_BYTES) return new MemorySink();
  return SpillSink.create(directory, expectedBytes);
}

class MemorySink implements DecodedSink {
  private readonly chunks: Uint8Array[] = [];
  readonly spilled = false;
  size = 0;

  append(chunk: Uint8Array): undefined {
    this.chunks.push(chunk);
    this.size += chunk.length;
    return undefined;
  }

  finish(): Promise<ClosableByteSource> {
    const bytes = Buffer.concat(this.chunks, this.size);
    this.chunks.length = 0;
    return Promise.resolve({
      size: bytes.length,
      read: (offset, length) => {
        checkRange(bytes.length, offset, length);
        // A Buffer: the scanner's indexOf on it is memchr.
        return Promise.resolve(bytes.subarray(offset, offset + length));
      },
      close: () => Promise.resolve(),
    });
  }

  abort(): Promise<void> {
    this.chunks.length = 0;
    return Promise.resolve();
  }
}

/** Spill files of this process not yet deleted (Windows keeps their names until closed). */
const undeleted = new Set<string>();
let sequence = 0;
let swept = false;

/**
 * An open, already unlinked spill file: written by its sink, or by another thread of this process
 * through `fd` (positional writes: the decode worker), then read through `source`.
 */
export class SpillFile {
  private readonly handle: FileHandle;
  readonly path: string;

  private constructor(handle: FileHandle, path: string) {
    this.handle = handle;
    this.path = path;
  }

  /** A new spill file in `directory` for about `expectedBytes`, refused early when the disk is too full. */
  static async create(directory: string, expectedBytes: number): Promise<SpillFile> {
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      throw fileError(error, directory);
    }
    if (!swept) {
      swept = true;
      sweepStaleSpills(directory);
    }
    await checkFreeSpace(directory, expectedBytes);
    const path = join(directory, `${process.pid}-${Date.now()}-${sequence++}.spill`);
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx+', 0o600);
    } catch (error) {
      throw fileError(error, path);
    }
    // Where the system refuses to unlink an open file, the name stays until close.
    await unlink(path).catch(() => undeleted.add(path));
    return new SpillFile(handle, path);
  }

  /** The descriptor, for a worker thread's writes; the file must outlive them. */
  get fd(): number {
    return this.handle.fd;
  }

  write(chunk: Uint8Array, position: number): Promise<unknown> {
    return this.handle.write(chunk, 0, chunk.length, position);
  }

  /** Its first `size` bytes, readable until closed (closing them deletes the file). */
  source(size: number): ClosableByteSource {
    const handle = this.handle;
    const path = this.path;
    let closed = false;
    return {
      size,
      read: async (offset, length) => {
        checkRange(size, offset, length);
        if (closed)
          throw new SalvageError('sample-closed', 'This sample was closed; open it again.');
        const buffer = Buffer.allocUnsafe(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0)
            throw new SalvageError('io', `The temporary file ${path} was cut short.`);
          filled += bytesRead;
        }
        return buffer;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await handle.close();
        await removeUndeleted(path);
      },
    };
  }

  /** Give it up unread: close and delete it. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await removeUndeleted(this.path);
  }
}

class SpillSink implements DecodedSink {
  private readonly file: SpillFile;
  private readonly pending: Array<Promise<unknown>> = [];
  private failure: Error | null = null;
  readonly spilled = true;
  size = 0;

  private constructor(file: SpillFile) {
    this.file = file;
  }

  static async create(directory: string, expectedBytes: number): Promise<SpillSink> {
    return new SpillSink(await SpillFile.create(directory, expectedBytes));
  }

  append(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure !== null) return Promise.reject(this.failure);
    const write = this.file.write(chunk, this.size).catch((error: unknown) => {
      this.failure ??= fileError(error, this.file.path) as Error;
    });
    this.size += chunk.length;
    this.pending.push(write);
    if (this.pending.length < MAX_PENDING_WRITES) return undefined;
    return this.pending.shift()!.then(() => this.check());
  }

  async finish(): Promise<ClosableByteSource> {
    await Promise.all(this.pending.splice(0));
    this.check();
    return this.file.source(this.size);
  }

  async abort(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0));
    await this.file.discard();
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }
}

async function removeUndeleted(path: string): Promise<void> {
  if (!undeleted.delete(path)) return;
  await unlink(path).catch(() => undefined);
}

async function checkFreeSpace(directory: string, bytes: number): Promise<void> {
  let free: number;
  try {
    const stats = await statfs(directory);
    free = stats.bavail * stats.bsize;
  } catch {
    return; // Unknown: let the writes tell.
  }
  if (free < bytes + DISK_MARGIN_BYTES) {
    const gb = (value: number): string => `${(value / 1e9).toFixed(1)} GB`;
    throw new SalvageError(
      'io',
      `Not enough free disk space in ${directory} to open this sample: reading it needs ${gb(bytes)} of temporary space and ${gb(free)} is free. Free some space, or set SALVAGE_SPILL_DIR to a folder on a larger disk.`,
    );
  }
}

/** Spill files left by processes that no longer run (killed on Windows, where names stay). */
export function sweepStaleSpills(directory: string): void {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^(\d+)-\d+-\d+\.spill$/.exec(name);
    if (!match || Number(match[1]) === process.pid || isAlive(Number(match[1]))) continue;
    try {
      unlinkSync(join(directory, name));
    } catch {
      // Another sweeper got there first, or it is not ours to remove.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

process.once('exit', () => {
  for (const path of undeleted) {
    try {
      unlinkSync(path);
    } catch {
      // Best effort at exit; the next process sweeps what is left.
    }
  }
});
