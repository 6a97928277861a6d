import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SalvageError } from '../../../shared/util/errors.ts';
import { isWithin } from './confinedPath.ts';
import { fileError } from './fileErrors.ts';

/**
 * The real path of `path` if it lies inside one of `folders`, else a typed refusal.
 *
 * Every path that arrives from the renderer (or over HTTP in web mode) goes through here: the
 * back end reads only what lies under a folder the user opened.
 */
export async function resolveInside(path: string, folders: ReadonlyArray<string>): Promise<string> {
  assertPathText(path);
  let real: string;
  try {
    real = await realpath(resolve(path));
  } catch (error) {
    throw fileError(error, path);
  }
  for (const folder of folders) {
    const root = await realpath(resolve(folder)).catch(() => null);
    if (root === null) continue;
    // By path segments: a folder named `..data` inside is inside.
    if (isWithin(root, real)) return real;
  }
  throw new SalvageError(
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
