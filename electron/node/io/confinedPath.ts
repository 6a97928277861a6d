import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { SalvageError, type SalvageErrorKind } from '../../../shared/util/errors.ts';
import { fileError } from './fileErrors.ts';

/**
 * Whether `inner` (a real path) is `root` (a real path) or lies below it. By path segments: a
 * sibling named `rootX` or a child named `..data` are told apart correctly.
 */
export function isWithin(root: string, inner: string): boolean {
  const rest = relative(root, inner);
  if (rest === '') return true;
  if (isAbsolute(rest)) return false;
  return rest.split(sep)[0] !== '..';
}

/**
 * The real path of `path`, refused unless it lies within `root` (a real path): for paths made
 * from content Salvage reads (a buffer's manifest names its segments and metadata files, and a
 * buffer may come from another machine or a shared bucket), so a link or a `..` in them never
 * reads outside the folder the user opened. `what` names the path in the refusal.
 */
export function confinedRealPath(
  path: string,
  root: string,
  what: string,
  kind: SalvageErrorKind = 'outside-opened-folders',
): string {
  const real = realPath(path);
  if (!isWithin(root, real)) {
    throw new SalvageError(
      kind,
      `${what} ${path} leads outside ${root} (to ${real}); Salvage reads a buffer only inside the folder of its log.`,
    );
  }
  return real;
}

/** The real path of `path` (links resolved), or a typed error. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    throw fileError(error, path);
  }
}

/** The bytes of a {@link confinedFile}, or a typed error. */
export function readConfinedFile(path: string, root: string, what: string): Buffer {
  const real = confinedFile(path, root, what);
  try {
    return readFileSync(real);
  } catch (error) {
    throw fileError(error, path, 'read');
  }
}

/** Like {@link confinedRealPath}, and the path must be a regular file. */
export function confinedFile(path: string, root: string, what: string): string {
  const real = confinedRealPath(path, root, what);
  let isFile: boolean;
  try {
    isFile = statSync(real).isFile();
  } catch (error) {
    throw fileError(error, path);
  }
  if (!isFile) throw new SalvageError('not-a-file', `${what} ${path} is not a regular file.`);
  return real;
}
