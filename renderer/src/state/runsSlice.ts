import type { StateCreator } from 'zustand';
import type { Client } from '../api/client.ts';
import { ask, IDLE, type Request } from './request.ts';
import { NO_RUNS_FILTER, type RunsFilter } from './runsFilter.ts';
import {
  NO_LISTING,
  streamListing,
  type ListingProgress,
  type RunsListing,
} from './runsListing.ts';
import type { Clock } from './runStream.ts';
import type { Store } from './store.ts';

export interface RunsSlice {
  /** The desktop app (folders open through its dialog), not web mode (a typed path). */
  desktop: boolean;
  /** The last listing read (kept on screen while the next one is read). */
  listing: RunsListing;
  /** The state of the latest listing. */
  listingRequest: Request<RunsListing, null>;
  /** While a listing streams in: how far it has got (null otherwise). */
  listingProgress: ListingProgress | null;
  /** The latest opening or closing of a folder (target: the path, `null` for the dialog). */
  folderChange: Request<ReadonlyArray<string>, string | null>;
  /** How the runs list is narrowed. */
  runsFilter: RunsFilter;
  setRunsFilter: (change: Partial<RunsFilter>) => void;
  /**
   * List every opened folder, rows shown as they stream in. One listing at a time (a cold listing
   * of 100,000 runs takes a while): asked again meanwhile, it lists once more when the current one
   * ends, so the last listing shown is always the newest.
   */
  loadRuns: () => Promise<void>;
  /** Keep the list (and an unfinished open run) up to date as files change; returns the stop. */
  watchRuns: () => () => void;
  /** Open a folder: a path (web mode), or `null` for the desktop's folder dialog. */
  addFolder: (path: string | null) => Promise<void>;
  removeFolder: (folder: string) => Promise<void>;
}

export function createRunsSlice(
  client: Client,
  clock?: Clock,
): StateCreator<Store, [], [], RunsSlice> {
  return (set, get) => {
    let listing: Promise<void> | null = null;
    let listAgain = false;

    const listOnce = (): Promise<unknown> =>
      ask(
        () => get().listingRequest,
        (request) =>
          set(
            request.phase === 'ready'
              ? { listingRequest: request, listing: request.value, listingProgress: null }
              : { listingRequest: request, listingProgress: null },
          ),
        null,
        () =>
          streamListing(
            client,
            get().listing,
            (partial, progress) => set({ listing: partial, listingProgress: progress }),
            clock,
          ),
      );

    /**
     * Open or close a folder; a refusal shows beside the folders. The runs list follows by
     * itself: the back end announces `salvage:runs:changed` after every folder change.
     */
    const changeFolders = async (
      target: string | null,
      change: () => Promise<ReadonlyArray<string>>,
    ): Promise<void> => {
      const folders = await ask(
        () => get().folderChange,
        (request) => set({ folderChange: request }),
        target,
        change,
      );
      if (folders) set({ listing: { ...get().listing, folders } });
    };

    return {
      desktop: client.desktop,
      listing: NO_LISTING,
      listingRequest: IDLE,
      listingProgress: null,
      folderChange: IDLE,
      runsFilter: NO_RUNS_FILTER,
      setRunsFilter: (change) => set({ runsFilter: { ...get().runsFilter, ...change } }),
      loadRuns: () => {
        if (listing) {
          listAgain = true;
          return listing;
        }
        listing = (async () => {
          do {
            listAgain = false;
            await listOnce();
          } while (listAgain);
          listing = null;
        })();
        return listing;
      },
      watchRuns: () =>
        client.subscribe('salvage:runs:changed', () => {
          void get().loadRuns();
          void get().refreshRun();
        }),
      addFolder: (path) => changeFolders(path, () => client.call('salvage:folders:add', { path })),
      removeFolder: (folder) =>
        changeFolders(folder, () => client.call('salvage:folders:remove', { folder })),
    };
  };
}
