import type { InspectRecoverySource, Liveness } from './run.ts';

/** An entry of a truncated archive that could not be salvaged, and why. */
export interface LostEntry {
  readonly name: string;
  readonly offset: number;
  readonly reason: string;
}

/** What a recovery would do, shown before anything is written. */
export interface RecoveryPlan {
  readonly log: string;
  readonly source: InspectRecoverySource;
  /** The buffer read (database file or filestore folder), or null for an archive alone. */
  readonly buffer: string | null;
  /** Whether the crashed archive is whole (central directory present) or was cut off. */
  readonly archive: 'intact' | 'truncated';
  readonly total: number | null;
  readonly flushed: number;
  /** Completed samples in the buffer that the log does not hold yet: rebuilt from the buffer. */
  readonly completed: number;
  readonly inProgress: number;
  /**
   * Samples in the buffer that the log already holds (a kill between a flush and the buffer's
   * cleanup): recovered once, from the log. Inspect's `recover --list` counts them again among
   * its completed samples, so its figure is `completed + alreadyFlushed`.
   */
  readonly alreadyFlushed: number;
  readonly lost: number;
  readonly lostEntries: ReadonlyArray<LostEntry>;
  readonly output: string;
  readonly warnings: ReadonlyArray<string>;
  /** A log in object storage: why it is taken for crashed, and how sure that is. */
  readonly liveness?: Liveness;
}

export interface RecoveryReport extends RecoveryPlan {
  readonly written: number;
  readonly bytes: number;
  readonly cleanedUp: boolean;
}

/** What a repair does to one damaged line of a JSONL log. */
export type RepairActionName =
  /** The last line was torn (no newline, not JSON): it moves to the sidecar. */
  | 'truncate-torn'
  /** The last line is a complete record that lacks its newline: the newline is added. */
  | 'append-newline'
  /** Torn bytes with a complete record glued after them on one line: the bytes move out, the record stays. */
  | 'move-fragment'
  /** A complete record lacking its newline with the next record glued after it: a newline goes between, nothing is removed. */
  | 'insert-newline';

/** The repair of a JSONL log's damaged line (see `salvage repair`). */
export interface RepairCheck {
  readonly log: string;
  readonly size: number;
  /**
   * Every damaged line a repair fixes, ascending: spliced lines (torn bytes with a resumed
   * writer's record glued after them), then the unterminated last line. Empty when healthy.
   */
  readonly plans: ReadonlyArray<{
    readonly action: RepairActionName;
    readonly line: number;
    readonly moved: { readonly start: number; readonly end: number };
    readonly preview: string;
  }>;
  /** Where the moved bytes go, one sidecar for the whole repair. */
  readonly sidecar: string | null;
  readonly malformed: ReadonlyArray<{
    readonly line: number;
    readonly start: number;
    readonly end: number;
  }>;
  readonly malformedCount: number;
  /**
   * A repair or undo of this log that a dead run left half-done, finished before this check
   * (from its journal beside the log); absent when there was none.
   */
  readonly completedInterrupted?: 'repair' | 'undo';
}

export interface RepairReport extends RepairCheck {
  readonly repaired: boolean;
  readonly sizeAfter: number;
}

export interface UndoReport {
  readonly log: string;
  readonly sidecar: string;
  readonly action: RepairActionName;
  readonly restoredBytes: number;
  readonly size: number;
  /**
   * The repair had never changed the log (it stopped after writing its sidecar), so there was
   * nothing to put back: the sidecar is only marked spent.
   */
  readonly neverApplied?: true;
}
