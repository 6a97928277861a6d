import type { RunsBatch } from '../../../shared/ipc/contract.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import type { Client } from '../api/client.ts';
import { BackendError, toBackendError } from '../api/transport.ts';
import { realClock, VIEW_UPDATE_MS, type Clock } from './runStream.ts';

/** What one listing of every opened folder found. */
export interface RunsListing {
  readonly folders: ReadonlyArray<string>;
  readonly runs: ReadonlyArray<RunRow>;
  /** Folders that could not be listed (gone, unreadable), with why; their runs are absent. */
  readonly folderErrors: Readonly<Record<string, BackendError>>;
}

export const NO_LISTING: RunsListing = { folders: [], runs: [], folderErrors: {} };

/** How far a listing has got: rows received, of the log files found in the folders so far. */
export interface ListingProgress {
  readonly listed: number;
  /** Log files found in the folders walked so far: the rows to expect, at most. */
  readonly found: number;
}

/**
 * List every opened folder, streamed: rows join the list as they arrive, drawn (through `show`)
 * as soon as the first ones come and at most every VIEW_UPDATE_MS after, so a folder of 100,000
 * runs shows its first rows at once and the page stays responsive while the rest come. Rows already
 * on screen (`shown`, from the last listing) stay and update; once every folder is done, the rows
 * this listing did not name leave (deleted, in a closed folder, or in one that failed). Resolves to
 * the finished listing.
 */
export async function streamListing(
  client: Client,
  shown: RunsListing,
  show: (listing: RunsListing, progress: ListingProgress) => void,
  clock: Clock = realClock,
): Promise<RunsListing> {
  const folders = await client.call('salvage:folders:list', {});
  const rows = new Map(shown.runs.map((row) => [row.location, row]));
  /** Each folder's rows in this listing, and the log files it holds. */
  const named = new Map<string, Set<string>>(folders.map((folder) => [folder, new Set()]));
  const found = new Map<string, number>();
  const folderErrors: Record<string, BackendError> = {};
  let timer: unknown = null;
  let drawn = false;

  const progress = (): ListingProgress => {
    let listed = 0;
    for (const locations of named.values()) listed += locations.size;
    let files = 0;
    for (const count of found.values()) files += count;
    return { listed, found: files };
  };
  const draw = (): void => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    drawn = true;
    show({ folders, runs: [...rows.values()], folderErrors: { ...folderErrors } }, progress());
  };
  const receive = (folder: string, batch: RunsBatch): void => {
    const locations = named.get(folder)!;
    for (const row of batch.rows) {
      rows.set(row.location, row);
      locations.add(row.location);
    }
    if (batch.found !== null) found.set(folder, batch.found);
    if (batch.error) folderErrors[folder] = new BackendError(batch.error.kind, batch.error.message);
    if (!drawn) draw();
    else timer ??= clock.setTimeout(draw, VIEW_UPDATE_MS);
  };
  const listFolder = (folder: string): Promise<void> =>
    new Promise((done) => {
      client
        .streamRuns(folder, (batch) => {
          receive(folder, batch);
          if (batch.done) done();
        })
        .catch((error: unknown) => {
          // One folder that cannot be listed must not hide the runs of the others.
          folderErrors[folder] = toBackendError(error);
          done();
        });
    });

  await Promise.all(folders.map(listFolder));
  if (timer !== null) clock.clearTimeout(timer);
  const listed = new Set<string>();
  for (const [folder, locations] of named) {
    if (!folderErrors[folder]) for (const location of locations) listed.add(location);
  }
  return {
    folders,
    runs: [...rows.values()].filter((row) => listed.has(row.location)),
    folderErrors,
  };
}
