// The listing benchmarks' runs: copies of three demo logs (two .eval, one .json) in folders of
// 500, and the floor a listing cannot beat (a bare recursive readdir + stat of the same files).
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const SOURCES = [
  'demo/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval',
  'demo/logs/2026-06-10T18-23-49+00-00_cp-ctf_ais-decoder.eval',
  'demo/logs/2025-05-12T20-28-26-04-00_security-guide.json',
];

/** Write `count` runs under `logs` (emptied first), copied from the demo logs under `root`. */
export function generateListingRuns(root: string, logs: string, count: number): void {
  rmSync(logs, { recursive: true, force: true });
  for (let index = 0; index < count; index++) {
    const bucket = join(logs, `batch-${Math.floor(index / 500)}`);
    if (index % 500 === 0) mkdirSync(bucket, { recursive: true });
    const source = SOURCES[index % SOURCES.length]!;
    cpSync(
      join(root, source),
      join(bucket, `run-${index}${source.endsWith('.json') ? '.json' : '.eval'}`),
    );
  }
}

/** Seconds for a bare readdir + stat of every run, and how many it found. */
export function statFloor(logs: string): { seconds: number; files: number } {
  const started = performance.now();
  let files = 0;
  for (const batch of readdirSync(logs))
    for (const name of readdirSync(join(logs, batch)))
      files += statSync(join(logs, batch, name)).size > 0 ? 1 : 0;
  return { seconds: (performance.now() - started) / 1000, files };
}
