import { NO_LINKS, type Liveness, type RunRow } from '../../../shared/model/run.ts';
import { outputKind, recoveredName } from '../../../shared/model/outputNames.ts';
import { livenessFromWrites } from '../../../shared/recovery/liveness.ts';
import {
  isSalvageError,
  isStorageAccessError,
  type SalvageError,
} from '../../../shared/util/errors.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';
import { objectIdentity, type DigestRecord, type StoredRow } from '../index/runDigest.ts';
import { jsonKindOfHead, JSON_SNIFF_BYTES, SKIPPED_FOLDERS } from '../logs/findLogFiles.ts';
import { jsonlRunKind } from '../logs/jsonlRuns.ts';
import { runLinker, type ListOptions } from '../logs/listRuns.ts';
import { formatFromPath, readRunFacts } from '../logs/openLog.ts';
import { unreadableRow, type RowBase } from '../logs/runRow.ts';
import { findDatabaseCandidates, isWriterAlive } from '../recovery/bufferLocation.ts';
import { listObjects } from './bucketListing.ts';
import { S3ByteSource, type S3Object } from './s3ByteSource.ts';
import { s3Access, type S3Access } from './s3Client.ts';
import { parseS3Url, s3Url, type S3Location } from './s3Url.ts';

/** Objects read at once on a cold listing: requests wait on the network, not the CPU. */
export const LIST_CONCURRENCY = 16;

/** What a folder in a bucket holds, from one listing. */
export interface BucketLayout {
  readonly folder: S3Location;
  /** Inspect and JSONL log candidates, by key order. */
  readonly logs: ReadonlyArray<S3Object>;
  /** Exports Salvage wrote beside runs (see outputNames.ts). */
  readonly outputs: ReadonlyArray<S3Object>;
  /** Every object's URL: what exists, without asking again. */
  readonly urls: ReadonlySet<string>;
  /** `--log-shared` buffer manifests, by their log's URL without its extension. */
  readonly manifests: ReadonlyMap<string, S3Object>;
}

/** Sort the objects under a folder into logs, outputs and buffer manifests. */
export function bucketLayout(folder: S3Location, objects: ReadonlyArray<S3Object>): BucketLayout {
  const logs: S3Object[] = [];
  const outputs: S3Object[] = [];
  const manifests = new Map<string, S3Object>();
  const prefixLength = folder.key === '' ? 0 : folder.key.length + 1;
  for (const object of objects) {
    const parts = object.key.slice(prefixLength).split('/');
    const buffer = parts.indexOf('.buffer');
    // `<dir>/.buffer/<name>/manifest.json` is the filestore of `<dir>/<name>.eval`.
    if (buffer >= 0 && parts.length === buffer + 3 && parts[buffer + 2] === 'manifest.json') {
      const dir = object.key.slice(0, object.key.length - parts.slice(buffer).join('/').length);
      manifests.set(s3Url({ bucket: object.bucket, key: `${dir}${parts[buffer + 1]}` }), object);
      continue;
    }
    if (parts.slice(0, -1).some((part) => SKIPPED_FOLDERS.has(part))) continue;
    const url = s3Url(object);
    const output = outputKind(url);
    if (output && output.kind !== 'recovered') {
      if (output.kind === 'export') outputs.push(object);
      continue;
    }
    const format = formatFromPath(url);
    if (format !== null || jsonlRunKind(url) !== null) logs.push(object);
  }
  return { folder, logs, outputs, urls: new Set(objects.map(s3Url)), manifests };
}

/**
 * The runs under `s3://bucket/prefix`, handed to `onRows` in batches as streamRuns does for a
 * local folder: one ListObjectsV2 call per 1,000 objects, then the runs the digest knows by ETag
 * and size (no request each), then the other logs read through ranged GETs (a few requests
 * whatever their size), LIST_CONCURRENCY at once. Re-listing an unchanged bucket reads nothing.
 *
 * What changes without the log changing (whether it still runs, its buffer in the bucket, a
 * recovered log or an export beside it) is decided from the listing itself on every listing.
 */
export async function streamS3Runs(
  root: string,
  options: ListOptions,
  onRows: (rows: RunRow[], found: number) => void,
): Promise<void> {
  const { digest, signal } = options;
  const folder = parseS3Url(root);
  const access = await s3Access();
  const layout = bucketLayout(folder, await listObjects(folder, access));
  signal?.throwIfAborted();
  const found = layout.logs.length;
  const link = runLinker({ logs: layout.logs.map(s3Url), outputs: layout.outputs.map(s3Url) });
  const finished = (row: RunRow, object: S3Object): RunRow => link(withState(row, object, layout));
  const emit = (rows: RunRow[]): void => {
    if (rows.length > 0 && !signal?.aborted) onRows(rows, found);
  };
  const logs = layout.logs.map((object) => ({
    object,
    path: s3Url(object),
    identity: objectIdentity(object),
  }));
  const known = digest?.lookupAll(logs) ?? new Map<string, StoredRow | null>();
  const hits: RunRow[] = [];
  const misses: S3Object[] = [];
  for (const { object, path } of logs) {
    const row = known.get(path);
    if (row) hits.push(finished(relocated(row, object, folder), object));
    else if (row === undefined) misses.push(object);
  }
  emit(hits);
  let ready: RunRow[] = [];
  let records: DigestRecord[] = [];
  /** Objects the digest answered or was given (see forgetMissing). */
  let recorded = known.size;
  const flush = (): void => {
    digest?.storeAll(records);
    recorded += records.length;
    emit(ready);
    records = [];
    ready = [];
  };
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < misses.length && !signal?.aborted) {
      const object = misses[next++]!;
      const { row, record } = await describeObject(object, folder, access, options.codecs);
      if (record) records.push(record);
      if (row) ready.push(finished(row, object));
      if (ready.length >= LIST_CONCURRENCY) flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, misses.length) }, reader));
  flush();
  signal?.throwIfAborted();
  digest?.forgetMissing(
    s3Url(folder),
    logs.map(({ path }) => path),
    recorded,
  );
}

