import { SalvageError, type SalvageErrorKind } from '../../../shared/util/errors.ts';

/** The kind a failed file-system call maps to: what the user can do about it differs for each. */
const KIND_OF_CODE: Readonly<Record<string, SalvageErrorKind>> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-a-folder',
  EISDIR: 'not-a-file',
  EEXIST: 'already-exists',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EFBIG: 'disk-full',
  EROFS: 'read-only',
  ENAMETOOLONG: 'not-found',
  ELOOP: 'not-found',
};

/** Why, for the codes whose kind alone does not say it. */
const REASON_OF_CODE: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'its path is too long for the file system',
  ELOOP: 'its path goes round a loop of links',
};

const REASON_OF_KIND: Partial<Record<SalvageErrorKind, string>> = {
  'not-found': 'it does not exist',
  'not-a-folder': 'a part of its path is a file, not a folder',
  'not-a-file': 'it is a folder',
  'already-exists': 'it already exists',
  'permission-denied': 'permission denied',
  'disk-full': 'there is no space left on its disk (or over the quota); free some and retry',
  'read-only': 'its file system is read-only; choose a folder on a writable disk',
};

/**
 * A failed file-system call as a typed error: `Cannot open X: it does not exist.` Errors without
 * an errno (a bug) pass through unchanged.
 */
export function fileError(error: unknown, path: string, action = 'open'): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // An errno (ENOENT, ENOSPC…), not one of Node's own ERR_ codes (those are bugs or have their own handling).
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error;
  const kind = Object.hasOwn(KIND_OF_CODE, code) ? KIND_OF_CODE[code]! : 'io';
  // A file being written that "does not exist": its folder is what is missing.
  const reason = Object.hasOwn(REASON_OF_CODE, code)
    ? REASON_OF_CODE[code]!
    : kind === 'not-found' && action === 'write'
      ? 'its folder does not exist'
      : (REASON_OF_KIND[kind] ?? (error as Error).message);
  return new SalvageError(kind, `Cannot ${action} ${path}: ${reason}.`, { cause: error });
}
