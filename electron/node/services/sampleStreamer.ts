import { randomUUID } from 'node:crypto';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { withLog } from '../logs/openLog.ts';
import type { EventHub } from './eventHub.ts';

/** Rows per event at most: a huge summaries entry still arrives as a steady series of batches. */
const ROWS_PER_BATCH = 2_000;

/**
 * Streams a run's sample summaries as `salvage:samples:batch` events: rows as they are decoded,
 * with progress, until done, failed or cancelled.
 */
export class SampleStreamer {
  private readonly cancelled = new Set<string>();
  private readonly hub: EventHub;
  private readonly codecs: Codecs | undefined;

  constructor(hub: EventHub, codecs?: Codecs) {
    this.hub = hub;
    this.codecs = codecs;
  }

  start(path: string): { streamId: string } {
    const streamId = randomUUID();
    void this.run(streamId, path);
    return { streamId };
  }

  cancel(streamId: string): void {
    this.cancelled.add(streamId);
  }

  private async run(streamId: string, path: string): Promise<void> {
    let bytesRead = 0;
    let bytesTotal = 0;
    try {
      await withLog(
        path,
        async (reader) => {
          for await (const progress of reader.streamSummaries()) {
            if (this.cancelled.has(streamId)) return;
            ({ bytesRead, bytesTotal } = progress);
            for (let start = 0; start < progress.summaries.length; start += ROWS_PER_BATCH) {
              const items = progress.summaries.slice(start, start + ROWS_PER_BATCH);
              this.hub.emit('salvage:samples:batch', {
                streamId,
                items,
                bytesRead,
                bytesTotal,
                done: false,
              });
            }
          }
        },
        this.codecs,
      );
      this.hub.emit('salvage:samples:batch', {
        streamId,
        items: [],
        bytesRead,
        bytesTotal,
        done: true,
      });
    } catch (error) {
      const message = isSalvageError(error) ? error.message : `Internal error: ${String(error)}`;
      this.hub.emit('salvage:samples:batch', {
        streamId,
        items: [],
        bytesRead,
        bytesTotal,
        done: true,
        error: message,
      });
    } finally {
      this.cancelled.delete(streamId);
    }
  }
}
