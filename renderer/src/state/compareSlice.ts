import type { StateCreator } from 'zustand';
import type { RunComparison } from '../../../shared/resume/comparison.ts';
import { compareRuns } from '../api/client.ts';
import type { Store } from './store.ts';

export interface CompareSlice {
  /** Runs ticked for comparison (two at most, the latest two kept). */
  compareSelection: ReadonlyArray<string>;
  comparison: RunComparison | null;
  compareError: string | null;
  toggleCompare: (path: string) => void;
  openComparison: () => Promise<void>;
  closeComparison: () => void;
}

export const createCompareSlice: StateCreator<Store, [], [], CompareSlice> = (set, get) => ({
  compareSelection: [],
  comparison: null,
  compareError: null,
  toggleCompare: (path) => {
    const selection = get().compareSelection;
    set({
      compareSelection: selection.includes(path)
        ? selection.filter((item) => item !== path)
        : [...selection, path].slice(-2),
    });
  },
  openComparison: async () => {
    const [a, b] = get().compareSelection;
    if (!a || !b) return;
    set({ compareError: null });
    try {
      set({ comparison: await compareRuns(a, b) });
    } catch (error) {
      set({ compareError: (error as Error).message });
    }
  },
  closeComparison: () => set({ comparison: null, compareError: null }),
});
