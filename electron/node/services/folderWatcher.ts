import { watch, type FSWatcher } from 'node:fs';
import type { EventHub } from './eventHub.ts';
import type { OpenedFolders } from './openedFolders.ts';
import { isS3Url } from '../s3/s3Url.ts';

/** Quiet time before a burst of file events becomes one refresh (a flush rewrites a log in several steps). */
const SETTLE_MS = 300;

/**
 * Watches the opened folders (recursively) and emits `salvage:runs:changed` once a burst of
 * changes settles, so the runs list refreshes by itself when logs appear, grow or change.
 */
export function watchFolders(folders: ReadonlyArray<string>, events: EventHub): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => events.emit('salvage:runs:changed', { at: Date.now() }), SETTLE_MS);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of folders) {
    // A bucket cannot be watched: its runs refresh when the list is reloaded.
    if (isS3Url(folder)) continue;
    try {
      watchers.push(watch(folder, { recursive: true, persistent: false }, changed));
    } catch {
      // A folder that cannot be watched still lists; it just does not refresh by itself.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}

/**
 * Watch the opened folders as they come and go: each add or remove restarts the watchers and
 * tells the renderer (`salvage:folders:changed`, then `salvage:runs:changed`).
 */
export function watchOpenedFolders(folders: OpenedFolders, events: EventHub): () => void {
  let stop = watchFolders(folders.list(), events);
  const unsubscribe = folders.onChange((list) => {
    stop();
    stop = watchFolders(list, events);
    events.emit('salvage:folders:changed', { folders: list });
    events.emit('salvage:runs:changed', { at: Date.now() });
  });
  return () => {
    unsubscribe();
    stop();
  };
}
