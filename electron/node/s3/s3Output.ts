import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SalvageError } from '../../../shared/util/errors.ts';
import { writeFileAtomically, type OutputOptions } from '../io/atomicFile.ts';
import { spillDirectory } from '../sample/spillFile.ts';
import { headObject, S3ByteSource } from './s3ByteSource.ts';
import { s3Access } from './s3Client.ts';
import { s3Call, s3Error } from './s3Errors.ts';
import { parseS3Url } from './s3Url.ts';

/** Parts of a multipart upload: S3's minimum is 5 MiB; larger parts, fewer requests. */
const PART_BYTES = 16 * 1024 * 1024;
/** Parts in flight at once (memory: PART_BYTES each). */
const PARTS_IN_FLIGHT = 4;
/** Bytes read back per request when checking what was written. */
const READ_BACK_BYTES = 8 * 1024 * 1024;

/**
 * Write an object the way a local output is written atomically: into a private temporary file
 * first (written, fsynced and verified there), then sent as one PUT or, past one part, a
 * multipart upload, which the service makes visible only when it completes. An existing object
 * is never replaced unless `overwrite` (checked first, and by If-None-Match where the service
 * supports conditional writes). The object is then read back whole and compared with the file
 * by SHA-256; an object that differs is removed and the write fails.
 *
 * Returns the bytes written.
 */
export async function writeObjectVerified(
  url: string,
  write: (handle: FileHandle) => Promise<void>,
  /** As a local output's: `verify` checks the finished local file before it is sent. */
  options: OutputOptions = {},
): Promise<number> {
  const target = parseS3Url(url);
  if (!options.overwrite && (await exists(url))) {
    throw new SalvageError(
      'already-exists',
      `${url} already exists; pass --overwrite to replace it.`,
    );
  }
  // Beside the spill files: a place the user can point at a large disk ($SALVAGE_SPILL_DIR).
  await mkdir(spillDirectory(), { recursive: true });
  const folder = await mkdtemp(join(spillDirectory(), 'salvage-upload-'));
  try {
    const file = join(folder, 'object');
    await writeFileAtomically(file, write, { verify: options.verify });
    const size = (await stat(file)).size;
    const digest = await fileSha256(file);
    const { client } = await s3Access();
    const upload = new Upload({
      client,
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
      params: {
        Bucket: target.bucket,
        Key: target.key,
        Body: createReadStream(file),
        ContentLength: size,
        ...(options.overwrite ? {} : { IfNoneMatch: '*' }),
      },
    });
    try {
      await upload.done();
    } catch (error) {
      const typed = s3Error(error, `Cannot write ${url}`);
      if ((typed as { kind?: string }).kind === 'object-changed') {
        throw new SalvageError(
          'already-exists',
          `${url} appeared while it was being written; nothing was replaced.`,
        );
      }
      throw typed;
    }
    const written = await S3ByteSource.open(url);
    const back = await sourceSha256(written);
    if (written.size !== size || back !== digest) {
      await s3Call(`Cannot remove ${url}`, () =>
        client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: target.key })),
      );
      throw new SalvageError(
        'io',
        `${url} read back differs from what was written (${written.size} bytes for ${size}); it was removed.`,
      );
    }
    return size;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** True when an object exists at `url` (one HEAD). */
export async function exists(url: string): Promise<boolean> {
  try {
    await headObject(parseS3Url(url));
    return true;
  } catch (error) {
    if ((error as { kind?: string }).kind === 'not-found') return false;
    throw error;
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

async function sourceSha256(source: S3ByteSource): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < source.size; at += READ_BACK_BYTES)
    hash.update(await source.read(at, Math.min(READ_BACK_BYTES, source.size - at)));
  await source.close();
  return hash.digest('hex');
}
