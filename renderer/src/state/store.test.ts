import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SampleBatch } from '../../../shared/ipc/contract.ts';
import type { RecoveryPlan } from '../../../shared/model/recovery.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { createClient } from '../api/client.ts';
import { deferred, FakeBridge, settle, type Deferred } from '../test/fakeBridge.ts';
import { readyPlan } from './flowSlice.ts';
import { VIEW_UPDATE_MS, viewUpdateDelay } from './runStream.ts';
import { createAppStore } from './store.ts';

function storeOver(bridge: FakeBridge) {
  const store = createAppStore(createClient(bridge));
  return { store, state: store.getState };
}

function plan(log: string, flushed: number): RecoveryPlan {
  return {
    log,
    source: 'filestore',
    buffer: null,
    archive: 'intact',
    total: 10,
    flushed,
    alreadyFlushed: 0,
    completed: 1,
    inProgress: 1,
    lost: 0,
    lostEntries: [],
    output: `${log}-recovered.eval`,
    warnings: [],
  };
}

/** What opening a sample answers, small: an overview with no messages or events. */
function opened(handle: string, id: string): unknown {
  return {
    handle,
    overview: {
      layout: 'monolith',
      bytes: 10,
      messages: { count: 0, bytes: 0 },
      events: { count: 0, bytes: 0, kinds: {} },
      attachments: { count: 0, bytes: 0 },
      pools: { messages: 0, calls: 0 },
      fields: { id, epoch: 1 },
      truncations: [],
      largeFields: [],
      outline: { start: 0, nodes: [], total: 0 },
    },
  };
}

function batch(streamId: string, ids: number[], done = false): SampleBatch {
  return {
    streamId,
    items: ids.map((id) => ({ id, epoch: 1, input: `question ${id}`, target: 'A' })),
    bytesRead: done ? 100 : 50,
    bytesTotal: 100,
    done,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a late answer never overwrites a newer request', () => {
  it('the recovery dialog never shows one run’s plan under another’s name', async () => {
    const answers: Record<string, Deferred<RecoveryPlan>> = { X: deferred(), Y: deferred() };
    const bridge = new FakeBridge().answer(
      'salvage:recovery:plan',
      ({ path }) => answers[path as string]!.promise,
    );
    const { state } = storeOver(bridge);
    void state().planRecoveryOf('X');
    state().closeRecovery();
    void state().planRecoveryOf('Y');
    // X's plan arrives while the dialog is about Y.
    answers.X!.resolve(plan('X', 1));
    await settle();
    expect(state().recovery.target).toBe('Y');
    expect(readyPlan(state().recovery)).toBeNull();
    // Recover now does nothing: there is no plan of Y to confirm.
    await state().confirmRecovery();
    expect(bridge.argsOf('salvage:recovery:run')).toEqual([]);
    answers.Y!.resolve(plan('Y', 2));
    await settle();
    expect(readyPlan(state().recovery)).toMatchObject({ log: 'Y', flushed: 2 });
  });

  it('opening sample A then B quickly ends on B, and A’s late handle is released', async () => {
    const answers: Record<string, Deferred<unknown>> = { A: deferred(), B: deferred() };
    const bridge = new FakeBridge()
      .answer('salvage:log:header', () => ({ status: 'success' }))
      .answer('salvage:samples:stream', () => ({ streamId: 's' }))
      .answer('salvage:sample:open', ({ id }) => answers[id as string]!.promise);
    const { state } = storeOver(bridge);
    void state().openRun('run.eval');
    void state().openSample('A', 1);
    state().closeSample();
    void state().openSample('B', 1);
    answers.B!.resolve(opened('handle-B', 'B'));
    await settle();
    answers.A!.resolve(opened('handle-A', 'A'));
    await settle();
    expect(state().sample).toMatchObject({ phase: 'ready', value: { fields: { id: 'B' } } });
    expect(state().sampleReader?.handle).toBe('handle-B');
    expect(bridge.argsOf('salvage:sample:close')).toEqual([{ handle: 'handle-A' }]);
    state().closeSample();
    expect(bridge.argsOf('salvage:sample:close')).toEqual([
      { handle: 'handle-A' },
      { handle: 'handle-B' },
    ]);
  });

  it('a comparison of two other runs replaces a slower one still on its way', async () => {
    const answers = [deferred<unknown>(), deferred<unknown>()];
    let call = 0;
    const bridge = new FakeBridge().answer('salvage:compare:runs', () => answers[call++]!.promise);
    const { state } = storeOver(bridge);
    state().toggleSelected('a');
    state().toggleSelected('b');
    void state().openComparison();
    state().toggleSelected('a');
    state().toggleSelected('c'); // the selection is now b, c
    void state().openComparison();
    answers[1]!.resolve({ config: { differences: [] }, samples: [] });
    answers[0]!.resolve({ config: { differences: ['stale'] }, samples: [] });
    await settle();
    expect(state().comparison).toMatchObject({ phase: 'ready', target: ['b', 'c'] });
  });
});

