import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The demo's finished runs the listing benchmark copies: two .eval logs and a .json log. */
export const LISTING_SOURCES = [
  'demo/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval',
  'demo/logs/2026-06-10T18-23-49+00-00_cp-ctf_ais-decoder.eval',
  'demo/logs/2025-05-12T20-28-26-04-00_security-guide.json',
].map((path) => join(root, path));

/** `runs` copies of the sources in turn under `logs`, 500 to a folder; returns their paths. */
export function writeListingMix(logs: string, runs: number): string[] {
  const written: string[] = [];
  for (let index = 0; index < runs; index++) {
    const bucket = join(logs, `batch-${Math.floor(index / 500)}`);
    if (index % 500 === 0) mkdirSync(bucket, { recursive: true });
    const source = LISTING_SOURCES[index % LISTING_SOURCES.length]!;
    const path = join(bucket, `run-${index}${source.endsWith('.json') ? '.json' : '.eval'}`);
    cpSync(source, path);
    written.push(path);
  }
  return written;
}
