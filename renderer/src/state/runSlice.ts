import type { StateCreator } from 'zustand';
import type { LogHeader, Sample, SampleSummary } from '../../../shared/model/log.ts';
import { logInfo, readSample } from '../api/client.ts';
import type { Store } from './store.ts';

export interface RunSlice {
  runPath: string | null;
  header: LogHeader | null;
  summaries: ReadonlyArray<SampleSummary>;
  runError: string | null;
  sample: Sample | null;
  sampleError: string | null;
  openRun: (path: string) => Promise<void>;
  openSample: (id: string, epoch: number) => Promise<void>;
  closeRun: () => void;
  closeSample: () => void;
}

export const createRunSlice: StateCreator<Store, [], [], RunSlice> = (set, get) => ({
  runPath: null,
  header: null,
  summaries: [],
  runError: null,
  sample: null,
  sampleError: null,
  openRun: async (path) => {
    set({ runPath: path, header: null, summaries: [], runError: null, sample: null });
    try {
      const info = await logInfo(path);
      if (get().runPath === path) set({ header: info.header, summaries: info.summaries });
    } catch (error) {
      set({ runError: (error as Error).message });
    }
  },
  openSample: async (id, epoch) => {
    const path = get().runPath;
    if (!path) return;
    set({ sample: null, sampleError: null });
    try {
      set({ sample: await readSample(path, id, epoch) });
    } catch (error) {
      set({ sampleError: (error as Error).message });
    }
  },
  closeRun: () => set({ runPath: null, header: null, summaries: [], sample: null }),
  closeSample: () => set({ sample: null, sampleError: null }),
});
