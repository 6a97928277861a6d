/**
 * Typed errors for bad input.
 *
 * Every failure a user can cause (a file that is not a zip, a truncated archive, a CRC mismatch…)
 * is a SalvageError with a `kind` the UI and CLI can switch on and a message a researcher can act on.
 * Anything else that escapes is a bug in Salvage.
 */
export type SalvageErrorKind =
  // Files and folders: what the user can do about each differs (open the folder, pick another
  // name, fix permissions), so each has its kind; `io` is left for the rest (a failing disk).
  | 'not-found'
  | 'outside-opened-folders'
  | 'already-exists'
  | 'not-a-folder'
  | 'not-a-file'
  | 'permission-denied'
  /** No space left on the file system (or over the user's quota): free some and retry. */
  | 'disk-full'
  /** The file system is mounted read-only: write elsewhere. */
  | 'read-only'
  | 'io'
  // Object storage (s3://…): each says what to fix, where the SDK's own error would not.
  /** No AWS credentials anywhere the standard chain looks (env, shared files, profile, SSO…). */
  | 'no-credentials'
  /** The service refused the credentials themselves (unknown key, wrong secret, expired token). */
  | 'credentials-rejected'
  /** The credentials are valid but may not do this (a bucket policy, IAM, a read-only key). */
  | 'access-denied'
  | 'bucket-not-found'
  /** The endpoint did not answer (down, wrong URL, no network), or the connection broke mid-read. */
  | 'endpoint-unreachable'
  /** The service kept asking Salvage to slow down after several retries with backoff. */
  | 'throttled'
  /** The object was replaced while it was being read (its ETag changed): read it again. */
  | 'object-changed'
  /** A source shorter than its own structure says: a read past its end. */
  | 'truncated'
  | 'not-a-zip'
  | 'central-directory-missing'
  | 'corrupt-zip'
  | 'unsupported-compression'
  | 'crc-mismatch'
  | 'size-mismatch'
  | 'size-limit'
  | 'entry-not-found'
  | 'invalid-json'
  | 'not-an-inspect-log'
  | 'sample-not-found'
  /** A paged sample's handle that was closed or expired (idle, or pushed out by newer ones): open the sample again. */
  | 'sample-closed'
  | 'unsupported-format'
  | 'not-a-buffer'
  | 'not-recoverable'
  | 'not-torn'
  | 'changed-during-repair'
  | 'log-in-use'
  | 'invalid-arguments'
  | 'not-a-sidecar'
  /** A search query that cannot be run as written (an unclosed quote, nothing to look for). */
  | 'bad-query'
  /** A worker thread hit its memory limit: close other samples or runs and try again. */
  | 'out-of-memory';

export class SalvageError extends Error {
  readonly kind: SalvageErrorKind;

  constructor(kind: SalvageErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SalvageError';
    this.kind = kind;
  }
}

export function isSalvageError(error: unknown): error is SalvageError {
  return error instanceof SalvageError;
}

/**
 * Kinds about reaching object storage, not about one file: they end a listing or a recovery
 * (the user fixes the credentials or the endpoint) instead of marking one log or segment bad.
 */
const STORAGE_ACCESS_KINDS: ReadonlySet<SalvageErrorKind> = new Set<SalvageErrorKind>([
  'no-credentials',
  'credentials-rejected',
  'bucket-not-found',
  'endpoint-unreachable',
  'throttled',
]);

export function isStorageAccessError(error: SalvageError): boolean {
  return STORAGE_ACCESS_KINDS.has(error.kind);
}
