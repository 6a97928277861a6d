import { existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { exists, writeObjectVerified } from '../s3/s3Output.ts';
import { isS3Url } from '../s3/s3Url.ts';
import { writeFileAtomically } from './atomicFile.ts';

/**
 * Write an output (a recovered log, an export) wherever it goes: a local file written atomically,
 * or an object in S3 uploaded from a verified local copy and read back (see writeObjectVerified).
 * Either way nothing is visible at `target` until it is complete, and nothing is replaced unless
 * `overwrite`.
 */
export async function writeOutput(
  target: string,
  write: (handle: FileHandle) => Promise<void>,
  options: {
    readonly overwrite?: boolean;
    readonly verify?: (temporaryPath: string) => Promise<void>;
  } = {},
): Promise<void> {
  if (isS3Url(target)) await writeObjectVerified(target, write, options);
  else await writeFileAtomically(target, write, options);
}

/** Whether a file or an object exists at `target`. */
export function outputExists(target: string): Promise<boolean> {
  return isS3Url(target) ? exists(target) : Promise.resolve(existsSync(target));
}
