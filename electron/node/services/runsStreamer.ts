import type { RunRow } from '../../../shared/model/run.ts';
import { streamRuns, type ListOptions } from '../logs/listRuns.ts';
import type { EventHub } from './eventHub.ts';
import { EventStreams } from './eventStreams.ts';

/** Rows per event at most. */
const ROWS_PER_BATCH = 2_000;
/** Once the first rows are out, how long later rows wait to go out together. */
const BATCH_MS = 100;

/**
 * Lists a folder's runs as `salvage:runs:batch` events: the first rows as soon as they are known,
 * then the rest gathered into a few events a second (a cold listing of 100,000 runs yields rows in
 * chunks of a dozen), until done, failed or cancelled.
 */
export class RunsStreamer extends EventStreams {
  private readonly hub: EventHub;
  private readonly options: Omit<ListOptions, 'signal'>;

  constructor(hub: EventHub, options: Omit<ListOptions, 'signal'>) {
    super();
    this.hub = hub;
    this.options = options;
  }

  stream(folder: string): { streamId: string } {
    let found: number | null = null;
    let waiting: RunRow[] = [];
    let sent = false;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const send = (streamId: string): void => {
      clearTimeout(timer);
      timer = undefined;
      if (ended) return;
      for (let start = 0; start < waiting.length; start += ROWS_PER_BATCH) {
        const rows = waiting.slice(start, start + ROWS_PER_BATCH);
        this.hub.emit('salvage:runs:batch', { streamId, rows, found, done: false });
      }
      waiting = [];
      sent = true;
    };
    return this.start(
      (streamId, signal) =>
        streamRuns(folder, { ...this.options, signal }, (rows, files) => {
          found = files;
          waiting.push(...rows);
          if (!sent || waiting.length >= ROWS_PER_BATCH) send(streamId);
          else timer ??= setTimeout(() => send(streamId), BATCH_MS);
        }),
      (streamId, error) => {
        // Rows still waiting go first; the last batch says the listing ended, and why it failed.
        if (!error) send(streamId);
        ended = true;
        clearTimeout(timer);
        this.hub.emit('salvage:runs:batch', {
          streamId,
          rows: [],
          found,
          done: true,
          ...(error ? { error } : {}),
        });
      },
    );
  }
}
