import { create } from 'zustand';
import { createRunsSlice, type RunsSlice } from './runsSlice.ts';
import { createRunSlice, type RunSlice } from './runSlice.ts';
import { createRecoverySlice, type RecoverySlice } from './recoverySlice.ts';
import { createRepairSlice, type RepairSlice } from './repairSlice.ts';
import { createCompareSlice, type CompareSlice } from './compareSlice.ts';

/** The app's state: one slice per feature; components read it through narrow selectors. */
export type Store = RunsSlice & RunSlice & RecoverySlice & RepairSlice & CompareSlice;

export const useStore = create<Store>()((...args) => ({
  ...createRunsSlice(...args),
  ...createRunSlice(...args),
  ...createRecoverySlice(...args),
  ...createRepairSlice(...args),
  ...createCompareSlice(...args),
}));
