import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SalvageError } from '../../../shared/util/errors.ts';
import { isWithin } from './confinedPath.ts';
import { fileError } from './fileErrors.ts';
import { isS3Url, parseS3Url, s3Contains, s3Url } from '../s3/s3Url.ts';

/**
 * The real path of `path` if it lies inside one of `folders`, else a typed refusal.
 *
 * Every path that arrives from the renderer (or over HTTP in web mode) goes through here: the
 * back end reads only what lies under a folder the user opened.
 */
export async function resolveInside(path: string, folders: ReadonlyArray<string>): Promise<string> {
  if (isS3Url(path)) return s3Inside(path, folders);
  assertPathText(path);
  let real: string;
  try {
    real = await realpath(resolve(path));
  } catch (error) {
    throw fileError(error, path);
  }
  for (const folder of folders) {
    if (isS3Url(folder)) continue;
    const root = await realpath(resolve(folder)).catch(() => null);
    if (root === null) continue;
    // By path segments: a folder named `..data` inside is inside.
    if (isWithin(root, real)) return real;
  }
  throw outside(path);
}

/**
 * An `s3://` location inside an opened `s3://` folder: the same bucket, and the folder's prefix
 * followed by `/` (keys are compared as written: S3 resolves no `..`, and parseS3Url refuses
 * such segments for the servers that would).
 */
function s3Inside(path: string, folders: ReadonlyArray<string>): string {
  const target = parseS3Url(path);
  for (const folder of folders) {
    if (isS3Url(folder) && s3Contains(parseS3Url(folder), target)) return s3Url(target);
  }
  throw outside(path);
}

function outside(path: string): SalvageError {
  return new SalvageError(
    'outside-opened-folders',
    `${path} is outside the folders opened in Salvage; open its folder first.`,
  );
}

/**
 * A path as text a file system can take: no NUL byte (Node throws an untyped error for one,
 * and a NUL has cut paths short in C code underneath).
 */
export function assertPathText(path: string): void {
  if (path.includes('\0')) {
    throw new SalvageError('invalid-arguments', 'A path cannot contain a NUL character.');
  }
}
