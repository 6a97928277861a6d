import type { StateCreator } from 'zustand';
import type { SampleOverview } from '../../../shared/formats/sample/pageTypes.ts';
import { sampleKey } from '../../../shared/model/log.ts';
import type { MarkdownPart } from '../../../shared/model/sampleMarkdown.ts';
import type { Client } from '../api/client.ts';
import { ask, IDLE, type Request } from './request.ts';
import { SampleReader, type SamplePlace } from './sampleReader.ts';
import type { Store } from './store.ts';

/** A sample of the open run. */
export interface SampleTarget {
  readonly path: string;
  readonly id: string;
  readonly epoch: number;
}

/** A find in the open sample: what was asked, where it was found, which match is shown. */
export interface SampleFind {
  readonly query: string;
  readonly phase: 'searching' | 'done';
  readonly places: ReadonlyArray<SamplePlace>;
  /** The match shown (an index into places), or -1 before the first. */
  readonly at: number;
  readonly progress: { readonly done: number; readonly total: number };
}

export interface SampleSlice {
  /** The open sample: its overview (counts, small fields, the start of the outline). */
  sample: Request<SampleOverview, SampleTarget>;
  /** Its pages, read as the view needs them; null until it opened. */
  sampleReader: SampleReader | null;
  /** Bumped whenever a page, the event index or an error arrives: the view redraws. */
  sampleVersion: number;
  /** The message or event to bring into view (a deep link, a find). */
  sampleFocus: SamplePlace | null;
  sampleFind: SampleFind | null;
  openSample: (id: string, epoch: number, focus?: SamplePlace | null) => Promise<void>;
  closeSample: () => void;
  focusSample: (place: SamplePlace | null) => void;
  /** Find `query` anywhere in the sample (what is not shown yet too); empty clears. */
  findInSample: (query: string) => Promise<void>;
  /** Show the next (1) or previous (-1) match. */
  stepFind: (by: 1 | -1) => void;
  /** Export the open sample as Markdown: a save dialog on the desktop, a download in web mode. */
  exportCurrentSample: () => Promise<void>;
  /** The open sample's Markdown (all of it, or the transcript), to download or copy. */
  sampleMarkdown: (
    part: MarkdownPart,
  ) => Promise<{ readonly name: string; readonly markdown: string } | null>;
  /** The open sample as JSON, pools and attachments resolved, to copy. */
  sampleJson: () => Promise<string | null>;
}

export function createSampleSlice(client: Client): StateCreator<Store, [], [], SampleSlice> {
  return (set, get) => {
    let findGeneration = 0;
    const drop = (): void => {
      findGeneration += 1;
      get().sampleReader?.close();
    };
    return {
      sample: IDLE,
      sampleReader: null,
      sampleVersion: 0,
      sampleFocus: null,
      sampleFind: null,
      openSample: async (id, epoch, focus = null) => {
        const path = get().run?.path;
        if (!path) return;
        drop();
        set({
          sampleReader: null,
          sampleFocus: focus,
          sampleFind: null,
          exported: IDLE,
          lastOpened: { run: path, sample: sampleKey(id, epoch) },
        });
        let reader: SampleReader | null = null;
        await ask(
          () => get().sample,
          (sample) =>
            set(reader && sample.phase === 'ready' ? { sample, sampleReader: reader } : { sample }),
          { path, id, epoch },
          async () => {
            const opened = await client.call('salvage:sample:open', { path, id, epoch });
            reader = new SampleReader(client, opened.handle, opened.overview.outline, () =>
              set({ sampleVersion: get().sampleVersion + 1 }),
            );
            return opened.overview;
          },
          // Opened too late (another sample was asked for meanwhile): let its handle go.
          () => reader?.close(),
        );
      },
      closeSample: () => {
        drop();
        set({
          sample: IDLE,
          sampleReader: null,
          sampleFocus: null,
          sampleFind: null,
          exported: IDLE,
        });
      },
      focusSample: (place) => set({ sampleFocus: place }),
      findInSample: async (query) => {
        const generation = ++findGeneration;
        const { sampleReader: reader, sample } = get();
        if (!reader || sample.phase !== 'ready' || query.trim() === '') {
          set({ sampleFind: null });
          return;
        }
        const counts = { messages: sample.value.messages.count, events: sample.value.events.count };
        const total = counts.messages + counts.events;
        set({
          sampleFind: {
            query,
            phase: 'searching',
            places: [],
            at: -1,
            progress: { done: 0, total },
          },
        });
        try {
          const places = await reader.find(
            query,
            counts,
            (done) => {
              const find = get().sampleFind;
              if (generation === findGeneration && find)
                set({ sampleFind: { ...find, progress: { done, total } } });
            },
            () => generation !== findGeneration,
          );
          if (generation !== findGeneration) return;
          set({
            sampleFind: {
              query,
              phase: 'done',
              places,
              at: places.length > 0 ? 0 : -1,
              progress: { done: total, total },
            },
            sampleFocus: places[0] ?? get().sampleFocus,
          });
        } catch {
          if (generation === findGeneration) set({ sampleFind: null });
        }
      },
      stepFind: (by) => {
        const find = get().sampleFind;
        if (!find || find.places.length === 0) return;
        const at = (find.at + by + find.places.length) % find.places.length;
        set({ sampleFind: { ...find, at }, sampleFocus: find.places[at]! });
      },
      exportCurrentSample: async () => {
        const sample = get().sample;
        if (sample.phase !== 'ready') return;
        const { path, id, epoch } = sample.target;
        await ask(
          () => get().exported,
          (exported) => set({ exported }),
          `sample ${id} epoch ${epoch}`,
          async () => {
            const { output } = await client.call('salvage:export:sample', { path, id, epoch });
            return { output: output ?? '' };
          },
        );
      },
      sampleMarkdown: async (part) => {
        const sample = get().sample;
        if (sample.phase !== 'ready') return null;
        const { path, id, epoch } = sample.target;
        return client.call('salvage:sample:markdown', { path, id, epoch, part });
      },
      sampleJson: async () => {
        const reader = get().sampleReader;
        if (!reader) return null;
        return (await client.call('salvage:sample:json', { handle: reader.handle })).text;
      },
    };
  };
}