describe('the sample stream', () => {
  function streamingBridge() {
    const streams: Record<string, Deferred<{ streamId: string }>> = {};
    const bridge = new FakeBridge()
      .answer('salvage:log:header', () => ({ status: 'started' }))
      .answer('salvage:samples:stream', ({ path }) => {
        streams[path as string] = deferred();
        return streams[path as string]!.promise;
      });
    return { bridge, streams };
  }

  it('opening run A, then B before A’s stream call returns, then closing, stops both', async () => {
    const { bridge, streams } = streamingBridge();
    const { state } = storeOver(bridge);
    void state().openRun('A');
    await settle();
    void state().openRun('B');
    await settle();
    streams.B!.resolve({ streamId: 'stream-B' });
    await settle();
    streams.A!.resolve({ streamId: 'stream-A' });
    await settle();
    state().closeRun();
    await settle();
    const cancelled = bridge.argsOf('salvage:samples:cancel').map((args) => args.streamId);
    expect(cancelled.sort()).toEqual(['stream-A', 'stream-B']);
    expect(state().run).toBeNull();
  });

  it('shows rows at most every 150 ms while streaming, and all of them when done', async () => {
    const { bridge, streams } = streamingBridge();
    const { state } = storeOver(bridge);
    void state().openRun('run.jsonl');
    await settle();
    streams['run.jsonl']!.resolve({ streamId: 's1' });
    await settle();
    bridge.emit('salvage:samples:batch', batch('s1', [1, 2]));
    bridge.emit('salvage:samples:batch', batch('s1', [3]));
    expect(state().run?.rows).toHaveLength(0);
    vi.advanceTimersByTime(VIEW_UPDATE_MS);
    expect(state().run?.rows.map((row) => row.summary.id)).toEqual([1, 2, 3]);
    expect(state().run?.rows[0]?.search).toContain('question 1');
    bridge.emit('salvage:samples:batch', batch('s1', [4], true));
    expect(state().run?.rows).toHaveLength(4);
    expect(state().run?.progress.phase).toBe('done');
  });

  it('waits longer between redraws as the list grows (each one re-sorts every row)', async () => {
    expect(viewUpdateDelay(10)).toBe(VIEW_UPDATE_MS);
    expect(viewUpdateDelay(100_000)).toBe(1_000);
    const { bridge, streams } = streamingBridge();
    const { state } = storeOver(bridge);
    void state().openRun('big.jsonl');
    await settle();
    streams['big.jsonl']!.resolve({ streamId: 's1' });
    await settle();
    const ids = Array.from({ length: 50_000 }, (_, index) => index);
    bridge.emit('salvage:samples:batch', batch('s1', ids));
    vi.advanceTimersByTime(VIEW_UPDATE_MS);
    expect(state().run?.rows).toHaveLength(0);
    vi.advanceTimersByTime(viewUpdateDelay(50_000) - VIEW_UPDATE_MS);
    expect(state().run?.rows).toHaveLength(50_000);
  });

  it('a short run whose last batch arrives before the stream call returns ends cleanly', async () => {
    const { bridge, streams } = streamingBridge();
    const { state } = storeOver(bridge);
    void state().openRun('short.jsonl');
    await settle();
    // The back end streams the whole run before its answer to the stream call arrives.
    bridge.emit('salvage:samples:batch', batch('s1', [1, 2], true));
    streams['short.jsonl']!.resolve({ streamId: 's1' });
    await settle();
    expect(state().run).toMatchObject({ error: null, progress: { phase: 'done' } });
    expect(state().run?.rows).toHaveLength(2);
  });

  it('a change during a refresh asks for exactly one more, and the last state shows', async () => {
    const { bridge, streams } = streamingBridge();
    const { state } = storeOver(bridge);
    void state().openRun('live.jsonl');
    await settle();
    streams['live.jsonl']!.resolve({ streamId: 's1' });
    await settle();
    bridge.emit('salvage:samples:batch', batch('s1', [1], true));
    void state().refreshRun();
    await settle();
    void state().refreshRun(); // files changed again while the refresh streams
    void state().refreshRun();
    streams['live.jsonl']!.resolve({ streamId: 's2' });
    await settle();
    bridge.emit('salvage:samples:batch', batch('s2', [1, 2], true));
    await settle();
    streams['live.jsonl']!.resolve({ streamId: 's3' });
    await settle();
    bridge.emit('salvage:samples:batch', batch('s3', [1, 2, 3], true));
    await settle();
    expect(bridge.argsOf('salvage:samples:stream')).toHaveLength(3);
    expect(state().run?.rows.map((row) => row.summary.id)).toEqual([1, 2, 3]);
  });

  it('Stop stops the stream that is running, a refresh included', async () => {
    const { bridge, streams } = streamingBridge();
    const { state } = storeOver(bridge);
    void state().openRun('live.jsonl');
    await settle();
    streams['live.jsonl']!.resolve({ streamId: 's1' });
    await settle();
    bridge.emit('salvage:samples:batch', batch('s1', [1], true));
    void state().refreshRun();
    await settle();
    streams['live.jsonl']!.resolve({ streamId: 's2' });
    await settle();
    state().stopRun();
    expect(bridge.argsOf('salvage:samples:cancel')).toEqual([{ streamId: 's2' }]);
    expect(state().run?.progress.phase).toBe('stopped');
    expect(state().run?.rows).toHaveLength(1);
  });

  it('keeps the kind of a failure: a stream that fails, a sample that is gone', async () => {
    const bridge = new FakeBridge()
      .answer('salvage:log:header', () => ({ status: 'success' }))
      .answer('salvage:samples:stream', () => ({ streamId: 's1' }))
      .answer('salvage:sample:open', () => {
        throw new SalvageError('sample-not-found', 'Sample id 9 epoch 1 is not in this log.');
      });
    const { state } = storeOver(bridge);
    void state().openRun('run.eval');
    await settle();
    bridge.emit('salvage:samples:batch', {
      ...batch('s1', [], true),
      error: { kind: 'crc-mismatch', message: 'Entry summaries.json failed its CRC check.' },
    });
    expect(state().run?.error).toMatchObject({ kind: 'crc-mismatch' });
    expect(state().run?.progress.phase).toBe('failed');
    await state().openSample('9', 1);
    expect(state().sample).toMatchObject({
      phase: 'failed',
      target: { id: '9', epoch: 1 },
      error: { kind: 'sample-not-found' },
    });
  });
});

