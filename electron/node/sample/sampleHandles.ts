import { randomUUID } from 'node:crypto';
import type {
  EventRows,
  OpenedSample,
  OutlinePage,
  PooledList,
  SampleField,
  SamplePage,
  StringSlice,
} from '../../../shared/formats/sample/pageTypes.ts';
import {
  DEFAULT_PAGER_LIMITS,
  SamplePager,
  type PagerLimits,
} from '../../../shared/formats/sample/samplePager.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { writeResolvedSample } from '../../../shared/formats/sample/resolvedWriter.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { versionOf } from '../logs/openLog.ts';
import { SAMPLE_COPY_LIMIT_BYTES } from '../../../shared/util/limits.ts';
import { indexSample, type IndexedSample } from './indexSample.ts';
import { keepYoungGenerationSmall } from './youngGeneration.ts';

export interface SampleHandlesOptions {
  readonly codecs?: Codecs;
  readonly spillDirectory?: string;
  /** The decode thread's module (the bundled build's); see IndexOptions.decodeWorkerUrl. */
  readonly decodeWorkerUrl?: URL | null;
  /** Samples kept open at once (least recently used closed first). */
  readonly maxOpen?: number;
  /** A sample not read for this long is closed. */
  readonly idleMs?: number;
  /** Spill bytes kept at once; opening beyond it closes older samples (never the one opened). */
  readonly maxSpillBytes?: number;
  readonly limits?: PagerLimits;
  /** The clock idleness is measured by (a test's own, to step it). */
  readonly now?: () => number;
}

/** A few open samples: a viewer shows one, with the previous ones ready for Back. */
const MAX_OPEN = 4;
const IDLE_MS = 10 * 60 * 1000;
/** Spill disk use across open samples: a few samples of several GB each. */
const MAX_SPILL_BYTES = 16 * 1024 ** 3;

/** One indexed sample, shared by every handle opened on the same file state. */
interface Entry {
  readonly key: string;
  readonly ready: Promise<{ sample: IndexedSample; pager: SamplePager }>;
  readonly abort: AbortController;
  readonly handles: Set<string>;
  lastUsed: number;
  spilled: number;
  closed: boolean;
  /** The indexing failed (its own error is the answer, not `sample-closed`). */
  failed: boolean;
}

/**
 * The paged sample service: open a sample into a handle, read pages through it, close it.
 *
 * Handles expire: a few samples stay open (least recently used closed first), an idle one closes
 * after ten minutes, and spill disk use is capped; a call on an expired handle is refused as
 * `sample-closed` (the view opens the sample again). Opening a sample already open (the same
 * file, unchanged) shares its index instead of reading it again.
 */
