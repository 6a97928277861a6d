import type { RecoverySource, RunRow, RunStatus } from '../../../shared/model/run.ts';
import type { SalvageError } from '../../../shared/util/errors.ts';

/** What a row says of its log before the log is read: where it is, its size and date. */
export type RowBase = Pick<RunRow, 'links' | 'path' | 'location' | 'format' | 'size' | 'modified'>;

/** The row of a log that cannot be read: listed with its problem, never dropped. */
export function unreadableRow(
  base: RowBase,
  error: SalvageError,
  status: RunStatus | null = null,
  recovery: RecoverySource | null = null,
): RunRow {
  return {
    ...base,
    task: null,
    model: null,
    status,
    recovery,
    samples: { completed: 0, total: null },
    created: null,
    score: null,
    scores: [],
    errors: 0,
    cost: null,
    tags: [],
    tokens: null,
    duration: null,
    problem: { kind: error.kind, message: error.message },
  };
}
