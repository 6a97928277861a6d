import type { StateCreator } from 'zustand';
import type { RunComparison } from '../../../shared/resume/comparison.ts';
import type { Client } from '../api/client.ts';
import { ask, IDLE, type Request } from './request.ts';
import type { Store } from './store.ts';

export interface CompareSlice {
  /** Runs ticked in the list: two are compared; any number show their samples together. */
  selection: ReadonlyArray<string>;
  /** The comparison shown (target: the two runs, in order). */
  comparison: Request<RunComparison, readonly [string, string]>;
  toggleSelected: (path: string) => void;
  clearSelection: () => void;
  openComparison: () => Promise<void>;
  closeComparison: () => void;
}

export function createCompareSlice(client: Client): StateCreator<Store, [], [], CompareSlice> {
  return (set, get) => ({
    selection: [],
    comparison: IDLE,
    toggleSelected: (path) => {
      const selection = get().selection;
      set({
        selection: selection.includes(path)
          ? selection.filter((item) => item !== path)
          : [...selection, path],
      });
    },
    clearSelection: () => set({ selection: [] }),
    openComparison: async () => {
      const selection = get().selection;
      // Two runs side by side: with more (or fewer) ticked there is no pair to compare.
      if (selection.length !== 2) return;
      const [a, b] = selection as [string, string];
      await ask(
        () => get().comparison,
        (comparison) => set({ comparison }),
        [a, b] as const,
        () => client.call('salvage:compare:runs', { a, b }),
      );
    },
    closeComparison: () => set({ comparison: IDLE }),
  });
}
