import { setFlagsFromString } from 'node:v8';

/**
 * Keep V8's young generation at its starting size in the process that indexes and pages
 * samples (the desktop's main process, `salvage serve`): V8 grows it (up to ~120 MB here) when
 * many young objects survive, as they do while a page is assembled across reads of the spill
 * file, and that memory stays resident. Measured on the 1.4 GiB benchmark sample: peak RSS
 * 454–518 MB with growth, 366–418 MB without, with the same index time and CPU.
 *
 * A runtime flag: V8 reads it whenever it would grow a young generation (`--max-semi-space-size`
 * is only read when the heap is set up, too late here). It applies to the whole process, its
 * worker threads included. Not a hard cap: while a full collection marks, V8 may still extend it
 * for a moment (seen: up to ~40 MB on a synthetic burst), and gives that back once it ends.
 */
export function keepYoungGenerationSmall(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}

let applied = false;
