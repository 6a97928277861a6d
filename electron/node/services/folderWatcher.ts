import { statSync, watch, type FSWatcher } from 'node:fs';
import type { EventHub } from './eventHub.ts';
import type { OpenedFolders } from './openedFolders.ts';
import { isS3Url } from '../s3/s3Url.ts';

/** Quiet time before a burst of file events becomes one refresh (a flush rewrites a log in several steps). */
const SETTLE_MS = 300;

/** How often the runs list refreshes for a folder that cannot be watched. */
export const POLL_MS = 10_000;

export interface WatchOptions {
  /** Told once per folder whose watch failed (the runs list then refreshes every `pollMs`). */
  readonly onFail?: (folder: string, error: Error) => void;
  readonly pollMs?: number;
}

/**
 * Watches the opened folders (recursively) and emits `salvage:runs:changed` once a burst of
 * changes settles, so the runs list refreshes by itself when logs appear, grow or change.
 *
 * A recursive watch on Linux costs one inotify watch per subfolder: a tree of tens of thousands
 * of run folders can exhaust the system's limit (ENOSPC), at the start or later as folders
 * appear. Such a failure is never fatal: that folder is refreshed on a timer instead.
 */
export function watchFolders(
  folders: ReadonlyArray<string>,
  events: EventHub,
  { onFail = warnUnwatched, pollMs = POLL_MS }: WatchOptions = {},
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => events.emit('salvage:runs:changed', { at: Date.now() }), SETTLE_MS);
  };
  const fail = (folder: string, error: Error): void => {
    onFail(folder, error);
    poll ??= setInterval(() => events.emit('salvage:runs:changed', { at: Date.now() }), pollMs);
    poll.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const folder of folders) {
    // A bucket cannot be watched (nor polled cheaply): its runs refresh when the list is reloaded.
    if (isS3Url(folder)) continue;
    const watcher = guardedWatch(folder, changed, (error) => fail(folder, error));
    if (watcher) watchers.push(watcher);
  }
  return () => {
    clearTimeout(timer);
    clearInterval(poll);
    for (const watcher of watchers) watcher.close();
  };
}

/**
 * A recursive watch whose failures, when it starts or at any time after, go to `onFail` (the
 * watcher closed) instead of an 'error' event that, unhandled, ends the process.
 */
export function guardedWatch(
  folder: string,
  onChange: () => void,
  onFail: (error: Error) => void,
): FSWatcher | null {
  let watcher: FSWatcher;
  try {
    // Node's recursive watch of a missing folder fails silently: find out first.
    if (!statSync(folder).isDirectory())
      throw Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR' });
    watcher = watch(folder, { recursive: true, persistent: false }, onChange);
  } catch (error) {
    onFail(error as Error);
    return null;
  }
  watcher.on('error', (error) => {
    watcher.close();
    onFail(error);
  });
  return watcher;
}

function warnUnwatched(folder: string, error: Error): void {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOSPC'
      ? ' (the system limit of file watchers is reached: raise fs.inotify.max_user_watches)'
      : '';
  console.error(
    `salvage: cannot watch ${folder} for changes: ${error.message}${hint}; its runs list refreshes every ${POLL_MS / 1000} s instead`,
  );
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