describe('the runs list follows changes', () => {
  it('re-lists and refreshes the open unfinished run when files change', async () => {
    const { bridge } = {
      bridge: new FakeBridge()
        .answer('salvage:folders:list', () => ['/logs'])
        .answer('salvage:runs:stream', () => ({ streamId: 'listing' }))
        .answer('salvage:log:header', () => ({ status: 'started' }))
        .answer('salvage:samples:stream', () => ({ streamId: 's1' })),
    };
    const { state } = storeOver(bridge);
    const unwatch = state().watchRuns();
    void state().openRun('live.jsonl');
    await settle();
    bridge.emit('salvage:samples:batch', batch('s1', [1], true));
    bridge.emit('salvage:runs:changed', { at: 1 });
    await settle();
    expect(bridge.argsOf('salvage:runs:stream')).toHaveLength(1);
    expect(bridge.argsOf('salvage:samples:stream')).toHaveLength(2);
    unwatch();
    bridge.emit('salvage:runs:changed', { at: 2 });
    await settle();
    expect(bridge.argsOf('salvage:runs:stream')).toHaveLength(1);
  });
});

describe('plan, confirm, report', () => {
  it('offers an overwrite when the recovered output exists, and sends it only when asked', async () => {
    let runs = 0;
    const bridge = new FakeBridge()
      .answer('salvage:recovery:plan', ({ path }) => plan(path as string, 1))
      .answer('salvage:recovery:run', ({ path, overwrite }) => {
        runs += 1;
        if (!overwrite)
          throw new SalvageError(
            'already-exists',
            `${String(path)}-recovered.eval already exists.`,
          );
        return { ...plan(path as string, 1), written: 3, bytes: 10, cleanedUp: false };
      })
      .answer('salvage:folders:list', () => []);
    const { state } = storeOver(bridge);
    await state().planRecoveryOf('crashed.eval');
    await state().confirmRecovery();
    expect(state().recovery.report).toMatchObject({
      phase: 'failed',
      error: { kind: 'already-exists' },
    });
    await state().confirmRecovery(true);
    expect(bridge.argsOf('salvage:recovery:run')).toEqual([
      { path: 'crashed.eval', overwrite: false },
      { path: 'crashed.eval', overwrite: true },
    ]);
    expect(state().recovery.report).toMatchObject({ phase: 'ready', value: { written: 3 } });
    expect(runs).toBe(2);
  });

  it('a repair, then its undo, each reported; closing drops an answer still on its way', async () => {
    const check = deferred<unknown>();
    const bridge = new FakeBridge()
      .answer('salvage:repair:check', () => check.promise)
      .answer('salvage:repair:run', () => ({ plans: [], sidecar: 'log.torn-1', sizeAfter: 9 }))
      .answer('salvage:repair:undo', () => ({ restoredBytes: 4, size: 13 }))
      .answer('salvage:folders:list', () => []);
    const { state } = storeOver(bridge);
    void state().checkRepairOf('results.jsonl');
    state().closeRepair();
    check.resolve({ plans: [{ line: 2 }], sidecar: 'log.torn-1' });
    await settle();
    expect(state().repair).toMatchObject({ target: null, plan: { phase: 'idle' } });

    bridge.answer('salvage:repair:check', () => ({ plans: [{ line: 2 }], sidecar: 'log.torn-1' }));
    await state().checkRepairOf('results.jsonl');
    await state().confirmRepair();
    expect(state().repair.report).toMatchObject({ phase: 'ready', value: { sizeAfter: 9 } });
    await state().undoLastRepair();
    expect(bridge.argsOf('salvage:repair:undo')).toEqual([{ sidecar: 'log.torn-1' }]);
    expect(state().undo).toMatchObject({ phase: 'ready', value: { size: 13 } });
  });
});

