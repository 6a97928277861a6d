import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { withLog } from '../logs/openLog.ts';
import type { EventHub } from './eventHub.ts';
import { EventStreams } from './eventStreams.ts';

/** Rows per event at most: a huge summaries entry still arrives as a steady series of batches. */
const ROWS_PER_BATCH = 2_000;

/**
 * Streams a run's sample summaries as `salvage:samples:batch` events: rows as they are decoded,
 * with progress, until done, failed or cancelled.
 */
export class SampleStreamer extends EventStreams {
  private readonly hub: EventHub;
  private readonly codecs: Codecs | undefined;

  constructor(hub: EventHub, codecs?: Codecs) {
    super();
    this.hub = hub;
    this.codecs = codecs;
  }

  stream(path: string): { streamId: string } {
    let bytesRead = 0;
    let bytesTotal = 0;
    return this.start(
      (streamId, signal) =>
        withLog(
          path,
          async (reader) => {
            for await (const progress of reader.streamSummaries()) {
              if (signal.aborted) return;
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
        ),
      // The last batch says the stream ended, and why when it failed.
      (streamId, error) =>
        this.hub.emit('salvage:samples:batch', {
          streamId,
          items: [],
          bytesRead,
          bytesTotal,
          done: true,
          ...(error ? { error } : {}),
        }),
    );
  }
}
