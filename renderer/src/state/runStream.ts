import type { SampleBatch } from '../../../shared/ipc/contract.ts';
import type { LogHeader, SampleSummary } from '../../../shared/model/log.ts';
import { sampleKey } from '../../../shared/model/log.ts';
import { sampleFacts, searchTextOf, type SampleFacts } from '../../../shared/model/sampleFacts.ts';
import type { Client } from '../api/client.ts';
import { BackendError, toBackendError } from '../api/transport.ts';

/** How often a streaming sample list is redrawn, at most. */
export const VIEW_UPDATE_MS = 150;
/**
 * Rows per millisecond of wait between redraws, once the list is long: a redraw re-sorts every
 * row, so a run of 100,000 samples is redrawn every second, not every 150 ms (whose redraws, on
 * a slow machine, took the time the stream needed).
 */
const ROWS_PER_MS = 100;

/** The wait before the next redraw of a streaming list of `rows` rows. */
export function viewUpdateDelay(rows: number): number {
  return Math.max(VIEW_UPDATE_MS, Math.round(rows / ROWS_PER_MS));
}

/**
 * One row of a run's sample list: what the grid shows and filters look at, computed once as the
 * row arrives (a filter keystroke over 100,000 rows must not re-read every summary).
 */
export interface SampleRow {
  readonly key: string;
  readonly summary: SampleSummary;
  readonly facts: SampleFacts;
  /** The text shown of the sample, lower-cased, for the quick text filter. */
  readonly search: string;
}

/** Reading a run's rows: how far, and how it ended. */
export interface StreamProgress {
  readonly phase: 'streaming' | 'done' | 'stopped' | 'failed';
  readonly bytesRead: number;
  readonly bytesTotal: number;
}

/** What the run view shows of the open run. */
export interface RunState {
  readonly path: string;
  readonly header: LogHeader | null;
  readonly rows: ReadonlyArray<SampleRow>;
  readonly progress: StreamProgress;
  readonly error: BackendError | null;
}

/** Timers, injected so tests can drive them. */
export interface Clock {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const realClock: Clock = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** One stream of the run's rows (the first, or a refresh): current until another replaces it. */
interface Stream {
  readonly path: string;
  stop: (() => void) | null;
  stopped: boolean;
}

/**
 * The open run and the stream of its rows, framework-free: it owns the one stream that is
 * current, so Stop and close always reach the stream still running, and a stream that starts
 * after it was replaced is stopped as soon as the back end names it. The store renders what
 * `onChange` reports.
 *
 * A run that has not finished (`started`) is re-read on `refresh()`: one refresh at a time, and a
 * change while any stream runs asks for one more when it ends, so the last state always shows.
 */
export class RunStream {
  private state: RunState | null = null;
  private stream: Stream | null = null;
  private rows = new Map<string, SampleRow>();
  private again = false;
  private timer: unknown = null;
  private pending: SampleBatch | null = null;

  private readonly client: Client;
  private readonly onChange: (state: RunState | null) => void;
  private readonly clock: Clock;

  constructor(client: Client, onChange: (state: RunState | null) => void, clock = realClock) {
    this.client = client;
    this.onChange = onChange;
    this.clock = clock;
  }

  get current(): RunState | null {
    return this.state;
  }

  /** Open a run: its header, then its rows as they stream in. */
  async open(path: string): Promise<void> {
    this.end();
    this.rows = new Map();
    this.again = false;
    this.show({
      path,
      header: null,
      rows: [],
      progress: { phase: 'streaming', bytesRead: 0, bytesTotal: 0 },
      error: null,
    });
    const stream = this.begin(path);
    try {
      const header = await this.client.call('salvage:log:header', { path });
      if (this.stream !== stream) return;
      this.update({ header });
      await this.startStream(stream);
    } catch (error) {
      this.fail(stream, error);
    }
  }

  /** Re-read an unfinished run after its files changed: new rows join, changed rows update. */
  async refresh(): Promise<void> {
    const state = this.state;
    if (!state || state.header?.status !== 'started') return;
    if (this.stream) {
      this.again = true;
      return;
    }
    const stream = this.begin(state.path);
    try {
      const header = await this.client.call('salvage:log:header', { path: state.path });
      if (this.stream !== stream) return;
      this.update({ header, progress: { ...state.progress, phase: 'streaming' } });
      await this.startStream(stream);
    } catch (error) {
      this.fail(stream, error);
    }
  }

  /** Stop reading (the Stop button): the rows read so far stay. */
  stop(): void {
    if (!this.stream || !this.state) return;
    this.end();
    this.update({ progress: { ...this.state.progress, phase: 'stopped' } });
  }

  /** Close the run: stop whatever still streams and forget it. */
  close(): void {
    this.end();
    this.rows = new Map();
    this.show(null);
  }

  private begin(path: string): Stream {
    const stream: Stream = { path, stop: null, stopped: false };
    this.stream = stream;
    return stream;
  }

  /** Stop the current stream, wherever it is: not yet started, running, or starting. */
  private end(): void {
    const stream = this.stream;
    this.stream = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    if (!stream) return;
    stream.stopped = true;
    stream.stop?.();
  }

  private async startStream(stream: Stream): Promise<void> {
    const stop = await this.client.streamSamples(stream.path, (batch) => {
      if (this.stream === stream) this.receive(stream, batch);
    });
    // Replaced or stopped while the back end was starting it (or it already ended): stop it now.
    if (stream.stopped || this.stream !== stream) stop();
    else stream.stop = stop;
  }

  private receive(stream: Stream, batch: SampleBatch): void {
    for (const summary of batch.items) {
      const key = sampleKey(summary.id, summary.epoch);
      const facts = sampleFacts(summary);
      this.rows.set(key, { key, summary, facts, search: searchTextOf(facts) });
    }
    this.pending = batch;
    if (batch.done) {
      this.flush();
      this.stream = null;
      stream.stopped = true;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    } else {
      // Redrawn now and then, not per batch: a run of 100,000 samples arrives in hundreds of
      // batches, and re-rendering the list for each would cost more than decoding them.
      this.timer ??= this.clock.setTimeout(() => this.flush(), viewUpdateDelay(this.rows.size));
    }
  }

  private flush(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = null;
    if (!batch || !this.state) return;
    this.update({
      rows: [...this.rows.values()],
      progress: {
        phase: !batch.done ? 'streaming' : batch.error ? 'failed' : 'done',
        bytesRead: batch.bytesRead,
        bytesTotal: batch.bytesTotal,
      },
      error: batch.error
        ? new BackendError(batch.error.kind, batch.error.message)
        : this.state.error,
    });
  }

  private fail(stream: Stream, error: unknown): void {
    if (this.stream !== stream || !this.state) return;
    this.stream = null;
    this.update({
      error: toBackendError(error),
      progress: { ...this.state.progress, phase: 'failed' },
    });
  }

  private update(change: Partial<RunState>): void {
    if (this.state) this.show({ ...this.state, ...change });
  }

  private show(state: RunState | null): void {
    this.state = state;
    this.onChange(state);
  }
}