/**
 * The row of one log object read (null: some other tool's JSON), and what the digest keeps of
 * it: the row depends on this version of the object alone (the rest is worked out per listing),
 * so it is sealed, unless reading it failed for a passing reason (replaced meanwhile, refused).
 */
async function describeObject(
  object: S3Object,
  folder: S3Location,
  access: S3Access,
  codecs: Codecs = defaultCodecs(),
): Promise<{ row: RunRow | null; record: DigestRecord | null }> {
  const url = s3Url(object);
  const identity = objectIdentity(object);
  const source = S3ByteSource.fromObject(object, access);
  const base = rowBase(object, folder);
  try {
    if (formatFromPath(url) === 'inspect-json') {
      const head = await readOrThrowAccess(() =>
        source.read(0, Math.min(JSON_SNIFF_BYTES, object.size)),
      );
      if (head instanceof Uint8Array && jsonKindOfHead(head) === 'other-json')
        return { row: null, record: { path: url, identity, row: null, sealed: true } };
    }
    let row: RunRow;
    try {
      row = {
        ...base,
        ...(await readRunFacts(source, url, codecs)),
        recovery: null,
        problem: null,
      };
    } catch (error) {
      if (!isSalvageError(error) || isStorageAccessError(error)) throw error;
      row = unreadableRow(base, error);
    }
    const passing = row.problem?.kind === 'object-changed' || row.problem?.kind === 'access-denied';
    return { row, record: passing ? null : { path: url, identity, row, sealed: true } };
  } finally {
    await source.close();
  }
}

/** A read whose access failures (credentials, endpoint) end the listing; other failures are returned. */
async function readOrThrowAccess<T>(read: () => Promise<T>): Promise<T | SalvageError> {
  try {
    return await read();
  } catch (error) {
    if (!isSalvageError(error) || isStorageAccessError(error)) throw error;
    return error;
  }
}

function rowBase(object: S3Object, folder: S3Location): RowBase {
  const url = s3Url(object);
  const prefixLength = folder.key === '' ? 0 : folder.key.length + 1;
  return {
    links: NO_LINKS,
    path: object.key.slice(prefixLength),
    location: url,
    format: jsonlRunKind(url) ?? formatFromPath(url) ?? 'inspect-eval',
    size: object.size,
    modified: object.lastModified.toISOString(),
  };
}

/** A digest's row placed where this listing finds its object (under this folder's prefix). */
function relocated(row: StoredRow, object: S3Object, folder: S3Location): RunRow {
  return { ...row, ...rowBase(object, folder) };
}

/**
 * An unfinished Inspect run's state from the listing: running or crashed (and how sure), and
 * what it can be recovered from — a buffer database on this machine, the filestore in the
 * bucket, or the archive alone when it was cut — unless it was recovered already.
 */
function withState(row: RunRow, object: S3Object, layout: BucketLayout): RunRow {
  const cut = row.problem?.kind === 'central-directory-missing';
  if (row.status !== 'started' && !cut) return row;
  const url = row.location;
  const manifest = layout.manifests.get(url.replace(/\.(eval|json)$/, '')) ?? null;
  const databases = findDatabaseCandidates(url);
  const liveness = livenessOf(object, manifest, databases);
  const recovered = layout.urls.has(recoveredName(url));
  const source =
    databases.length > 0 ? 'database' : manifest ? 'filestore' : cut ? 'truncated-archive' : null;
  const running = liveness.verdict === 'running';
  return {
    ...row,
    status: running ? 'running' : 'started',
    recovery: running || recovered ? null : source,
    liveness,
  };
}

/**
 * Running or crashed: a buffer database on this machine decides (its writer's pid), else the
 * bucket's dates (see livenessFromWrites).
 */
export function livenessOf(
  log: S3Object,
  manifest: S3Object | null,
  databases: ReturnType<typeof findDatabaseCandidates>,
): Liveness {
  const alive = databases.find(isWriterAlive);
  if (alive) {
    return {
      verdict: 'running',
      confidence: 'high',
      evidence: `its buffer database on this machine is held by live process ${alive.pid}`,
    };
  }
  return livenessFromWrites(log.lastModified, manifest?.lastModified ?? null);
}
