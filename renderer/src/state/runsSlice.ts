import type { StateCreator } from 'zustand';
import type { RunRow } from '../../../shared/model/run.ts';
import { addFolder, listRuns, openedFolders, removeFolder } from '../api/client.ts';
import type { Store } from './store.ts';
import type { RunsStatusFilter } from '../features/runs/RunsTable.tsx';

export interface RunsSlice {
  folders: ReadonlyArray<string>;
  /** Folders that could not be listed (gone, unreadable), with why; their runs are absent. */
  folderErrors: Readonly<Record<string, string>>;
  /** Why the last add or remove of a folder failed. */
  foldersError: string | null;
  runs: ReadonlyArray<RunRow>;
  runsStatus: 'idle' | 'loading' | 'ready' | 'error';
  runsError: string | null;
  runsFilter: string;
  runsStatusFilter: RunsStatusFilter;
  setRunsStatusFilter: (filter: RunsStatusFilter) => void;
  loadRuns: () => Promise<void>;
  addFolder: (path: string | null) => Promise<void>;
  removeFolder: (folder: string) => Promise<void>;
  setRunsFilter: (filter: string) => void;
}

export const createRunsSlice: StateCreator<Store, [], [], RunsSlice> = (set) => {
  /**
   * Open or close a folder; a refusal shows beside the folders. The runs list follows by itself:
   * the back end announces `salvage:runs:changed` after every folder change, and the app reloads
   * on it, as for any other change.
   */
  const changeFolders = async (change: () => Promise<ReadonlyArray<string>>): Promise<void> => {
    try {
      set({ folders: await change(), foldersError: null });
    } catch (error) {
      set({ foldersError: (error as Error).message });
    }
  };

  return {
    folders: [],
    folderErrors: {},
    foldersError: null,
    runs: [],
    runsStatus: 'idle',
    runsError: null,
    runsFilter: '',
    runsStatusFilter: 'all',
    setRunsStatusFilter: (filter) => set({ runsStatusFilter: filter }),
    loadRuns: async () => {
      set({ runsStatus: 'loading', runsError: null });
      try {
        const folders = await openedFolders();
        // One folder that cannot be listed must not hide the runs of the others.
        const lists = await Promise.allSettled(folders.map((folder) => listRuns(folder)));
        const folderErrors: Record<string, string> = {};
        lists.forEach((list, index) => {
          if (list.status === 'rejected')
            folderErrors[folders[index]!] = (list.reason as Error).message;
        });
        set({
          folders,
          folderErrors,
          runs: lists.flatMap((list) => (list.status === 'fulfilled' ? list.value : [])),
          runsStatus: 'ready',
        });
      } catch (error) {
        set({ runsStatus: 'error', runsError: (error as Error).message });
      }
    },
    addFolder: (path) => changeFolders(() => addFolder(path)),
    removeFolder: (folder) => changeFolders(() => removeFolder(folder)),
    setRunsFilter: (filter) => set({ runsFilter: filter }),
  };
};
