import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Client } from '../api/client.ts';
import { createRunsSlice, type RunsSlice } from './runsSlice.ts';
import { createRunSlice, type RunSlice } from './runSlice.ts';
import { createFlowSlice, type FlowSlice } from './flowSlice.ts';
import { createCompareSlice, type CompareSlice } from './compareSlice.ts';
import { createCrossRunSlice, type CrossRunSlice } from './crossRunSlice.ts';
import { createSampleSlice, type SampleSlice } from './sampleSlice.ts';
import { createSearchSlice, type SearchSlice } from './searchSlice.ts';
import type { Clock } from './runStream.ts';

/** The app's state: one slice per feature; components read it through narrow selectors. */
export type Store = RunsSlice &
  RunSlice &
  SampleSlice &
  FlowSlice &
  CompareSlice &
  CrossRunSlice &
  SearchSlice;

/**
 * The store over a client: the page's (the preload bridge or HTTP), or a fake bridge's in tests.
 * Framework-free: React binds to it in `useStore.ts`.
 */
export function createAppStore(client: Client, clock?: Clock): StoreApi<Store> {
  return createStore<Store>()((...args) => ({
    ...createRunsSlice(client, clock)(...args),
    ...createRunSlice(client, clock)(...args),
    ...createSampleSlice(client)(...args),
    ...createFlowSlice(client)(...args),
    ...createCompareSlice(client)(...args),
    ...createCrossRunSlice(client)(...args),
    ...createSearchSlice(client)(...args),
  }));
}
