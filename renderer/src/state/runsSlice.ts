import type { StateCreator } from 'zustand';
import type { RunRow } from '../../../shared/model/run.ts';
import { listRuns, openedFolders } from '../api/client.ts';
import type { Store } from './store.ts';

export interface RunsSlice {
  folders: ReadonlyArray<string>;
  runs: ReadonlyArray<RunRow>;
  runsStatus: 'idle' | 'loading' | 'ready' | 'error';
  runsError: string | null;
  runsFilter: string;
  loadRuns: () => Promise<void>;
  setRunsFilter: (filter: string) => void;
}

export const createRunsSlice: StateCreator<Store, [], [], RunsSlice> = (set) => ({
  folders: [],
  runs: [],
  runsStatus: 'idle',
  runsError: null,
  runsFilter: '',
  loadRuns: async () => {
    set({ runsStatus: 'loading', runsError: null });
    try {
      const folders = await openedFolders();
      const lists = await Promise.all(folders.map((folder) => listRuns(folder)));
      set({ folders, runs: lists.flat(), runsStatus: 'ready' });
    } catch (error) {
      set({ runsStatus: 'error', runsError: (error as Error).message });
    }
  },
  setRunsFilter: (filter) => set({ runsFilter: filter }),
});
