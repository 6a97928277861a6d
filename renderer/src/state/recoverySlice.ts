import type { StateCreator } from 'zustand';
import type { RecoveryPlan, RecoveryReport } from '../../../shared/model/recovery.ts';
import { eventsReady, onRecoveryProgress, planRecovery, runRecovery } from '../api/client.ts';
import type { Store } from './store.ts';

export interface RecoverySlice {
  recoveryLog: string | null;
  recoveryStatus: 'idle' | 'planning' | 'ready' | 'running' | 'done' | 'error';
  recoveryPlan: RecoveryPlan | null;
  recoveryReport: RecoveryReport | null;
  recoveryError: string | null;
  /** Samples written so far while the recovery runs. */
  recoveryProgress: { readonly done: number; readonly total: number } | null;
  /** Show the plan for recovering a crashed run (nothing is written yet). */
  planRecoveryOf: (path: string) => Promise<void>;
  /** Write the recovered log, then refresh the runs list so it appears beside the original. */
  confirmRecovery: () => Promise<void>;
  closeRecovery: () => void;
}

export const createRecoverySlice: StateCreator<Store, [], [], RecoverySlice> = (set, get) => ({
  recoveryLog: null,
  recoveryStatus: 'idle',
  recoveryPlan: null,
  recoveryReport: null,
  recoveryError: null,
  recoveryProgress: null,
  planRecoveryOf: async (path) => {
    set({
      recoveryLog: path,
      recoveryStatus: 'planning',
      recoveryPlan: null,
      recoveryReport: null,
      recoveryError: null,
    });
    try {
      set({ recoveryPlan: await planRecovery(path), recoveryStatus: 'ready' });
    } catch (error) {
      set({ recoveryStatus: 'error', recoveryError: (error as Error).message });
    }
  },
  confirmRecovery: async () => {
    const path = get().recoveryLog;
    if (!path) return;
    set({ recoveryStatus: 'running', recoveryProgress: null });
    await eventsReady();
    const unsubscribe = onRecoveryProgress((progress) => {
      if (progress.path === path && get().recoveryLog === path)
        set({ recoveryProgress: { done: progress.done, total: progress.total } });
    });
    try {
      const report = await runRecovery(path).finally(unsubscribe);
      set({ recoveryReport: report, recoveryStatus: 'done' });
      await get().loadRuns();
    } catch (error) {
      set({ recoveryStatus: 'error', recoveryError: (error as Error).message });
    }
  },
  closeRecovery: () =>
    set({
      recoveryLog: null,
      recoveryStatus: 'idle',
      recoveryPlan: null,
      recoveryReport: null,
      recoveryError: null,
      recoveryProgress: null,
    }),
});
