import { existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { isS3Url } from '../s3/s3Url.ts';
import { writeFileAtomically, type OutputOptions } from './atomicFile.ts';

/**
 * Write an output (a recovered log, an export) wherever it goes: a local file written atomically,
 * or an object in S3 uploaded from a verified local copy and read back (see writeObjectVerified).
 * Either way nothing is visible at `target` until it is complete, and nothing is replaced unless
 * `overwrite`.
 */
export async function writeOutput(
  target: string,
  write: (handle: FileHandle) => Promise<void>,
  options: OutputOptions = {},
): Promise<void> {
  if (!isS3Url(target)) return writeFileAtomically(target, write, options);
  // Loaded for a bucket only: the S3 modules bring the AWS SDK (see openLogSource).
  const { writeObjectVerified } = await import('../s3/s3Output.ts');
  await writeObjectVerified(target, write, options);
}

/** Whether a file or an object exists at `target`. */
export async function outputExists(target: string): Promise<boolean> {
  if (!isS3Url(target)) return existsSync(target);
  const { exists } = await import('../s3/s3Output.ts');
  return exists(target);
}
