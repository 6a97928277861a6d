import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { SearchRequest } from '../../../shared/ipc/contract.ts';
import type { IndexProgress } from '../../../shared/search/searchTypes.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { RunDigest } from '../index/runDigest.ts';
import { SearchEngine } from './searchEngine.ts';

/**
 * The search index's thread: indexing passes in the background and queries between their steps,
 * so that neither the app's main thread nor the listing ever waits for the index. The main
 * thread's side is `SearchService`.
 */

export interface SearchWorkerData {
  readonly indexPath: string;
  /** The runs list's digest (a pass lists folders through it); null for none. */
  readonly digestPath: string | null;
  readonly spillDirectory?: string;
}

export type WorkerRequest =
  | { readonly type: 'index'; readonly folders: ReadonlyArray<string> }
  | {
      readonly type: 'search';
      readonly id: number;
      readonly request: SearchRequest;
      readonly folders: ReadonlyArray<string>;
    }
  | { readonly type: 'samples'; readonly id: number; readonly path: string; readonly query: string }
  | { readonly type: 'close' };

export type WorkerReply =
  | { readonly type: 'progress'; readonly progress: IndexProgress }
  | { readonly type: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'answer';
      readonly id: number;
      readonly ok: false;
      /** A SalvageError's kind, or null for a bug. */
      readonly kind: string | null;
      readonly message: string;
    }
  | { readonly type: 'closed' };

/** Nice value of the indexing thread (Linux; elsewhere the call would slow the whole app). */
const BACKGROUND_NICE = 10;

function serve(port: MessagePort, data: SearchWorkerData): void {
  // On Linux a nice value belongs to the thread that sets it: only this one yields the CPU.
  if (process.platform === 'linux') {
    try {
      setPriority(0, BACKGROUND_NICE);
    } catch {
      // Not allowed here: indexing still yields between its steps.
    }
  }
  const digest = data.digestPath ? RunDigest.open(data.digestPath) : undefined;
  const engine = new SearchEngine(data.indexPath, {
    digest,
    spillDirectory: data.spillDirectory,
  });
  const reply = (message: WorkerReply): void => port.postMessage(message);
  const stop = new AbortController();
  let folders: ReadonlyArray<string> = [];
  let running: Promise<void> | null = null;
  let again = false;

  const pass = async (): Promise<void> => {
    do {
      again = false;
      try {
        await engine.index(folders, stop.signal, (progress) =>
          reply({ type: 'progress', progress }),
        );
      } catch (error) {
        if (stop.signal.aborted) return;
        // A pass that failed (a disk error, a bug) leaves the index as it was; the next change
        // tries again. Said on stderr for whoever runs the app from a terminal.
        console.error('salvage: search indexing failed:', error);
        reply({ type: 'progress', progress: { ...engine.progress, phase: 'idle', current: null } });
      }
    } while ((again || engine.needsRebuild) && !stop.signal.aborted);
  };

  const answer = (id: number, compute: () => unknown): void => {
    try {
      reply({ type: 'answer', id, ok: true, value: compute() });
    } catch (error) {
      if (engine.needsRebuild && !running) running = pass().finally(() => (running = null));
      reply({
        type: 'answer',
        id,
        ok: false,
        kind: isSalvageError(error) ? error.kind : null,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  };

  port.on('message', (message: WorkerRequest) => {
    switch (message.type) {
      case 'index':
        folders = message.folders;
        // A pass under way finishes what it listed; one more follows for what changed meanwhile.
        if (running) again = true;
        else running = pass().finally(() => (running = null));
        return;
      case 'search':
        return answer(message.id, () => engine.search(message.request, message.folders));
      case 'samples':
        return answer(message.id, () => engine.matchingSamples(message.path, message.query));
      case 'close':
        stop.abort();
        void (running ?? Promise.resolve()).finally(() => {
          engine.close();
          digest?.close();
          reply({ type: 'closed' });
          port.close();
        });
        return;
    }
  });
}

if (parentPort) serve(parentPort, workerData as SearchWorkerData);
