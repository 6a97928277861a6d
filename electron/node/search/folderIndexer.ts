import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import type { IndexProgress } from '../../../shared/search/searchTypes.ts';
import { identityOf, type RunDigest } from '../index/runDigest.ts';
import { listRuns } from '../logs/listRuns.ts';
import { isS3Url } from '../s3/s3Url.ts';
import { IndexBatch } from './indexBatch.ts';
import { indexRun } from './runIndexer.ts';
import { IndexRaced, type SearchStore } from './searchStore.ts';

export interface FolderIndexOptions {
  readonly codecs?: Codecs;
  readonly spillDirectory?: string;
  /** The runs list's digest: listing a folder again costs one stat per unchanged run. */
  readonly digest?: RunDigest;
  /** Stops the pass between samples; what was committed stays (the next pass resumes). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IndexProgress) => void;
  /** Samples up to this size are parsed whole, larger ones read item by item (tests lower it). */
  readonly parseWholeBytes?: number;
}

/** Progress is reported at most this often (and at the end). */
const PROGRESS_MS = 250;

/**
 * One indexing pass over folders: each folder listed as the runs list lists it, each run brought
 * up to date (`indexRun`: unchanged runs cost nothing), and the runs that are gone from a folder
 * dropped from the index with the attachments no one refers to any more.
 */
export async function indexFolders(
  store: SearchStore,
  folders: ReadonlyArray<string>,
  options: FolderIndexOptions = {},
): Promise<IndexProgress> {
  let progress: IndexProgress = {
    phase: 'indexing',
    runsDone: 0,
    runsTotal: 0,
    samples: 0,
    runsIndexed: store.allRuns().length,
    current: null,
    failed: 0,
  };
  let reported = 0;
  const report = (force = false): void => {
    const now = performance.now();
    if (!force && now - reported < PROGRESS_MS) return;
    reported = now;
    options.onProgress?.(progress);
  };
  const update = (change: Partial<IndexProgress>, force = false): void => {
    progress = { ...progress, ...change };
    report(force);
  };
  report(true);
  const batch = new IndexBatch(store, options.signal);
  let removed = 0;
  try {
    for (const folder of folders) {
      // Runs in a bucket are not indexed: indexing reads every sample, a download of the whole
      // bucket on each change, where a listing reads a few ranges a run.
      if (isS3Url(folder)) continue;
      const rows = await listRuns(folder, { codecs: options.codecs, digest: options.digest });
      update({ runsTotal: progress.runsTotal + rows.length }, true);
      const present = new Set<string>();
      for (const row of rows) {
        present.add(row.location);
        options.signal?.throwIfAborted();
        let identity;
        try {
          identity = identityOf(await stat(row.location));
        } catch {
          // Gone since it was listed: the next pass drops it.
          update({ runsDone: progress.runsDone + 1 });
          continue;
        }
        if (row.status === null) {
          // Unreadable as a whole (the listing says why): nothing to index, nothing to keep.
          const known = store.run(row.location);
          if (known) batch.write().deleteRun(known);
          update({ runsDone: progress.runsDone + 1, failed: progress.failed + 1 });
          continue;
        }
        update({ current: row.location });
        const result = await indexRunAgainIfRaced(batch, () =>
          indexRun(batch, store, row, identity, {
            codecs: options.codecs,
            spillDirectory: options.spillDirectory,
            signal: options.signal,
            parseWholeBytes: options.parseWholeBytes,
            onSample: () => update({ samples: progress.samples + 1 }),
          }),
        );
        update({
          runsDone: progress.runsDone + 1,
          failed: progress.failed + result.failed,
          current: null,
        });
        batch.maybeCommit();
        await batch.pause();
      }
      const root = resolve(folder);
      const prefix = root.endsWith(sep) ? root : root + sep;
      for (const run of store.allRuns()) {
        if (run.path.startsWith(prefix) && !present.has(run.path)) {
          batch.write().deleteRun(run);
          removed += 1;
        }
      }
    }
    if (removed > 0) batch.write().collectGarbage();
    batch.commit();
  } catch (error) {
    // Stopped (or failed) mid-way: what is complete is kept, a sample cut off is read again.
    if (options.signal?.aborted) batch.commit();
    else batch.abort();
    throw error;
  }
  update({ phase: 'idle', current: null, runsIndexed: store.allRuns().length }, true);
  return progress;
}

/** Times a run is indexed again when another process keeps writing to the index under it. */
const RACED_ATTEMPTS = 3;

/**
 * Index a run, again when another process wrote to the index while one of its samples was half
 * written: what it committed before is incomplete (no stamp) and is replaced.
 */
async function indexRunAgainIfRaced<T>(batch: IndexBatch, index: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await index();
    } catch (error) {
      if (!(error instanceof IndexRaced) || attempt === RACED_ATTEMPTS) throw error;
      batch.abort();
    }
  }
}
