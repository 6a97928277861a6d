// The floor a listing of the benchmarks' runs (listingMix.ts) cannot beat: a bare recursive
// readdir + stat of the same files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Seconds for a bare readdir + stat of every run, and how many it found. */
export function statFloor(logs: string): { seconds: number; files: number } {
  const started = performance.now();
  let files = 0;
  for (const batch of readdirSync(logs))
    for (const name of readdirSync(join(logs, batch)))
      files += statSync(join(logs, batch, name)).size > 0 ? 1 : 0;
  return { seconds: (performance.now() - started) / 1000, files };
}

/** CPU seconds by kind of thread of this process: where a listing's CPU goes. */
export interface ThreadCpu {
  /** The thread that lists (the walk, the stats, the digest). */
  readonly main: number;
  /** The reader pool's worker threads. */
  readonly workers: number;
  /** V8's own threads (concurrent garbage collection and compilation, for every isolate). */
  readonly v8: number;
  readonly other: number;
}

/**
 * The CPU each thread of this process has used so far, by kind, from /proc (Linux; null
 * elsewhere). Threads are told apart by the names Node and V8 give them.
 */
export function threadCpu(): ThreadCpu | null {
  if (!existsSync('/proc/self/task')) return null;
  const cpu = { main: 0, workers: 0, v8: 0, other: 0 };
  const ticks = 100; // USER_HZ: clock ticks per second on Linux
  for (const thread of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
    } catch {
      continue; // ended since the folder was read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the name: state is the first; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
    const kind =
      thread === String(process.pid)
        ? 'main'
        : name === 'WorkerThread'
          ? 'workers'
          : name.startsWith('V8') || name === 'DelayedTaskSche'
            ? 'v8'
            : 'other';
    cpu[kind] += seconds;
  }
  return cpu;
}

/** The CPU used between two readings (worker threads that ended in between are not counted). */
export function cpuBetween(before: ThreadCpu | null, after: ThreadCpu | null): ThreadCpu | null {
  if (!before || !after) return null;
  return {
    main: after.main - before.main,
    workers: after.workers - before.workers,
    v8: after.v8 - before.v8,
    other: after.other - before.other,
  };
}
