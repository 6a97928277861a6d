import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { RecoverySource, RunRow, RunStatus } from '../../../shared/model/run.ts';
import type { SalvageError } from '../../../shared/util/errors.ts';

/** What a row says of its log before the log is read: where it is, its size and date. */
export type RowBase = Pick<RunRow, 'links' | 'path' | 'location' | 'format' | 'size' | 'modified'>;

/**
 * Where a log found under `root` is: its path relative to `root` and its absolute location. A
 * listing's paths are absolute and normalized under a resolved root, so a slice says what
 * path.relative and path.resolve would, at a fraction of their cost (a listing places thousands);
 * any other path goes through them.
 */
export function placeUnder(root: string, path: string): Pick<RunRow, 'path' | 'location'> {
  const under = root.endsWith(sep) ? root : `${root}${sep}`;
  if (isAbsolute(root) && path.startsWith(under) && isNormalized(path))
    return { path: path.slice(under.length), location: path };
  return { path: relative(root, path) || path, location: resolve(path) };
}

/** No `.` or `..` segment, no empty one, no other separator: path.normalize would not change it. */
function isNormalized(path: string): boolean {
  if (sep !== '/' && path.includes('/')) return false;
  return !(
    path.includes(`${sep}${sep}`) ||
    path.includes(`${sep}.${sep}`) ||
    path.includes(`${sep}..${sep}`) ||
    path.endsWith(`${sep}.`) ||
    path.endsWith(`${sep}..`)
  );
}

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
