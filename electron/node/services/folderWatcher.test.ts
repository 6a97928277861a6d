import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from './eventHub.ts';
import { guardedWatch, watchFolders } from './folderWatcher.ts';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function changes(events: EventHub): { count: () => number } {
  let count = 0;
  events.subscribe((channel) => {
    if (channel === 'salvage:runs:changed') count++;
  });
  return { count: () => count };
}

const until = async (done: () => boolean): Promise<void> => {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > 10_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('the folder watcher', () => {
  it('tells the renderer once a burst of changes settles', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'salvage-watch-'));
    const events = new EventHub();
    const seen = changes(events);
    stops.push(watchFolders([folder], events, { onFail: () => expect.fail('no failure') }));
    for (let line = 0; line < 5; line++) writeFileSync(join(folder, `run-${line}.jsonl`), '{}\n');
    await until(() => seen.count() > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.count()).toBe(1);
  });

  it('refreshes a folder it cannot watch on a timer, without failing', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'salvage-watch-')), 'not-there');
    const events = new EventHub();
    const seen = changes(events);
    const failures: string[] = [];
    stops.push(
      watchFolders([missing], events, {
        onFail: (folder, error) =>
          failures.push(`${folder}: ${(error as NodeJS.ErrnoException).code}`),
        pollMs: 30,
      }),
    );
    await until(() => seen.count() >= 2);
    expect(failures).toEqual([`${missing}: ENOENT`]);
  });

  it('survives a watcher that fails later (the system out of file watchers)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'salvage-watch-'));
    let changed = 0;
    const failures: Error[] = [];
    const watcher = guardedWatch(
      folder,
      () => changed++,
      (error) => failures.push(error),
    );
    expect(watcher).not.toBeNull();
    // What Node emits when inotify refuses a watch for a new subfolder (the limit is global to
    // the machine, so the test raises the watcher's own error event rather than the limit).
    const limit = Object.assign(
      new Error('ENOSPC: System limit for number of file watchers reached'),
      {
        code: 'ENOSPC',
      },
    );
    watcher!.emit('error', limit);
    expect(failures).toEqual([limit]);
    // Closed: later changes are not reported by it.
    writeFileSync(join(folder, 'late.jsonl'), '{}\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changed).toBe(0);
  });
});
