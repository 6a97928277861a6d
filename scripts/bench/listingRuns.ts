// The floor a listing of the benchmarks' runs (listingMix.ts) cannot beat: a bare recursive
// readdir + stat of the same files.
import { readdirSync, statSync } from 'node:fs';
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
