import { create } from 'zustand';
import { createRunsSlice, type RunsSlice } from './runsSlice.ts';
import { createRunSlice, type RunSlice } from './runSlice.ts';
import { createRecoverySlice, type RecoverySlice } from './recoverySlice.ts';
import { createRepairSlice, type RepairSlice } from './repairSlice.ts';

/** The app's state: one slice per feature; components read it through narrow selectors. */
export type Store = RunsSlice & RunSlice & RecoverySlice & RepairSlice;

export const useStore = create<Store>()((...args) => ({
  ...createRunsSlice(...args),
  ...createRunSlice(...args),
  ...createRecoverySlice(...args),
  ...createRepairSlice(...args),
}));
