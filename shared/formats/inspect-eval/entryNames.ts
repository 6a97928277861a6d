import type { SampleLayout } from '../../model/log.ts';

/** Entry names of a `.eval` archive (Inspect's `_recorders/eval.py`). */
export const HEADER_JSON = 'header.json';
export const SUMMARIES_JSON = 'summaries.json';
export const REDUCTIONS_JSON = 'reductions.json';
export const START_JSON = '_journal/start.json';
export const JOURNAL_SUMMARIES_PREFIX = '_journal/summaries/';
export const CONFIG_UPDATES_PREFIX = '_journal/config_updates/';
export const SAMPLES_PREFIX = 'samples/';

const MONOLITH_SAMPLE = /^samples\/(.+)_epoch_(\d+)\.json$/;
const CHUNKED_SAMPLE = /^samples\/(.+)_epoch_(\d+)\/sample\.json$/;

/** The sample an entry holds, or null for any other entry (chunk parts included). */
export function parseSampleEntryName(
  name: string,
): { id: string; epoch: number; layout: SampleLayout } | null {
  const chunked = CHUNKED_SAMPLE.exec(name);
  if (chunked) return { id: chunked[1]!, epoch: Number(chunked[2]), layout: 'chunked' };
  const monolith = MONOLITH_SAMPLE.exec(name);
  // A monolith id never holds a '/': that would be a part of a chunked sample.
  if (monolith && !monolith[1]!.includes('/')) {
    return { id: monolith[1]!, epoch: Number(monolith[2]), layout: 'monolith' };
  }
  return null;
}

export function monolithSampleEntryName(id: string, epoch: number): string {
  return `${SAMPLES_PREFIX}${id}_epoch_${epoch}.json`;
}

export function chunkedSampleFolder(id: string, epoch: number): string {
  return `${SAMPLES_PREFIX}${id}_epoch_${epoch}/`;
}

/** N of `<prefix>N.json`, or null when the name is not of that form. */
export function journalIndex(name: string, prefix: string): number | null {
  if (!name.startsWith(prefix) || !name.endsWith('.json')) return null;
  const digits = name.slice(prefix.length, -'.json'.length);
  return /^\d+$/.test(digits) ? Number(digits) : null;
}
