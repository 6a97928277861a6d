import type { StateCreator } from 'zustand';
import type { LogHeader, Sample, SampleSummary } from '../../../shared/model/log.ts';
import {
  exportRun,
  exportSampleMarkdown,
  readHeader,
  readSample,
  streamSamples,
} from '../api/client.ts';
import { sampleKey, scalarText } from '../../../shared/model/log.ts';
import type { Store } from './store.ts';
import type { SampleBatch } from '../../../shared/ipc/contract.ts';

/** How often a streaming sample list is redrawn, at most. */
const VIEW_UPDATE_MS = 150;

export interface RunSlice {
  runPath: string | null;
  header: LogHeader | null;
  summaries: ReadonlyArray<SampleSummary>;
  runError: string | null;
  /** Streaming of the sample list: progress in bytes, and how to stop it. */
  streamProgress: {
    readonly bytesRead: number;
    readonly bytesTotal: number;
    readonly done: boolean;
  } | null;
  cancelStream: (() => void) | null;
  sample: Sample | null;
  sampleError: string | null;
  openRun: (path: string) => Promise<void>;
  /** Re-read an unfinished run after its files changed: new rows join, changed rows update. */
  refreshRun: () => Promise<void>;
  openSample: (id: string, epoch: number) => Promise<void>;
  closeRun: () => void;
  exportMessage: string | null;
  exportCurrentRun: (format: 'eval' | 'json' | 'jsonl' | 'csv') => Promise<void>;
  closeSample: () => void;
  /** Export the open sample as a Markdown transcript; the outcome shows in `exportMessage`. */
  exportCurrentSample: () => Promise<void>;
}

export const createRunSlice: StateCreator<Store, [], [], RunSlice> = (set, get) => {
  /** Stops the stream that is running (the first of a run, or a refresh), if any. */
  let stopStream: (() => void) | null = null;
  /** A refresh is streaming; a change meanwhile asks for one more once it ends. */
  let refreshing = false;
  let refreshAgain = false;

  /**
   * Stream the run's rows into `rows` (kept on screen meanwhile): a later (id, epoch) wins. The
   * view is updated at most every `VIEW_UPDATE_MS`, not per batch: a run of 100,000 samples
   * arrives in hundreds of batches, and re-rendering the list for each would cost more than
   * decoding them. `finished` resolves when the stream is done (or stopped).
   */
  const streamInto = async (
    path: string,
    rows: Map<string, SampleSummary>,
  ): Promise<{ finished: Promise<void> }> => {
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let pending: SampleBatch | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancel: (() => void) | null = null;
    let ended = false;
    // Declared before the stream starts: a short run's last batch can arrive before it returns.
    const stop = (): void => {
      clearTimeout(timer);
      cancel?.();
      finish();
    };
    const show = (): void => {
      timer = undefined;
      const batch = pending;
      pending = null;
      if (!batch || get().runPath !== path) return;
      set({
        summaries: [...rows.values()],
        streamProgress: {
          bytesRead: batch.bytesRead,
          bytesTotal: batch.bytesTotal,
          done: batch.done,
        },
        runError: batch.error ?? get().runError,
      });
      if (batch.done) set({ cancelStream: null });
    };
    cancel = await streamSamples(path, (batch) => {
      if (get().runPath !== path) return finish();
      for (const item of batch.items) rows.set(sampleKey(item.id, item.epoch), item);
      pending = batch;
      if (batch.done) {
        clearTimeout(timer);
        show();
        ended = true;
        if (stopStream === stop) stopStream = null;
        finish();
      } else timer ??= setTimeout(show, VIEW_UPDATE_MS);
    });
    if (!ended) {
      stopStream = stop;
      if (get().runPath === path && !get().streamProgress?.done) set({ cancelStream: stop });
    }
    return { finished };
  };

  /** Where an export went, or why it failed, for the export message. */
  const showExport = async (exporting: Promise<{ readonly output: string }>): Promise<void> => {
    try {
      set({ exportMessage: `Exported to ${(await exporting).output}` });
    } catch (error) {
      set({ exportMessage: `Export failed: ${(error as Error).message}` });
    }
  };

  return {
    runPath: null,
    header: null,
    summaries: [],
    runError: null,
    streamProgress: null,
    cancelStream: null,
    exportMessage: null,
    exportCurrentRun: async (format) => {
      const path = get().runPath;
      if (path) await showExport(exportRun(path, format));
    },
    exportCurrentSample: async () => {
      const { runPath: path, sample } = get();
      if (path && sample)
        await showExport(exportSampleMarkdown(path, scalarText(sample.id), Number(sample.epoch)));
    },
    sample: null,
    sampleError: null,
    openRun: async (path) => {
      stopStream?.();
      stopStream = null;
      set({
        runPath: path,
        header: null,
        summaries: [],
        runError: null,
        sample: null,
        streamProgress: { bytesRead: 0, bytesTotal: 0, done: false },
        cancelStream: null,
      });
      try {
        const header = await readHeader(path);
        if (get().runPath !== path) return;
        set({ header });
        await streamInto(path, new Map());
      } catch (error) {
        set({ runError: (error as Error).message });
      }
    },
    refreshRun: async () => {
      const { runPath: path, header, streamProgress } = get();
      // Only an unfinished run changes.
      if (!path || header?.status !== 'started') return;
      // One refresh at a time; changes meanwhile make one more, so the last state always shows.
      if (refreshing) {
        refreshAgain = true;
        return;
      }
      // The first stream of the run is still reading.
      if (!streamProgress?.done) return;
      refreshing = true;
      try {
        const fresh = await readHeader(path);
        if (get().runPath !== path) return;
        set({ header: fresh });
        const rows = new Map(get().summaries.map((row) => [sampleKey(row.id, row.epoch), row]));
        await (
          await streamInto(path, rows)
        ).finished;
      } catch (error) {
        set({ runError: (error as Error).message });
      } finally {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          void get().refreshRun();
        }
      }
    },
    openSample: async (id, epoch) => {
      const path = get().runPath;
      if (!path) return;
      set({ sample: null, sampleError: null, exportMessage: null });
      try {
        set({ sample: await readSample(path, id, epoch) });
      } catch (error) {
        set({ sampleError: (error as Error).message });
      }
    },
    closeRun: () => {
      stopStream?.();
      stopStream = null;
      set({
        runPath: null,
        header: null,
        summaries: [],
        sample: null,
        streamProgress: null,
        cancelStream: null,
      });
    },
    closeSample: () => set({ sample: null, sampleError: null, exportMessage: null }),
  };
};
