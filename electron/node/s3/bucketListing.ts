import { ListObjectsV2Command, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { s3Access, type S3Access } from './s3Client.ts';
import { s3Error } from './s3Errors.ts';
import type { S3Object } from './s3ByteSource.ts';
import { s3Url, type S3Location } from './s3Url.ts';

/** Keys per ListObjectsV2 call: the service's maximum. */
const PAGE_KEYS = 1000;

/**
 * Every object under a folder (recursive), in key order: ListObjectsV2, one call per 1,000
 * objects. Objects come with their size, ETag and date, which is all a re-listing needs to
 * answer unchanged runs from their digests.
 */
export async function listObjects(folder: S3Location, access?: S3Access): Promise<S3Object[]> {
  const s3 = access ?? (await s3Access());
  const prefix = folder.key === '' ? '' : `${folder.key}/`;
  const objects: S3Object[] = [];
  try {
    for await (const page of paginateListObjectsV2(
      { client: s3.client, pageSize: PAGE_KEYS },
      { Bucket: folder.bucket, Prefix: prefix },
    )) {
      for (const item of page.Contents ?? []) {
        // A "folder marker" (an empty key ending in /) is no object of ours.
        if (!item.Key || item.Key.endsWith('/')) continue;
        objects.push({
          bucket: folder.bucket,
          key: item.Key,
          size: item.Size ?? 0,
          etag: item.ETag ?? '',
          lastModified: item.LastModified ?? new Date(0),
        });
      }
    }
  } catch (error) {
    throw s3Error(error, `Cannot list ${s3Url(folder)}`);
  }
  return objects;
}

/**
 * Check that a folder in a bucket can be listed (one ListObjectsV2 call for one key): the bucket
 * exists and the credentials may list it. What opening an `s3://` folder checks, as opening a
 * local one checks that the folder exists.
 */
export async function checkFolder(folder: S3Location): Promise<void> {
  const { client } = await s3Access();
  try {
    await client.send(
      new ListObjectsV2Command({
        Bucket: folder.bucket,
        Prefix: folder.key === '' ? '' : `${folder.key}/`,
        MaxKeys: 1,
      }),
    );
  } catch (error) {
    throw s3Error(error, `Cannot open ${s3Url(folder)}`);
  }
}
