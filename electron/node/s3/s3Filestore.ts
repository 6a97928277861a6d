import { DeleteObjectsCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { FilestoreFiles } from '../recovery/filestoreBuffer.ts';
import { listObjects } from './bucketListing.ts';
import { headObject, type S3Object } from './s3ByteSource.ts';
import { s3Access } from './s3Client.ts';
import { s3Call, s3Error } from './s3Errors.ts';
import { childKey, parseS3Url, s3Url } from './s3Url.ts';
import { SalvageError } from '../../../shared/util/errors.ts';

/**
 * The `--log-shared` filestore beside a log in a bucket: `<dir>/.buffer/<name>/`, when its
 * manifest is there (one HEAD), with the manifest's date (how recently the run wrote to it).
 */
export async function findS3Filestore(
  logUrl: string,
): Promise<{ readonly url: string; readonly manifest: S3Object } | null> {
  const log = parseS3Url(logUrl);
  const slash = log.key.lastIndexOf('/');
  const dir = { bucket: log.bucket, key: slash < 0 ? '' : log.key.slice(0, slash) };
  const name = log.key.slice(slash + 1).replace(/\.[^.]*$/, '');
  const folder = { bucket: log.bucket, key: childKey(dir, `.buffer/${name}`) };
  try {
    const manifest = await headObject({
      bucket: folder.bucket,
      key: `${folder.key}/manifest.json`,
    });
    return { url: s3Url(folder), manifest };
  } catch (error) {
    if ((error as { kind?: string }).kind === 'not-found') return null;
    throw error;
  }
}

/**
 * A filestore's files read from the bucket, one whole object a read: a segment is one sync's
 * rows (small), read once and kept among the few the buffer holds at a time. Names come from the
 * manifest (content from another machine): each must be one key segment, so that every key read
 * lies under the filestore's prefix, as a local filestore confines its paths to its folder.
 */
export function s3FilestoreFiles(folderUrl: string): FilestoreFiles {
  const folder = parseS3Url(folderUrl);
  return {
    location: folderUrl,
    read: async (name, what) => {
      if (!isOneSegment(name)) {
        throw new SalvageError(
          'outside-opened-folders',
          `${what} ${name} would lead outside ${folderUrl}; Salvage reads a buffer only under the prefix of its log.`,
        );
      }
      const key = childKey(folder, name);
      const { client } = await s3Access();
      try {
        const response = await client.send(
          new GetObjectCommand({ Bucket: folder.bucket, Key: key }),
        );
        return await response.Body!.transformToByteArray();
      } catch (error) {
        const typed = s3Error(error, `Cannot read ${s3Url({ bucket: folder.bucket, key })}`);
        if ((typed as { kind?: string }).kind === 'not-found') return null;
        throw typed;
      }
    },
  };
}

/** A name that stays one key segment under a prefix: no `/`, not `.` or `..`, no NUL. */
function isOneSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** Remove every object under a folder (a filestore, after a verified recovery asked to clean up). */
export async function removeS3Folder(folderUrl: string): Promise<void> {
  const folder = parseS3Url(folderUrl);
  const { client } = await s3Access();
  const objects = await listObjects(folder);
  // DeleteObjects takes up to 1,000 keys a call.
  for (let start = 0; start < objects.length; start += 1000) {
    const keys = objects.slice(start, start + 1000).map((object) => ({ Key: object.key }));
    await s3Call(`Cannot remove ${folderUrl}`, () =>
      client.send(new DeleteObjectsCommand({ Bucket: folder.bucket, Delete: { Objects: keys } })),
    );
  }
}
