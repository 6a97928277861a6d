import { existsSync } from 'node:fs';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { NO_LINKS, type RunRow } from '../../../shared/model/run.ts';
import { recoveredName } from '../../../shared/model/outputNames.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { isRunJsonHead, JSON_SNIFF_BYTES } from './findLogFiles.ts';
import { describeJsonlRun, jsonlRunKind, type JsonlScanState } from './jsonlRuns.ts';
import { formatFromPath, readRunFacts } from './openLog.ts';
import { recoveryState } from '../recovery/bufferLocation.ts';
import { FileByteSource, statFile, WHOLE_BELOW } from '../io/fileByteSource.ts';
import { placeUnder, unreadableRow, type RowBase } from './runRow.ts';

// What a listing reads of one log: its row, in whichever thread reads it (a ReaderPool's worker
// loads this module and what it needs alone, not the listing around it).

/** Logs one thread reads at once: enough to overlap I/O, few enough to keep memory flat. */
const READ_CONCURRENCY = 8;

/**
 * Buffers a reader lends to the small logs it opens one after the other (see FileByteSource.open),
 * kept for the thread's next chunk: a few MB per thread that reads logs, against a new buffer per
 * log (or per chunk, which cost the workers 0.53 s of CPU in a cold listing of 20,000 verifiers
 * runs).
 */
const spareBuffers: Uint8Array[] = [];

/** One log to read (a digest miss), as sent to a pool worker. */
export interface ReadTask {
  readonly path: string;
  readonly root: string;
  /** A `.json` file not sniffed yet: skipped when it is another tool's JSON. */
  readonly sniff: boolean;
  /** Where a JSONL log that only grew resumes its scan. */
  readonly resume: JsonlScanState | null;
}

/** What reading a log found, and a JSONL log's scan state. */
export interface ReadResult {
  /** Its row; null when the file is not a run log (another tool's JSON), or is gone. */
  readonly row: RunRow | null;
  readonly state: JsonlScanState | null;
  /** Deleted since the folder was walked: nothing to remember of it. */
  readonly gone?: boolean;
}

/** Read logs (a pool worker's chunk, or a listing's few misses), a few at once, results in order. */
export async function readRunFiles(
  tasks: ReadonlyArray<ReadTask>,
  codecs?: Codecs,
  signal?: AbortSignal,
): Promise<ReadResult[]> {
  const results = new Array<ReadResult>(tasks.length);
  let next = 0;
  const reader = async (): Promise<void> => {
    const lent = spareBuffers.pop() ?? new Uint8Array(WHOLE_BELOW);
    try {
      while (next < tasks.length && !signal?.aborted) {
        const index = next++;
        results[index] = await readRunFile(tasks[index]!, codecs, lent);
      }
    } finally {
      spareBuffers.push(lent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, tasks.length) }, reader));
  signal?.throwIfAborted();
  return results;
}

/** Read one log: its row, or null for a `.json` file that is another tool's. */
async function readRunFile(
  task: ReadTask,
  codecs?: Codecs,
  lent?: Uint8Array,
): Promise<ReadResult> {
  try {
    const jsonlKind = jsonlRunKind(task.path);
    if (!jsonlKind) {
      const row = await describeRun(task.path, task.root, codecs, task.sniff, lent);
      return { row, state: null };
    }
    const { row, state } = await describeJsonlRun(
      task.path,
      task.root,
      jsonlKind,
      task.resume ?? undefined,
    );
    return { row, state };
  } catch (error) {
    // Deleted while the folder was listed (a run cleaned up): it is simply not there.
    const code = (error as NodeJS.ErrnoException).code;
    const kind = isSalvageError(error) ? error.kind : null;
    if (code === 'ENOENT' || kind === 'not-found') return { row: null, state: null, gone: true };
    throw error;
  }
}

/**
 * The runs-table row of one log file; null for a `.json` file that, sniffed, is another tool's
 * JSON. The log is opened once: its stats, its sniffed head and its facts come from that. `lent`:
 * a buffer for a small log's bytes, free again when this returns (nothing of the row is a view
 * of the log's bytes: its facts are parsed from them).
 */
export async function describeRun(
  path: string,
  root: string,
  codecs?: Codecs,
  sniff = false,
  lent?: Uint8Array,
): Promise<RunRow | null> {
  const jsonlKind = jsonlRunKind(path);
  if (jsonlKind) return (await describeJsonlRun(path, root, jsonlKind)).row;
  let source: FileByteSource;
  try {
    source = await FileByteSource.open(path, lent);
  } catch (error) {
    // Gone since the walk: the caller leaves it out. Unreadable (permissions): listed as such.
    if (!isSalvageError(error) || error.kind === 'not-found') throw error;
    const stats = await statFile(path);
    return unreadableRow(rowBase(path, root, stats.size, stats.mtime), error);
  }
  try {
    if (sniff && !isRunJsonHead(await source.read(0, Math.min(JSON_SNIFF_BYTES, source.size))))
      return null;
    return await describeLog(source, rowBase(path, root, source.size, source.modified), codecs);
  } finally {
    await source.close();
  }
}

/** What a row says of a log file before it is read. */
function rowBase(path: string, root: string, size: number, modified: Date): RowBase {
  return {
    links: NO_LINKS,
    ...placeUnder(root, path),
    format: formatFromPath(path) ?? 'inspect-eval',
    size,
    modified: modified.toISOString(),
  };
}

/** The row of an Inspect log, from its facts and, unfinished, its buffer and recovered log. */
async function describeLog(
  source: FileByteSource,
  base: RowBase,
  codecs?: Codecs,
): Promise<RunRow> {
  const path = source.path;
  try {
    const facts = await readRunFacts(source, path, codecs);
    if (facts.status !== 'started') return { ...base, ...facts, recovery: null, problem: null };
    const state = recoveryState(path, false);
    // Like Inspect, a run already recovered beside itself is not offered for recovery again.
    const recovered = existsSync(recoveredName(path));
    return {
      ...base,
      ...facts,
      status: state.state === 'running' ? 'running' : 'started',
      recovery: state.state === 'recoverable' && !recovered ? state.source : null,
      problem: null,
    };
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    // A zip whose end is missing is a write that never finished: the run did not complete. Its
    // buffer, when there is one, is where the rest of it is (as `salvage recover` reads it).
    const cut = error.kind === 'central-directory-missing' ? recoveryState(path, true) : null;
    const recovered = existsSync(recoveredName(path));
    return unreadableRow(
      base,
      error,
      cut === null ? null : cut.state === 'running' ? 'running' : 'started',
      cut?.state === 'recoverable' && !recovered ? cut.source : null,
    );
  }
}
