import { randomUUID } from 'node:crypto';
import { failureOf } from '../../../shared/ipc/dispatch.ts';
import type { BackendFailure } from '../../../shared/ipc/outcome.ts';

/**
 * Streams whose batches go out as events (a run's sample summaries, a folder's runs): each has an
 * id the renderer matches batches by, can be cancelled between batches, and always ends with one
 * last batch that says it is done, and why when it failed (a cancelled stream ends quietly).
 */
export class EventStreams {
  /** Streams still running, each with the signal that stops it. */
  private readonly running = new Map<string, AbortController>();

  /**
   * Start a stream: `run` sends its batches until it returns or its signal aborts; `end` sends the
   * last batch, with the failure that ended it.
   */
  start(
    run: (streamId: string, signal: AbortSignal) => Promise<void>,
    end: (streamId: string, error: BackendFailure | undefined) => void,
  ): { streamId: string } {
    const streamId = randomUUID();
    const controller = new AbortController();
    this.running.set(streamId, controller);
    void (async () => {
      let error: BackendFailure | undefined;
      try {
        await run(streamId, controller.signal);
      } catch (caught) {
        if (!controller.signal.aborted) error = failureOf(caught);
      } finally {
        this.running.delete(streamId);
      }
      end(streamId, error);
    })();
    return { streamId };
  }

  /** Stop a stream between two batches; a stream already ended (or unknown) is left alone. */
  cancel(streamId: string): void {
    this.running.get(streamId)?.abort();
  }

  /** Streams still running (tests prove a closed view leaves none behind). */
  get active(): number {
    return this.running.size;
  }
}
