import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  IDLE_PROGRESS,
  type IndexProgress,
  type SearchHit,
  type SearchResult,
} from '../../../shared/search/searchTypes.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { createClient } from '../api/client.ts';
import { deferred, FakeBridge, settle, type Deferred } from '../test/fakeBridge.ts';
import { SEARCH_DEBOUNCE_MS, SEARCH_PAGE, textMatchKey } from './searchSlice.ts';
import { createAppStore } from './store.ts';

function storeOver(bridge: FakeBridge) {
  const store = createAppStore(createClient(bridge));
  return { store, state: store.getState };
}

function hit(run: string, id: string, kind: 'message' | 'event', index: number): SearchHit {
  return {
    run,
    format: 'inspect-eval',
    task: 't',
    model: 'm',
    sample: { id, epoch: 1 },
    place: { kind, index, label: kind === 'message' ? 'assistant' : 'tool' },
    snippet: { text: `the tool timed out (${id})`, marks: [[4, 8]] },
  };
}

function result(hits: SearchHit[], more = false): SearchResult {
  return { hits, more, progress: IDLE_PROGRESS };
}

const INDEXING: IndexProgress = {
  ...IDLE_PROGRESS,
  phase: 'indexing',
  runsDone: 3,
  runsTotal: 10,
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the search over every run', () => {
  it('searches once typing pauses, with the filters, and shows the answer', async () => {
    const bridge = new FakeBridge().answer('salvage:search:query', () =>
      result([hit('/logs/a.eval', '1', 'message', 3)]),
    );
    const { state } = storeOver(bridge);
    state().setSearchQuery('t');
    state().setSearchQuery('ti');
    state().setSearchQuery('timed out');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1);
    expect(bridge.argsOf('salvage:search:query')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(bridge.argsOf('salvage:search:query')).toEqual([
      expect.objectContaining({ query: 'timed out', limit: SEARCH_PAGE, status: null, task: null }),
    ]);
    expect(state().searchResults).toMatchObject({
      phase: 'ready',
      value: { hits: [{ run: '/logs/a.eval' }] },
    });

    state().setSearchFilters({ task: 'gsm8k', minScore: 0.5 });
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(bridge.argsOf('salvage:search:query').at(-1)).toMatchObject({
      query: 'timed out',
      task: 'gsm8k',
      minScore: 0.5,
    });
  });

  it('never shows an older search’s answer over a newer one', async () => {
    const answers: Record<string, Deferred<SearchResult>> = { old: deferred(), new: deferred() };
    const bridge = new FakeBridge().answer(
      'salvage:search:query',
      ({ query }) => answers[query as string]!.promise,
    );
    const { state } = storeOver(bridge);
    state().setSearchQuery('old');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    state().setSearchQuery('new');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    answers.new!.resolve(result([hit('/logs/new.eval', '1', 'message', 0)]));
    await settle();
    answers.old!.resolve(result([hit('/logs/old.eval', '1', 'message', 0)]));
    await settle();
    expect(state().searchResults).toMatchObject({
      phase: 'ready',
      target: { query: 'new' },
      value: { hits: [{ run: '/logs/new.eval' }] },
    });
  });

  it('a bad query fails with its typed message; a blank one asks nothing and clears', async () => {
    const bridge = new FakeBridge().answer('salvage:search:query', () => {
      throw new SalvageError('bad-query', 'The quote at character 1 is never closed.');
    });
    const { state } = storeOver(bridge);
    state().setSearchQuery('"open');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await settle();
    expect(state().searchResults).toMatchObject({
      phase: 'failed',
      error: { kind: 'bad-query', message: 'The quote at character 1 is never closed.' },
    });
    state().setSearchQuery('   ');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(bridge.argsOf('salvage:search:query')).toHaveLength(1);
    expect(state().searchResults).toEqual({ phase: 'idle' });
  });

  it('asks for more hits a page at a time; the arrow keys’ selection stays within the hits', async () => {
    const bridge = new FakeBridge().answer('salvage:search:query', ({ limit }) =>
      result(
        Array.from({ length: Math.min(Number(limit), 3) }, (_, n) =>
          hit('/a.eval', `${n}`, 'event', n),
        ),
        true,
      ),
    );
    const { state } = storeOver(bridge);
    state().setSearchQuery('tool');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await settle();
    await state().moreSearchHits();
    expect(bridge.argsOf('salvage:search:query').map((args) => args.limit)).toEqual([
      SEARCH_PAGE,
      SEARCH_PAGE * 2,
    ]);
    state().selectSearchHit(7);
    expect(state().searchSelected).toBe(2);
    state().selectSearchHit(-1);
    expect(state().searchSelected).toBe(0);
  });

  it('opens a hit’s run and sample at its message or event', async () => {
    const bridge = new FakeBridge()
      .answer('salvage:samples:stream', () => ({ streamId: 's1' }))
      .answer('salvage:log:header', () => ({}))
      .answer('salvage:sample:open', ({ id }) => ({
        handle: 'h1',
        overview: {
          layout: 'monolith',
          bytes: 10,
          messages: { count: 5, bytes: 0 },
          events: { count: 9, bytes: 0, kinds: {} },
          attachments: { count: 0, bytes: 0 },
          pools: { messages: 0, calls: 0 },
          fields: { id, epoch: 1 },
          truncations: [],
          largeFields: [],
          outline: { start: 0, nodes: [], total: 0 },
        },
      }));
    const { state } = storeOver(bridge);
    await state().openSearchHit(hit('/logs/a.eval', 's-3', 'event', 7));
    expect(state().run?.path).toBe('/logs/a.eval');
    expect(bridge.argsOf('salvage:sample:open')).toEqual([
      { path: '/logs/a.eval', id: 's-3', epoch: 1 },
    ]);
    expect(state().sampleFocus).toEqual({ list: 'events', index: 7 });
    // The matched word is marked in the item shown.
    expect(state().sampleFind).toMatchObject({
      query: 'tool',
      places: [{ list: 'events', index: 7 }],
    });
  });

  it('follows the indexing; when a pass ends, text matches are asked again and the search rerun', async () => {
    let keys = ['1\u00001'];
    const bridge = new FakeBridge()
      .answer('salvage:search:status', () => INDEXING)
      .answer('salvage:search:query', () => result([]))
      .answer('salvage:search:samples', () =>
        keys.map((key) => ({ id: key.split('\u0000')[0], epoch: 1 })),
      );
    const { state } = storeOver(bridge);
    const stop = state().watchIndex();
    await settle();
    expect(state().indexProgress).toEqual(INDEXING);
    await state().matchSampleText('/a.eval', 'timed out');
    await state().matchSampleText('/a.eval', 'timed out');
    expect(bridge.argsOf('salvage:search:samples')).toEqual([
      { path: '/a.eval', query: 'timed out' },
    ]);
    expect(state().textMatches[textMatchKey('/a.eval', 'timed out')]).toMatchObject({
      phase: 'ready',
      value: new Set(['1\u00001']),
    });
    state().setSearchQuery('tool');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    keys = ['1\u00001', '2\u00001'];
    // A pass that changed nothing changes nothing here either.
    bridge.emit('salvage:search:progress', { ...INDEXING, phase: 'idle', runsDone: 10 });
    await settle();
    expect(Object.keys(state().textMatches)).toHaveLength(1);
    bridge.emit('salvage:search:progress', { ...INDEXING, phase: 'idle', samples: 12 });
    await settle();
    expect(state().indexProgress.phase).toBe('idle');
    expect(state().textMatches).toEqual({});
    expect(bridge.argsOf('salvage:search:query')).toHaveLength(2);
    stop();
  });
});
