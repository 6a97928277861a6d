import type { StateCreator } from 'zustand';
import { sampleKey } from '../../../shared/model/log.ts';
import { sampleFacts, searchTextOf } from '../../../shared/model/sampleFacts.ts';
import type { Client } from '../api/client.ts';
import { toBackendError, type BackendError } from '../api/transport.ts';
import type { SampleRow } from './runStream.ts';
import type { Store } from './store.ts';

/** A sample of one of several runs shown together. */
export interface CrossRunRow extends SampleRow {
  /** The run's log. */
  readonly run: string;
}

/** Every sample of the selected runs, in one grid (Inspect View's Samples view). */
export interface CrossRun {
  readonly runs: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<CrossRunRow>;
  /** Runs read so far, of all. */
  readonly read: number;
  readonly phase: 'streaming' | 'done' | 'failed';
  readonly error: BackendError | null;
}

export interface CrossRunSlice {
  crossRun: CrossRun | null;
  /** Read every sample of the selected runs, one run after another. */
  openCrossRun: () => Promise<void>;
  closeCrossRun: () => void;
}

export function createCrossRunSlice(client: Client): StateCreator<Store, [], [], CrossRunSlice> {
  return (set, get) => {
    /** Stops the stream still reading, when the view closes or opens on other runs. */
    let stopCurrent: (() => void) | null = null;
    let generation = 0;

    /** One run's samples, resolved when its stream ends. */
    const readRun = (run: string, current: number): Promise<CrossRunRow[]> =>
      new Promise((resolve, reject) => {
        const rows: CrossRunRow[] = [];
        client
          .streamSamples(run, (batch) => {
            for (const summary of batch.items) {
              const facts = sampleFacts(summary);
              rows.push({
                run,
                key: `${run}\u0001${sampleKey(summary.id, summary.epoch)}`,
                summary,
                facts,
                search: searchTextOf(facts),
              });
            }
            if (!batch.done) return;
            stopCurrent = null;
            if (batch.error) reject(toBackendError(batch.error));
            else resolve(rows);
          })
          .then((stop) => {
            if (generation !== current) stop();
            else stopCurrent = stop;
          }, reject);
      });

    return {
      crossRun: null,
      openCrossRun: async () => {
        const runs = [...get().selection];
        if (runs.length === 0) return;
        stopCurrent?.();
        const current = ++generation;
        set({ crossRun: { runs, rows: [], read: 0, phase: 'streaming', error: null } });
        const rows: CrossRunRow[] = [];
        try {
          for (const run of runs) {
            // One by one: a run can hold more samples than a call's arguments may number.
            for (const row of await readRun(run, current)) rows.push(row);
            if (generation !== current) return;
            set({
              crossRun: {
                runs,
                rows: [...rows],
                read: runs.indexOf(run) + 1,
                phase: 'streaming',
                error: null,
              },
            });
          }
          set({ crossRun: { runs, rows, read: runs.length, phase: 'done', error: null } });
        } catch (error) {
          if (generation !== current) return;
          set({
            crossRun: { runs, rows, read: 0, phase: 'failed', error: toBackendError(error) },
          });
        }
      },
      closeCrossRun: () => {
        generation += 1;
        stopCurrent?.();
        stopCurrent = null;
        set({ crossRun: null });
      },
    };
  };
}
