import type { BackendErrorKind } from '../../../shared/ipc/outcome.ts';

/** What a user can do about a failure, offered beside its message. */
export type ErrorAction = 'retry' | 'overwrite' | 'open-folder' | 'refresh-list';

/**
 * The actions that fit a failure's kind: a file outside the opened folders needs its folder
 * opened; a file that is gone, a fresh listing; an output that exists, an explicit overwrite;
 * a passing condition (a writer still busy, a file changing, the server unreachable), a retry.
 * Kinds about the content of a file (corrupt, truncated, not a log) have none: the message says
 * what is wrong with it.
 */
export function errorActions(kind: BackendErrorKind): ReadonlyArray<ErrorAction> {
  switch (kind) {
    case 'outside-opened-folders':
      return ['open-folder'];
    case 'not-found':
    case 'object-changed':
      return ['refresh-list'];
    case 'already-exists':
      return ['overwrite'];
    case 'log-in-use':
    case 'changed-during-repair':
    case 'transport':
    case 'io':
    case 'endpoint-unreachable':
    case 'throttled':
    case 'internal':
      return ['retry'];
    default:
      return [];
  }
}
