import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SearchStore, SegmentWriter } from './searchStore.ts';

/** Text written per transaction: large enough that FTS5 merges its pending terms rarely. */
const BATCH_CHARS = 8 * 1024 * 1024;
/** Longest a transaction stays open: a query waits at most about this long behind it. */
const BATCH_MS = 250;

/**
 * The indexer's transactions: opened on the first write, committed once a batch holds enough
 * text or has been open long enough (a sample of several GB is committed in pieces), then a turn
 * of the event loop is given away so that queries and progress get through.
 */
export class IndexBatch {
  private readonly store: SearchStore;
  private readonly signal: AbortSignal | undefined;
  private open = false;
  /** The store's count of characters written when the batch opened. */
  private chars = 0;
  private started = 0;
  private due = false;

  constructor(store: SearchStore, signal?: AbortSignal) {
    this.store = store;
    this.signal = signal;
  }

  /** The store, inside a transaction. */
  write(): SearchStore {
    if (!this.open) {
      this.store.begin();
      this.open = true;
      this.chars = this.store.charsWritten;
      this.started = performance.now();
    }
    return this.store;
  }

  /**
   * Commit when the batch is full (enough text written, or open long enough), first flushing
   * `writer` (a segment still being written) and running `checkpoint` (what a resume needs, saved
   * in the same transaction). Returns true when it committed.
   */
  maybeCommit(writer?: SegmentWriter, checkpoint?: () => void): boolean {
    if (!this.open) return false;
    const chars = this.store.charsWritten - this.chars;
    if (chars < BATCH_CHARS && performance.now() - this.started < BATCH_MS) return false;
    writer?.flush();
    checkpoint?.();
    this.commit();
    if (writer) {
      // The segment goes on: its next rows are written in a batch again, never outside one.
      this.write();
      writer.resume();
    }
    return true;
  }

  /** Commit if the batch is due, and give the event loop a turn; throws when aborted. */
  async pause(): Promise<void> {
    if (this.due) {
      this.due = false;
      await nextTurn();
    }
    this.signal?.throwIfAborted();
  }

  commit(): void {
    if (!this.open) return;
    this.store.commit();
    this.open = false;
    this.due = true;
  }

  /** Drop what the open batch wrote. */
  abort(): void {
    if (this.open) this.store.rollback();
    this.open = false;
  }
}
