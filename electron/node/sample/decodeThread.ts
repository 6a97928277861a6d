import { Worker } from 'node:worker_threads';
import type { ZipEntry } from '../../../shared/formats/zip/zipEntry.ts';
import { errorFrom, threadDeath, type WorkerError } from '../io/threadErrors.ts';

/**
 * Decoding a large sample entry on a thread of its own, so that the thread that indexes it only
 * scans: zstd, the CRC-32 check and the spill file's writes run beside the scan on another core
 * instead of before it (the index of a 1.4 GiB entry took decode + scan; now about the larger of
 * the two).
 *
 * The decoded bytes cross through a ring of a few fixed slots in one SharedArrayBuffer, allocated
 * once: the scanning thread reads a slot in place and hands it back, so it allocates nothing per
 * chunk. (Decoded chunks handed over as ArrayBuffers each count as new external memory there,
 * and that, with node:zlib's 4 MiB outputs, is what drove the scanning thread's full garbage
 * collections.) Control messages are a few hundred per GiB, through postMessage.
 */

/** A slot: zlib's output chunk for large entries (see zlibChunkBytes); larger chunks are split. */
export const SLOT_BYTES = 4 * 1024 * 1024;
/** Slots: one being scanned, the others filled meanwhile. */
export const SLOTS = 4;

/** What the thread is started with. */
export interface DecodeJob {
  readonly path: string;
  /** The file's size as the caller read its directory (another size: the file changed). */
  readonly fileSize: number;
  /** The spill file the decoded bytes are written to, at positional offsets from 0. */
  readonly spillFd: number;
  readonly spillPath: string;
  readonly ring: SharedArrayBuffer;
}

/** Scanning thread → decode thread. */
export type ToDecoder =
  /** Decode this entry next (entries are decoded one after another into one byte space). */
  | { readonly type: 'entry'; readonly entry: ZipEntry }
  /** The slot was read: fill it again. */
  | { readonly type: 'free'; readonly slot: number }
  /** End, once no spill write is in flight. */
  | { readonly type: 'stop' };

/** Decode thread → scanning thread. */
export type FromDecoder =
  /** Slot `slot` holds the entry's next `length` bytes (already written to the spill file). */
  | { readonly type: 'chunk'; readonly slot: number; readonly length: number }
  /** The entry decoded whole and passed its size and CRC-32 checks. */
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: WorkerError };

/**
 * The thread's heap is tiny (streams, a few objects); its limits set how much external memory
 * (the compressed reads) may gather before a full collection. node:zlib's 4 MiB outputs, which
 * once piled up to ~200 MB under the default limits (peak RSS of bench:sample 560-574 MB), are
 * given back as soon as they are written (decodeWorkerThread.ts), so the reads are what is left.
 * Measured on the 1.4 GiB benchmark sample: with a 32 MB old generation, 48 full collections and
 * 17.9 s of index CPU; with 128 MB, 17 and 16.3 s, peak RSS 406-419 MB.
 */
const THREAD_HEAP_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 4 };

/** Threads running now, across the process (tests prove none is left behind). */
let running = 0;

export function runningDecodeThreads(): number {
  return running;
}

/** The decode thread's module: its source beside this file unless the bundled build says. */
export function defaultDecodeWorkerUrl(): URL {
  return new URL('./decodeWorker.ts', import.meta.url);
}

/** A decode thread working for one sample; close it once done, whatever happened. */
export class DecodeThread {
  private readonly worker: Worker;
  private readonly views: Buffer[];
  private readonly inbox: FromDecoder[] = [];
  private waiting: (() => void) | null = null;
  private failure: Error | null = null;
  private exited: Promise<void>;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => {
    this.fail(this.signal!.reason as Error);
    void this.close();
  };

  constructor(url: URL, job: Omit<DecodeJob, 'ring'>, signal: AbortSignal | undefined) {
    const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    this.views = Array.from({ length: SLOTS }, (_, slot) =>
      Buffer.from(ring, slot * SLOT_BYTES, SLOT_BYTES),
    );
    this.worker = new Worker(url, {
      workerData: { ...job, ring } satisfies DecodeJob,
      resourceLimits: THREAD_HEAP_LIMITS,
    });
    running++;
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        running--;
        this.fail(new Error('The sample decoding thread stopped.'));
        resolve();
      });
    });
    this.worker.on('message', (message: FromDecoder) => {
      this.inbox.push(message);
      this.wake();
    });
    // A thread that fails to start or dies (out of memory: a typed error) fails the indexing.
    this.worker.on('error', (error: Error) =>
      this.fail(threadDeath(error, `decoding a sample of ${job.path}`)),
    );
    this.signal = signal;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * The entry's decoded bytes, chunk by chunk; each chunk is valid until the next is asked for
   * (its slot is then given back). Ends once the entry passed its checks; its errors are thrown.
   * Entries are asked for one at a time, in the order of their bytes.
   */
  async *chunks(entry: ZipEntry): AsyncGenerator<Uint8Array> {
    this.worker.postMessage({ type: 'entry', entry } satisfies ToDecoder);
    for (;;) {
      const message = await this.receive();
      if (message.type === 'end') return;
      if (message.type === 'error') throw errorFrom(message.error);
      try {
        yield this.views[message.slot]!.subarray(0, message.length);
      } finally {
        this.worker.postMessage({ type: 'free', slot: message.slot } satisfies ToDecoder);
      }
    }
  }

  /**
   * End the thread; resolves once it has exited, its spill writes done (the spill file may be
   * closed then). Asked to stop rather than terminated: a write in flight would otherwise land on
   * a descriptor closed, or reused, meanwhile.
   */
  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.worker.postMessage({ type: 'stop' } satisfies ToDecoder);
    await this.exited;
  }

  private async receive(): Promise<FromDecoder> {
    while (this.inbox.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return this.inbox.shift()!;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }
}
