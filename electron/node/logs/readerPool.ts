import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errorFrom, threadDeath, type WorkerError } from '../io/threadErrors.ts';
import type { ReadResult, ReadTask } from './readRuns.ts';

/** Chunks a worker holds at once: one read while the next waits, so it never idles on a message. */
const CHUNKS_PER_WORKER = 2;
/** Workers left idle this long end (their memory goes back); the next listing starts them again. */
const IDLE_MS = 30_000;
/** Worker threads at most, whatever the cores: a listing is also bound by the disk. */
const MAX_WORKERS = 4;

/** A chunk's answer from a worker: every task's result in order, or why the chunk failed. */
export type WorkerAnswer =
  | { readonly id: number; readonly results: ReadonlyArray<ReadResult> }
  | { readonly id: number; readonly error: WorkerError };

interface Job {
  readonly id: number;
  readonly tasks: ReadonlyArray<ReadTask>;
  readonly resolve: (results: ReadonlyArray<ReadResult>) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
}

interface PoolWorker {
  readonly thread: Worker;
  readonly jobs: Map<number, Job>;
}

/**
 * Worker threads that read logs for listings (the cold part: opening, decompressing, parsing),
 * so that a listing uses every core and the thread that asked stays free. Workers start on the
 * first read, hold the process open only while they have work, and end after a while idle.
 *
 * Hand-written over `node:worker_threads` rather than a pool library: a pool is a queue and a
 * message per chunk here, and the worker file must be found from sources and from the bundle.
 */
export class ReaderPool {
  readonly size: number;
  private readonly workerUrl: URL;
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    options: {
      /** Worker threads (default: the cores, at most 4). */
      readonly size?: number;
      /** The worker's module: its source beside this file, or the bundled build's. */
      readonly workerUrl?: URL;
    } = {},
  ) {
    this.size = Math.max(1, options.size ?? Math.min(availableParallelism(), MAX_WORKERS));
    this.workerUrl = options.workerUrl ?? new URL('./readerWorker.ts', import.meta.url);
  }

  /** Threads running now (tests prove idle workers end). */
  get running(): number {
    return this.workers.length;
  }

  /**
   * Read a chunk of logs in a worker; resolves to their results in order. A chunk still queued
   * when `signal` aborts is dropped (rejected with the signal's reason).
   */
  read(tasks: ReadonlyArray<ReadTask>, signal?: AbortSignal): Promise<ReadonlyArray<ReadResult>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, tasks, resolve, reject, signal });
      this.dispatch();
    });
  }

  /** End every worker; chunks not yet answered fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    for (const job of this.queue.splice(0)) job.reject(new Error('The reader pool was closed.'));
    await Promise.all(this.workers.splice(0).map((worker) => this.end(worker)));
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      if (job.signal?.aborted) {
        this.queue.shift();
        job.reject(job.signal.reason as Error);
        continue;
      }
      const worker = this.freeWorker();
      if (!worker) break;
      this.queue.shift();
      worker.jobs.set(job.id, job);
      worker.thread.ref();
      worker.thread.postMessage({ id: job.id, tasks: job.tasks });
    }
    if (this.workers.every((worker) => worker.jobs.size === 0)) {
      this.idleTimer = setTimeout(() => void this.close(), IDLE_MS).unref();
    }
  }

  /** An idle worker, a new one while there are fewer than `size`, or the least busy with room. */
  private freeWorker(): PoolWorker | null {
    const idle = this.workers.find((worker) => worker.jobs.size === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) return this.start();
    const least = this.workers.reduce((best, worker) =>
      worker.jobs.size < best.jobs.size ? worker : best,
    );
    return least.jobs.size < CHUNKS_PER_WORKER ? least : null;
  }

  private start(): PoolWorker {
    const worker: PoolWorker = { thread: new Worker(this.workerUrl), jobs: new Map() };
    this.workers.push(worker);
    worker.thread.on('message', (answer: WorkerAnswer) => {
      const job = worker.jobs.get(answer.id);
      if (!job) return;
      worker.jobs.delete(answer.id);
      if (worker.jobs.size === 0) worker.thread.unref();
      if ('results' in answer) job.resolve(answer.results);
      else job.reject(errorFrom(answer.error));
      this.dispatch();
    });
    // A worker that dies (a crash, out of memory) fails what it held; the next read starts another.
    const died = (error: Error): void => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      for (const job of worker.jobs.values()) job.reject(error);
      worker.jobs.clear();
      this.dispatch();
    };
    worker.thread.on('error', (error: Error) => died(threadDeath(error, 'reading a log')));
    worker.thread.on('exit', (code) =>
      died(new Error(`A log reader thread ended (code ${code}).`)),
    );
    return worker;
  }

  private async end(worker: PoolWorker): Promise<void> {
    worker.thread.removeAllListeners('exit');
    for (const job of worker.jobs.values()) job.reject(new Error('The reader pool was closed.'));
    await worker.thread.terminate();
  }
}
