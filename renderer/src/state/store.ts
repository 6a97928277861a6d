import { create } from 'zustand';
import { createRunsSlice, type RunsSlice } from './runsSlice.ts';
import { createRunSlice, type RunSlice } from './runSlice.ts';
import { createRecoverySlice, type RecoverySlice } from './recoverySlice.ts';

/** The app's state: one slice per feature; components read it through narrow selectors. */
export type Store = RunsSlice & RunSlice & RecoverySlice;

export const useStore = create<Store>()((...args) => ({
  ...createRunsSlice(...args),
  ...createRunSlice(...args),
  ...createRecoverySlice(...args),
}));
