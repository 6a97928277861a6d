import type { StateCreator } from 'zustand';
import type { SearchRequest } from '../../../shared/ipc/contract.ts';
import { sampleKey } from '../../../shared/model/log.ts';
import {
  IDLE_PROGRESS,
  NO_SEARCH_FILTERS,
  type IndexProgress,
  type SearchFilters,
  type SearchHit,
  type SearchResult,
} from '../../../shared/search/searchTypes.ts';
import type { Client } from '../api/client.ts';
import { ask, IDLE, type Request } from './request.ts';
import type { SamplePlace } from './sampleReader.ts';
import type { Store } from './store.ts';

/** Hits asked for at first, and how many more each "more" asks for. */
export const SEARCH_PAGE = 100;
/** Typing pauses this long before a search is sent (each keystroke would be a query). */
export const SEARCH_DEBOUNCE_MS = 200;

/** The samples of one run a `text_contains` query matched, as sample keys. */
export type TextMatches = Request<ReadonlySet<string>, { path: string; query: string }>;

export interface SearchSlice {
  /** What is typed in the search box; a search shows while it is not blank. */
  searchQuery: string;
  searchFilters: SearchFilters;
  /** The latest search (target: the request as sent). */
  searchResults: Request<SearchResult, SearchRequest>;
  /** The hit Enter opens (arrow keys move it). */
  searchSelected: number;
  /** How far the background indexing is. */
  indexProgress: IndexProgress;
  /** `text_contains` answers by run and query (`textMatchKey`). */
  textMatches: Readonly<Record<string, TextMatches>>;
  setSearchQuery: (query: string) => void;
  setSearchFilters: (change: Partial<SearchFilters>) => void;
  /** Ask for the next page of hits. */
  moreSearchHits: () => Promise<void>;
  selectSearchHit: (index: number) => void;
  clearSearch: () => void;
  /** Open a hit's run and sample, at its message or event. */
  openSearchHit: (hit: SearchHit) => Promise<void>;
  /** Ask which samples of a run match a `text_contains` query (once per run, query and pass). */
  matchSampleText: (path: string, query: string) => Promise<void>;
  /** Follow the indexing's progress; returns the stop. */
  watchIndex: () => () => void;
}

export function textMatchKey(path: string, query: string): string {
  return `${path}\u0000${query}`;
}

/** Where in the sample a hit is, for the sample view to bring into view. */
export function hitFocus(hit: SearchHit): SamplePlace | null {
  const { kind, index } = hit.place;
  if (index === null) return null;
  if (kind === 'message') return { list: 'messages', index };
  if (kind === 'event') return { list: 'events', index };
  return null;
}

/** The first word a hit's snippet marks (what the sample view marks where it lands). */
function markedWord(hit: SearchHit): string | null {
  const [start, end] = hit.snippet.marks[0] ?? [0, 0];
  return (
    hit.snippet.text
      .slice(start, end)
      .split(/\s+/)
      .find((word) => word !== '') ?? null
  );
}

export function createSearchSlice(client: Client): StateCreator<Store, [], [], SearchSlice> {
  return (set, get) => {
    let timer: ReturnType<typeof setTimeout> | undefined;

    const run = async (limit: number): Promise<void> => {
      clearTimeout(timer);
      const query = get().searchQuery;
      if (query.trim() === '') {
        set({ searchResults: IDLE });
        return;
      }
      const request: SearchRequest = { ...get().searchFilters, query, limit };
      await ask(
        () => get().searchResults,
        (searchResults) =>
          set(
            searchResults.phase === 'ready'
              ? { searchResults, indexProgress: searchResults.value.progress }
              : { searchResults },
          ),
        request,
        () => client.call('salvage:search:query', request),
      );
    };
    const soon = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(SEARCH_PAGE), SEARCH_DEBOUNCE_MS);
    };

    return {
      searchQuery: '',
      searchFilters: NO_SEARCH_FILTERS,
      searchResults: IDLE,
      searchSelected: 0,
      indexProgress: IDLE_PROGRESS,
      textMatches: {},
      setSearchQuery: (searchQuery) => {
        set({ searchQuery, searchSelected: 0 });
        if (searchQuery.trim() === '') {
          clearTimeout(timer);
          set({ searchResults: IDLE });
        } else soon();
      },
      setSearchFilters: (change) => {
        set({ searchFilters: { ...get().searchFilters, ...change }, searchSelected: 0 });
        soon();
      },
      moreSearchHits: () => {
        const shown = get().searchResults;
        const limit = shown.phase === 'ready' ? shown.target.limit + SEARCH_PAGE : SEARCH_PAGE;
        return run(limit);
      },
      selectSearchHit: (index) => {
        const results = get().searchResults;
        const count = results.phase === 'ready' ? results.value.hits.length : 0;
        set({ searchSelected: Math.max(0, Math.min(count - 1, index)) });
      },
      clearSearch: () => {
        clearTimeout(timer);
        set({ searchQuery: '', searchResults: IDLE, searchSelected: 0 });
      },
      openSearchHit: async (hit) => {
        const state = get();
        if (state.run?.path !== hit.run) void state.openRun(hit.run);
        if (!hit.sample) return;
        const focus = hitFocus(hit);
        await get().openSample(hit.sample.id, hit.sample.epoch, focus);
        const word = markedWord(hit);
        // The matched word marked in the item shown, as a find there would mark it.
        if (focus && word && get().sample.phase === 'ready')
          set({
            sampleFind: {
              query: word,
              phase: 'done',
              places: [focus],
              at: 0,
              progress: { done: 1, total: 1 },
            },
          });
      },
      matchSampleText: async (path, query) => {
        const key = textMatchKey(path, query);
        if (get().textMatches[key]) return;
        const write = (request: TextMatches): void =>
          set({ textMatches: { ...get().textMatches, [key]: request } });
        await ask(
          () => get().textMatches[key] ?? IDLE,
          write,
          { path, query },
          async () => {
            const samples = await client.call('salvage:search:samples', { path, query });
            return new Set(samples.map((sample) => sampleKey(sample.id, sample.epoch)));
          },
        );
      },
      watchIndex: () => {
        void client
          .call('salvage:search:status', {})
          .then((indexProgress) => set({ indexProgress }))
          .catch(() => undefined);
        return client.subscribe('salvage:search:progress', (indexProgress) => {
          const before = get().indexProgress.runsIndexed;
          set({ indexProgress });
          // Only the end of a pass is reported idle. One that indexed something (or dropped a
          // run) may have more answers for what was searched meanwhile.
          const changed = indexProgress.samples > 0 || indexProgress.runsIndexed !== before;
          if (indexProgress.phase !== 'idle' || !changed) return;
          set({ textMatches: {} });
          if (get().searchQuery.trim() !== '') {
            const shown = get().searchResults;
            void run(shown.phase === 'ready' ? shown.target.limit : SEARCH_PAGE);
          }
        });
      },
    };
  };
}
