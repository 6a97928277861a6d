import { SalvageError } from '../../../shared/util/errors.ts';

/**
 * `s3://bucket/prefix/key` locations: a log folder or a log in object storage.
 *
 * Salvage passes locations around as strings (a local path or an `s3://` URL), so that every
 * place that takes a folder or a log takes either; this module is the one reading of the URL
 * form. A key is kept exactly as written (S3 keys are not paths), except that empty, `.` and
 * `..` segments are refused: some S3-compatible servers normalise them, so such a key could name
 * another object than the one the folder check saw.
 */
export interface S3Location {
  readonly bucket: string;
  /** The key (or the folder's prefix, without a trailing `/`; empty for the whole bucket). */
  readonly key: string;
}

const SCHEME = 's3://';
/** Bucket names as S3 allows them (3–63 characters; MinIO and others accept the same set). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Url(location: string): boolean {
  return location.slice(0, SCHEME.length).toLowerCase() === SCHEME;
}

/** Parse `s3://bucket[/key]` (a trailing `/` is dropped), or throw `invalid-arguments`. */
export function parseS3Url(location: string): S3Location {
  if (!isS3Url(location))
    throw new SalvageError('invalid-arguments', `${location} is not an s3://bucket/prefix URL.`);
  const rest = location.slice(SCHEME.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) {
    throw new SalvageError(
      'invalid-arguments',
      `${location}: "${bucket}" is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens).`,
    );
  }
  if (key !== '' && key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new SalvageError(
      'invalid-arguments',
      `${location}: a key with an empty, "." or ".." segment is not read (servers differ on what it names).`,
    );
  }
  if (key.includes('\0'))
    throw new SalvageError('invalid-arguments', `${location}: a key cannot hold a NUL character.`);
  return { bucket, key };
}

/** The URL of a location: `s3://bucket/key` (`s3://bucket` for the bucket itself). */
export function s3Url(location: S3Location): string {
  return location.key === ''
    ? `${SCHEME}${location.bucket}`
    : `${SCHEME}${location.bucket}/${location.key}`;
}

/** The same URL, written one way (lowercase scheme, no trailing `/`): how folders are compared. */
export function normalS3Url(location: string): string {
  return s3Url(parseS3Url(location));
}

/** The key of an object under a folder: `prefix/name`, or `name` at the bucket's top. */
export function childKey(folder: S3Location, name: string): string {
  return folder.key === '' ? name : `${folder.key}/${name}`;
}

/** True when `inner` is `folder` or an object below it. */
export function s3Contains(folder: S3Location, inner: S3Location): boolean {
  if (folder.bucket !== inner.bucket) return false;
  return folder.key === '' || inner.key === folder.key || inner.key.startsWith(`${folder.key}/`);
}

/** The folder holding a key (`s3://b/a/x.eval` → `s3://b/a`). */
export function s3Parent(location: string): string {
  const { bucket, key } = parseS3Url(location);
  const slash = key.lastIndexOf('/');
  return s3Url({ bucket, key: slash < 0 ? '' : key.slice(0, slash) });
}
