import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { SalvageError } from '../../../shared/util/errors.ts';
import { fileError } from './fileErrors.ts';
import { sweepTemporaryFiles, temporaryFileName } from './leftovers.ts';

/** How an output is written: whether it may replace a file, and a check before it is visible. */
export interface OutputOptions {
  readonly overwrite?: boolean;
  /** Runs on the finished temporary file before it is made visible; a throw discards it. */
  readonly verify?: (temporaryPath: string) => Promise<void>;
}

/**
 * Write a file atomically: into a temporary file beside the target, fsynced, then renamed into
 * place and the folder fsynced. A crash at any point leaves either no file at the target or the
 * complete one, never a partial file; the temporary file a killed run leaves
 * (`.NAME.salvage-PID-TIME.tmp`) is removed by the next write into that folder. A full disk or a
 * read-only folder is a typed error (`disk-full`, `read-only`), and nothing is left behind.
 *
 * `verify` runs on the finished temporary file before the rename; a throw there discards it.
 */
export async function writeFileAtomically(
  target: string,
  write: (handle: FileHandle) => Promise<void>,
  options: OutputOptions = {},
): Promise<void> {
  if (!options.overwrite && existsSync(target)) {
    throw new SalvageError(
      'already-exists',
      `${target} already exists; pass --overwrite to replace it.`,
    );
  }
  sweepTemporaryFiles(dirname(target));
  const temporary = join(dirname(target), temporaryFileName(target));
  let handle: FileHandle;
  try {
    handle = await open(temporary, 'wx');
  } catch (error) {
    throw fileError(error, target, 'write');
  }
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await options.verify?.(temporary);
    if (!options.overwrite && existsSync(target)) {
      throw new SalvageError(
        'already-exists',
        `${target} appeared while it was being written; nothing was replaced.`,
      );
    }
    await rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw fileError(error, target, 'write');
  }
  await syncFolder(dirname(target));
}

/** fsync a folder so a rename in it survives a power loss. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems (and Windows) refuse to fsync a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}
