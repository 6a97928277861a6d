import type { StateCreator } from 'zustand';

import type { ExportFormat } from '../../../shared/model/exportFormat.ts';
import type { Client } from '../api/client.ts';
import { ask, IDLE, type Request } from './request.ts';
import { RunStream, type Clock, type RunState } from './runStream.ts';
import type { Store } from './store.ts';

export interface RunSlice {
  /** The open run: header, rows streamed so far, progress; null when no run is open. */
  run: RunState | null;
  /**
   * The run and the sample opened last, kept after they close: the rows focused when the list
   * and the grid are shown again.
   */
  lastOpened: { readonly run: string | null; readonly sample: string | null };
  /** The latest export of the run or of its open sample (target: what was exported). */
  exported: Request<{ readonly output: string }, string>;
  openRun: (path: string) => Promise<void>;
  /** Re-read an unfinished run after its files changed: new rows join, changed rows update. */
  refreshRun: () => Promise<void>;
  /** Stop reading the open run's rows (those read stay). */
  stopRun: () => void;
  closeRun: () => void;
  exportCurrentRun: (format: ExportFormat) => Promise<void>;
}

export function createRunSlice(
  client: Client,
  clock?: Clock,
): StateCreator<Store, [], [], RunSlice> {
  return (set, get) => {
    const stream = new RunStream(client, (run) => set({ run }), clock);

    return {
      run: null,
      exported: IDLE,
      lastOpened: { run: null, sample: null },
      openRun: (path) => {
        get().closeSample();
        set({ exported: IDLE, lastOpened: { run: path, sample: null } });
        return stream.open(path);
      },
      refreshRun: () => stream.refresh(),
      stopRun: () => stream.stop(),
      closeRun: () => {
        stream.close();
        get().closeSample();
        set({ exported: IDLE });
      },
      exportCurrentRun: async (format) => {
        const path = get().run?.path;
        if (path)
          await ask(
            () => get().exported,
            (exported) => set({ exported }),
            `${path} as ${format}`,
            () => client.call('salvage:export:run', { path, format }),
          );
      },
    };
  };
}
