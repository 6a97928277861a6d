import type { StateCreator } from 'zustand';
import type { RepairCheck, RepairReport, UndoReport } from '../../../shared/model/recovery.ts';
import { checkRepair, runRepair, undoRepair } from '../api/client.ts';
import type { Store } from './store.ts';

export interface RepairSlice {
  repairLog: string | null;
  repairStatus: 'idle' | 'checking' | 'ready' | 'repairing' | 'repaired' | 'undone' | 'error';
  repairCheck: RepairCheck | null;
  repairReport: RepairReport | null;
  undoReport: UndoReport | null;
  repairError: string | null;
  /** Show what a repair would move to the sidecar (nothing is changed yet). */
  checkRepairOf: (path: string) => Promise<void>;
  confirmRepair: () => Promise<void>;
  undoLastRepair: () => Promise<void>;
  closeRepair: () => void;
}

export const createRepairSlice: StateCreator<Store, [], [], RepairSlice> = (set, get) => ({
  repairLog: null,
  repairStatus: 'idle',
  repairCheck: null,
  repairReport: null,
  undoReport: null,
  repairError: null,
  checkRepairOf: async (path) => {
    set({
      repairLog: path,
      repairStatus: 'checking',
      repairCheck: null,
      repairReport: null,
      undoReport: null,
      repairError: null,
    });
    try {
      set({ repairCheck: await checkRepair(path), repairStatus: 'ready' });
    } catch (error) {
      set({ repairStatus: 'error', repairError: (error as Error).message });
    }
  },
  confirmRepair: async () => {
    const path = get().repairLog;
    if (!path) return;
    set({ repairStatus: 'repairing' });
    try {
      set({ repairReport: await runRepair(path), repairStatus: 'repaired' });
      await get().loadRuns();
    } catch (error) {
      set({ repairStatus: 'error', repairError: (error as Error).message });
    }
  },
  undoLastRepair: async () => {
    const sidecar = get().repairReport?.sidecar;
    if (!sidecar) return;
    try {
      set({ undoReport: await undoRepair(sidecar), repairStatus: 'undone' });
      await get().loadRuns();
    } catch (error) {
      set({ repairStatus: 'error', repairError: (error as Error).message });
    }
  },
  closeRepair: () =>
    set({
      repairLog: null,
      repairStatus: 'idle',
      repairCheck: null,
      repairReport: null,
      undoReport: null,
      repairError: null,
    }),
});
