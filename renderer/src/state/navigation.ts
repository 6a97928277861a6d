import type { StoreApi } from 'zustand/vanilla';
import { RUNS_ROUTE, type Route } from '../lib/route.ts';
import type { Store } from './store.ts';

/** Where the state is: the open run and, when one is asked for or shown, its sample. */
export function routeOf(state: Store): Route {
  if (!state.run) return RUNS_ROUTE;
  const sample = state.sample.phase === 'idle' ? null : state.sample.target;
  return {
    run: state.run.path,
    sample: sample
      ? {
          id: sample.id,
          epoch: sample.epoch,
          ...(state.sampleFocus ? { at: state.sampleFocus } : {}),
        }
      : null,
  };
}

/**
 * Bring the state to a route (a deep link, Back or Forward): open or close the run and the
 * sample it names, leaving what already matches alone (going back from a sample to its run
 * keeps the run's rows; it does not read the run again).
 */
export function applyRoute(store: StoreApi<Store>, route: Route): void {
  const state = store.getState();
  if (!route.run) {
    if (state.run) state.closeRun();
    return;
  }
  if (state.run?.path !== route.run) void state.openRun(route.run);
  const current = routeOf(store.getState()).sample;
  if (!route.sample) {
    if (current) store.getState().closeSample();
  } else if (current?.id !== route.sample.id || current.epoch !== route.sample.epoch) {
    void store.getState().openSample(route.sample.id, route.sample.epoch, route.sample.at ?? null);
  } else if (route.sample.at) {
    store.getState().focusSample(route.sample.at);
  }
}