describe('the samples of several runs together', () => {
  it('reads every selected run, one after another, each row naming its run', async () => {
    let calls = 0;
    const bridge = new FakeBridge().answer('salvage:samples:stream', () => ({
      streamId: `s${++calls}`,
    }));
    const { state } = storeOver(bridge);
    state().toggleSelected('a.eval');
    state().toggleSelected('b.eval');
    void state().openCrossRun();
    await settle();
    bridge.emit('salvage:samples:batch', batch('s1', [1, 2], true));
    await settle();
    bridge.emit('salvage:samples:batch', batch('s2', [1], true));
    await settle();
    expect(state().crossRun).toMatchObject({ phase: 'done', read: 2 });
    expect(state().crossRun?.rows.map((row) => `${row.run}:${row.facts.id}`)).toEqual([
      'a.eval:1',
      'a.eval:2',
      'b.eval:1',
    ]);
  });

  it('closing stops the run still being read', async () => {
    const bridge = new FakeBridge().answer('salvage:samples:stream', () => ({ streamId: 's1' }));
    const { state } = storeOver(bridge);
    state().toggleSelected('a.eval');
    void state().openCrossRun();
    await settle();
    state().closeCrossRun();
    expect(bridge.argsOf('salvage:samples:cancel')).toEqual([{ streamId: 's1' }]);
    expect(state().crossRun).toBeNull();
  });
});
