import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunsBatch } from '../../../shared/ipc/contract.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { createClient } from '../api/client.ts';
import { FakeBridge, settle } from '../test/fakeBridge.ts';
import { VIEW_UPDATE_MS } from './runStream.ts';
import { createAppStore } from './store.ts';

/** A row as the back end lists it (only what the listing looks at matters here). */
function run(location: string, task = 'task'): RunRow {
  return { path: location.split('/').at(-1)!, location, task } as RunRow;
}

function batch(
  streamId: string,
  rows: RunRow[],
  { done = false, found = 3, error }: Partial<Pick<RunsBatch, 'done' | 'found' | 'error'>> = {},
): RunsBatch {
  return { streamId, rows, found, done, ...(error ? { error } : {}) };
}

/** A back end with these folders: each listing of a folder starts a stream named `<folder>#<n>`. */
function listingBridge(folders: string[]) {
  let streams = 0;
  const bridge = new FakeBridge()
    .answer('salvage:folders:list', () => folders)
    .answer('salvage:runs:stream', ({ folder }) => {
      if (folder === '/gone') throw new SalvageError('not-found', 'Cannot open /gone.');
      return { streamId: `${folder as string}#${++streams}` };
    });
  const store = createAppStore(createClient(bridge));
  return { bridge, state: store.getState };
}

const locations = (rows: ReadonlyArray<RunRow>): string[] => rows.map((row) => row.location);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the runs list streams in', () => {
  it('shows the first rows at once, the next at most every 150 ms, and all when done', async () => {
    const { bridge, state } = listingBridge(['/logs']);
    const listed = state().loadRuns();
    await settle();
    expect(state().listingRequest.phase).toBe('pending');
    bridge.emit('salvage:runs:batch', batch('/logs#1', [run('/logs/a.eval')]));
    expect(locations(state().listing.runs)).toEqual(['/logs/a.eval']);
    expect(state().listingProgress).toEqual({ listed: 1, found: 3 });

    bridge.emit('salvage:runs:batch', batch('/logs#1', [run('/logs/b.eval')]));
    bridge.emit('salvage:runs:batch', batch('/logs#1', [run('/logs/c.eval')]));
    expect(state().listing.runs).toHaveLength(1);
    vi.advanceTimersByTime(VIEW_UPDATE_MS);
    expect(locations(state().listing.runs)).toEqual([
      '/logs/a.eval',
      '/logs/b.eval',
      '/logs/c.eval',
    ]);
    expect(state().listingProgress).toEqual({ listed: 3, found: 3 });
    expect(state().listingRequest.phase).toBe('pending');

    bridge.emit('salvage:runs:batch', batch('/logs#1', [], { done: true }));
    await listed;
    expect(state().listingRequest.phase).toBe('ready');
    expect(state().listingProgress).toBeNull();
    expect(state().listing.runs).toHaveLength(3);
    expect(state().listing.folders).toEqual(['/logs']);
  });

  it('a refresh keeps the rows on screen, updates changed ones, and drops the gone at the end', async () => {
    const { bridge, state } = listingBridge(['/logs']);
    const first = state().loadRuns();
    await settle();
    bridge.emit(
      'salvage:runs:batch',
      batch('/logs#1', [run('/logs/a.eval', 'old'), run('/logs/b.eval')], { done: true }),
    );
    await first;

    const second = state().loadRuns();
    await settle();
    // Until the new listing names them, the rows of the last one stay on screen.
    expect(locations(state().listing.runs)).toEqual(['/logs/a.eval', '/logs/b.eval']);
    bridge.emit('salvage:runs:batch', batch('/logs#2', [run('/logs/a.eval', 'new')]));
    expect(state().listing.runs.map((row) => [row.location, row.task])).toEqual([
      ['/logs/a.eval', 'new'],
      ['/logs/b.eval', 'task'],
    ]);
    bridge.emit('salvage:runs:batch', batch('/logs#2', [], { done: true }));
    await second;
    // b.eval was deleted: the finished listing did not name it.
    expect(locations(state().listing.runs)).toEqual(['/logs/a.eval']);
  });

  it('one folder that fails does not hide the others: its error shows, its rows leave', async () => {
    const { bridge, state } = listingBridge(['/gone', '/broken', '/logs']);
    const listed = state().loadRuns();
    await settle();
    bridge.emit('salvage:runs:batch', batch('/broken#1', [run('/broken/x.eval')]));
    bridge.emit(
      'salvage:runs:batch',
      batch('/broken#1', [], {
        done: true,
        error: { kind: 'permission-denied', message: 'Cannot read /broken/sub.' },
      }),
    );
    bridge.emit('salvage:runs:batch', batch('/logs#2', [run('/logs/a.eval')], { done: true }));
    await listed;
    expect(locations(state().listing.runs)).toEqual(['/logs/a.eval']);
    expect(Object.keys(state().listing.folderErrors).sort()).toEqual(['/broken', '/gone']);
    expect(state().listing.folderErrors['/gone']!.kind).toBe('not-found');
    expect(state().listing.folderErrors['/broken']!.kind).toBe('permission-denied');
  });

  it('a listing asked for during one lists once more after it, never twice, and ends newest', async () => {
    const { bridge, state } = listingBridge(['/logs']);
    const first = state().loadRuns();
    void state().loadRuns(); // a file changed while the first listing reads
    void state().loadRuns(); // and another: still one more listing, not two
    await settle();
    bridge.emit('salvage:runs:batch', batch('/logs#1', [run('/logs/old.eval')], { done: true }));
    await settle();
    expect(locations(state().listing.runs)).toEqual(['/logs/old.eval']);
    expect(bridge.argsOf('salvage:runs:stream')).toHaveLength(2);
    bridge.emit(
      'salvage:runs:batch',
      batch('/logs#2', [run('/logs/old.eval'), run('/logs/new.eval')], { done: true }),
    );
    await first;
    expect(bridge.argsOf('salvage:runs:stream')).toHaveLength(2);
    expect(locations(state().listing.runs)).toEqual(['/logs/old.eval', '/logs/new.eval']);
    expect(state().listingRequest.phase).toBe('ready');
  });
});
