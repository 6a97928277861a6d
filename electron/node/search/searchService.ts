import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SearchRequest } from '../../../shared/ipc/contract.ts';
import {
  IDLE_PROGRESS,
  type IndexProgress,
  type SearchResult,
} from '../../../shared/search/searchTypes.ts';
import { SalvageError, type SalvageErrorKind } from '../../../shared/util/errors.ts';
import { salvageDataDir } from '../index/runDigest.ts';
import type { EventHub } from '../services/eventHub.ts';
import type { OpenedFolders } from '../services/openedFolders.ts';
import { defaultIndexPath } from './searchStore.ts';
import type { SearchWorkerData, WorkerReply, WorkerRequest } from './searchWorker.ts';

/** The worker's module beside this one (the desktop build passes its bundled copy instead). */
const WORKER_MODULE = './searchWorker.ts';

export interface SearchServiceOptions {
  readonly folders: OpenedFolders;
  readonly events: EventHub;
  /** The index file (default: `search-index.sqlite` in Salvage's data directory). */
  readonly indexPath?: string;
  /** The runs list's digest the passes list through (default: the data directory's); null: none. */
  readonly digestPath?: string | null;
  readonly spillDirectory?: string;
  /** The worker's script (the desktop app's bundled one). */
  readonly workerUrl?: URL;
}

/** Quiet time after a change before a pass starts (a run writing its log changes it often). */
const SETTLE_MS = 500;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The search index seen from the main thread: it starts the index's worker, asks it for a pass
 * when the opened folders or their files change, forwards queries, and pushes the indexing's
 * progress to the renderer (`salvage:search:progress`). Nothing here reads a log or the index:
 * a pass over 10,000 runs costs the main thread a few messages.
 */
export class SearchService {
  private readonly options: SearchServiceOptions;
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  progress: IndexProgress = IDLE_PROGRESS;

  constructor(options: SearchServiceOptions) {
    this.options = options;
  }

  /** Start the worker and a first pass; later passes follow the folders' changes. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.events.subscribe((channel) => {
      if (channel === 'salvage:runs:changed' || channel === 'salvage:folders:changed')
        this.scheduleIndex();
    });
    this.requestIndex();
  }

  /** A pass soon (changes arrive in bursts: one pass for the burst). */
  scheduleIndex(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.requestIndex(), SETTLE_MS);
    this.timer.unref();
  }

  /** A pass now (after the one under way, if any). */
  requestIndex(): void {
    this.post({ type: 'index', folders: this.options.folders.list() });
  }

  search(request: SearchRequest): Promise<SearchResult> {
    this.start();
    return this.ask((id) => ({
      type: 'search',
      id,
      request,
      folders: this.options.folders.list(),
    })) as Promise<SearchResult>;
  }

  matchingSamples(
    path: string,
    query: string,
  ): Promise<ReadonlyArray<{ readonly id: string; readonly epoch: number }>> {
    this.start();
    return this.ask((id) => ({ type: 'samples', id, path, query })) as Promise<
      ReadonlyArray<{ id: string; epoch: number }>
    >;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = null;
    const worker = this.worker;
    if (!worker) return;
    this.closing ??= new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      // Held now: an unref'd worker let the process end while this waited (`salvage serve` then
      // quit on Ctrl-C with exit code 13, its top-level await never settled).
      worker.ref();
      worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    });
    await this.closing;
  }

  private ask(message: (id: number) => WorkerRequest): Promise<unknown> {
    if (this.closing)
      return Promise.reject(new SalvageError('io', 'The search index is closing with the app.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(message(id));
    });
  }

  private post(message: WorkerRequest): void {
    if (this.closing) return;
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const data: SearchWorkerData = {
      indexPath: this.options.indexPath ?? defaultIndexPath(),
      digestPath:
        this.options.digestPath === undefined
          ? join(salvageDataDir(), 'run-digest.sqlite')
          : this.options.digestPath,
      spillDirectory: this.options.spillDirectory,
    };
    const worker = new Worker(this.options.workerUrl ?? new URL(WORKER_MODULE, import.meta.url), {
      workerData: data,
    });
    // The app may quit while a pass runs: the worker never keeps the process alive.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.receive(reply));
    const fail = (error: unknown): void => {
      this.worker = null;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(
          new SalvageError(
            'io',
            `The search index stopped (${error instanceof Error ? error.message : String(error)}); search again to restart it.`,
          ),
        );
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private receive(reply: WorkerReply): void {
    switch (reply.type) {
      case 'progress':
        this.progress = reply.progress;
        this.options.events.emit('salvage:search:progress', reply.progress);
        return;
      case 'answer': {
        const pending = this.pending.get(reply.id);
        if (!pending) return;
        this.pending.delete(reply.id);
        if (reply.ok) pending.resolve(reply.value);
        else
          pending.reject(
            reply.kind === null
              ? new Error(reply.message)
              : new SalvageError(reply.kind as SalvageErrorKind, reply.message),
          );
        return;
      }
      case 'closed':
        return;
    }
  }
}