export class SampleHandles {
  private readonly options: SampleHandlesOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly handles = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: SampleHandlesOptions = {}) {
    this.options = options;
    keepYoungGenerationSmall();
    const idle = options.idleMs ?? IDLE_MS;
    this.sweeper = setInterval(() => void this.closeIdle(), Math.min(idle, 60_000));
    this.sweeper.unref();
  }

  /** Index the sample (or share the open index) and return a handle with its overview. */
  async open(path: string, id: string, epoch: number): Promise<OpenedSample> {
    // A changed file is a new sample state: never page an index of older bytes.
    const key = [path, await versionOf(path), id, epoch].join('\u0000');
    let entry = this.entries.get(key);
    if (!entry) {
      const abort = new AbortController();
      const ready = indexSample(path, id, epoch, {
        codecs: this.options.codecs,
        spillDirectory: this.options.spillDirectory,
        decodeWorkerUrl: this.options.decodeWorkerUrl,
        signal: abort.signal,
      }).then((sample) => ({
        sample,
        pager: new SamplePager(
          sample.index,
          sample.bytes,
          this.options.limits ?? DEFAULT_PAGER_LIMITS,
        ),
      }));
      entry = {
        key,
        ready,
        abort,
        handles: new Set(),
        lastUsed: this.now(),
        spilled: 0,
        closed: false,
        failed: false,
      };
      this.entries.set(key, entry);
      // A failed open leaves nothing behind.
      const failing = entry;
      ready.catch(() => {
        // An indexing stopped because the sample was closed did not fail: it was closed.
        if (!failing.closed) failing.failed = true;
        return this.drop(failing);
      });
    }
    const handle = randomUUID();
    entry.handles.add(handle);
    this.handles.set(handle, entry);
    try {
      const { sample, pager } = await entry.ready;
      entry.spilled = sample.spilledBytes;
      this.touch(entry);
      await this.evict(entry);
      return { handle, overview: await pager.overview() };
    } catch (error) {
      this.handles.delete(handle);
      entry.handles.delete(handle);
      // Closed while it was being indexed (evicted, or every handle closed): say so, typed.
      if (entry.closed && !entry.failed) throw closedError();
      throw error;
    }
  }

  async messages(handle: string, start: number, count: number): Promise<SamplePage> {
    return (await this.pager(handle)).messages(start, count);
  }

  async events(handle: string, start: number, count: number): Promise<SamplePage> {
    return (await this.pager(handle)).events(start, count);
  }

  async pooled(
    handle: string,
    event: number,
    list: PooledList,
    start: number,
    count: number,
  ): Promise<SamplePage> {
    return (await this.pager(handle)).pooled(event, list, start, count);
  }

  async outline(handle: string, start: number, count: number): Promise<OutlinePage> {
    return (await this.pager(handle)).outline(start, count);
  }

  async rows(handle: string, start: number, count: number): Promise<EventRows> {
    return (await this.pager(handle)).eventRows(start, count);
  }

  async field(handle: string, key: string): Promise<SampleField> {
    return (await this.pager(handle)).field(key);
  }

  async string(handle: string, ref: string, start: number, length: number): Promise<StringSlice> {
    return (await this.pager(handle)).string(ref, start, length);
  }

  /**
   * The sample as JSON text, resolved as `salvage sample --json` writes it, up to `limit` bytes:
   * past it the writing stops and the answer is a `size-limit` error that says what to do.
   */
  async json(handle: string, limit = SAMPLE_COPY_LIMIT_BYTES): Promise<string> {
    const { sample } = await this.ready(handle);
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    await writeResolvedSample(sample.index, sample.bytes, (chunk) => {
      bytes += chunk.byteLength;
      if (bytes > limit) {
        throw new SalvageError(
          'size-limit',
          `The sample's JSON is over ${Math.round(limit / 1024 ** 2)} MB, too much for the clipboard: export the run as JSONL, or run \`salvage sample LOG ID EPOCH --json\`.`,
        );
      }
      chunks.push(chunk.slice());
    });
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Close a handle; the sample closes with its last handle. Closing twice is harmless. */
  async close(handle: string): Promise<void> {
    const entry = this.handles.get(handle);
    if (!entry) return;
    this.handles.delete(handle);
    entry.handles.delete(handle);
    if (entry.handles.size === 0) await this.drop(entry);
  }

  /** Close everything (the app quits, a test ends). */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.entries.values()].map((entry) => this.drop(entry)));
  }

  /** Samples open now (for tests and diagnostics). */
  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  get openCount(): number {
    return this.entries.size;
  }

  private async pager(handle: string): Promise<SamplePager> {
    return (await this.ready(handle)).pager;
  }

  private async ready(handle: string): Promise<{ sample: IndexedSample; pager: SamplePager }> {
    const entry = this.handles.get(handle);
    if (!entry || entry.closed) throw closedError();
    this.touch(entry);
    return entry.ready;
  }

  private touch(entry: Entry): void {
    entry.lastUsed = this.now();
    // Map order is use order: most recent last.
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
  }

  /** Close the least recently used samples beyond the count and spill limits, never `keep`. */
  private async evict(keep: Entry): Promise<void> {
    const maxOpen = this.options.maxOpen ?? MAX_OPEN;
    const maxSpill = this.options.maxSpillBytes ?? MAX_SPILL_BYTES;
    const spilled = (): number =>
      [...this.entries.values()].reduce((sum, entry) => sum + entry.spilled, 0);
    for (const entry of [...this.entries.values()]) {
      if (this.entries.size <= maxOpen && spilled() <= maxSpill) break;
      if (entry !== keep) await this.drop(entry);
    }
  }

  private async closeIdle(): Promise<void> {
    const limit = this.now() - (this.options.idleMs ?? IDLE_MS);
    for (const entry of [...this.entries.values()]) {
      if (entry.lastUsed < limit) await this.drop(entry);
    }
  }

  /** Close a sample: its handles expire, its indexing stops, its bytes are released. */
  private async drop(entry: Entry): Promise<void> {
    if (entry.closed) return;
    entry.closed = true;
    this.entries.delete(entry.key);
    for (const handle of entry.handles) this.handles.delete(handle);
    entry.handles.clear();
    entry.abort.abort();
    const opened = await entry.ready.catch(() => null);
    await opened?.sample.bytes.close();
  }
}

function closedError(): SalvageError {
  return new SalvageError(
    'sample-closed',
    'This sample is no longer open (it was closed, idle for a while, or other samples were opened since): open it again.',
  );
}
