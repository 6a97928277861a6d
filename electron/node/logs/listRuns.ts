import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { runFacts } from '../../../shared/model/runFacts.ts';
import { NO_LINKS, type RunRow } from '../../../shared/model/run.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { findRunFiles } from './findLogFiles.ts';
import { outputKind } from '../../../shared/model/outputNames.ts';
import { sidecarUndoable } from '../repair/repairJsonl.ts';
import { describeJsonlRun, jsonlRunKind, type JsonlScanState } from './jsonlRuns.ts';
import { formatFromPath, withLog } from './openLog.ts';
import { recoveredPath, recoveryState } from '../recovery/recoverLog.ts';
import { existsSync } from 'node:fs';
import { identityOf, type RunDigest } from '../index/runDigest.ts';
import { findWritersOf } from '../io/openWriters.ts';
import { unreadableRow } from './runRow.ts';
import { isS3Url } from '../s3/s3Url.ts';
import { listS3Runs } from '../s3/s3Runs.ts';

/** Logs read at once while listing: enough to overlap I/O, few enough to keep memory flat. */
const LIST_CONCURRENCY = 8;
/** Without open-file information (not Linux), how recent a write makes an unfinished run live. */
const LIVE_WITHOUT_WRITER_INFO_MS = 5_000;

export interface ListOptions {
  readonly codecs?: Codecs;
  /** Reuse sealed digests of unchanged runs (one stat each) and record new ones. */
  readonly digest?: RunDigest;
}

/**
 * One row per log under `root` (a folder, or an `s3://bucket/prefix`); unreadable logs are
 * listed with their problem, never dropped.
 */
export async function listRuns(root: string, options: ListOptions = {}): Promise<RunRow[]> {
  if (isS3Url(root)) return listS3Runs(root, options);
  const { logs: paths, outputs } = await findRunFiles(root);
  const rows: RunRow[] = new Array<RunRow>(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const index = next++;
      rows[index] = await describeWithDigest(paths[index]!, root, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, paths.length) }, worker));
  options.digest?.forgetMissing(resolve(root), new Set(paths.map((path) => resolve(path))));
  return withLinks(await markLiveRuns(rows), outputs);
}

/**
 * Each run with what Salvage wrote beside it: its recovered log (a crashed run says where it was
 * recovered to, the recovered log where it came from), its exports, and the sidecar of a repair
 * that can still be undone. Found by name (outputNames.ts) on every listing, not stored in the
 * digest: outputs come and go without the log changing.
 */
export function withLinks(
  rows: ReadonlyArray<RunRow>,
  outputs: ReadonlyArray<string>,
  normalize: (location: string) => string = resolve,
): RunRow[] {
  const byLocation = new Map(rows.map((row) => [row.location, row]));
  const exports = new Map<string, string[]>();
  const sidecars = new Map<string, string[]>();
  const sourceOf = (sources: ReadonlyArray<string>): string | undefined =>
    sources.map((source) => normalize(source)).find((source) => byLocation.has(source));
  for (const output of outputs) {
    const kind = outputKind(output);
    if (!kind || kind.kind === 'sample-markdown' || kind.kind === 'recovered') continue;
    if (kind.kind === 'sidecar' && kind.undone) continue;
    const source = sourceOf(kind.sources);
    if (!source) continue;
    const into = kind.kind === 'export' ? exports : sidecars;
    into.set(source, [...(into.get(source) ?? []), normalize(output)]);
  }
  return rows.map((row) => {
    const recoveredKind = outputKind(row.location);
    const recoveredFrom =
      recoveredKind?.kind === 'recovered' ? (sourceOf(recoveredKind.sources) ?? null) : null;
    const recovered = normalize(recoveredPath(row.location));
    // Sidecars sort by their time stamp: the last is the latest repair.
    const latest = sidecars.get(row.location)?.sort().at(-1) ?? null;
    return {
      ...row,
      links: {
        recovered: recovered !== row.location && byLocation.has(recovered) ? recovered : null,
        recoveredFrom,
        exports: exports.get(row.location) ?? [],
        undoableRepair: latest && sidecarUndoable(latest) ? latest : null,
      },
    };
  });
}

/**
 * A run that never finished (crashed or incomplete) is running while a process holds its log open
 * for writing (a JSONL writer appending rows). One pass over the open files for the whole listing;
 * a live run offers no repair or recovery. Inspect runs are also told apart by the pid of their
 * buffer database (`recoveryState`).
 */
async function markLiveRuns(rows: RunRow[]): Promise<RunRow[]> {
  const open = (row: RunRow): boolean => row.status === 'started' || row.status === 'incomplete';
  const unfinished = rows.filter(open).map((row) => row.location);
  if (unfinished.length === 0) return rows;
  const found = await findWritersOf(unfinished);
  // Where the OS cannot say who writes, a log written in the last moments counts as live.
  const live = (row: RunRow): boolean =>
    (found?.writers.get(row.location)?.length ?? 0) > 0 ||
    (!found?.complete && Date.now() - Date.parse(row.modified) < LIVE_WITHOUT_WRITER_INFO_MS);
  return rows.map((row) =>
    open(row) && live(row) ? { ...row, status: 'running', recovery: null } : row,
  );
}

/**
 * Inspect statuses whose row depends on the log file alone. A crashed (`started`) run is not
 * sealed: its row also depends on its buffer, its writer's pid and a `-recovered.eval` beside it,
 * none of which change the log's identity; crashed runs are few and cheap to re-read.
 */
const SEALED_INSPECT = new Set(['success', 'error', 'cancelled']);

async function describeWithDigest(
  path: string,
  root: string,
  options: ListOptions,
): Promise<RunRow> {
  const digest = options.digest;
  if (!digest) return describeRun(path, root, options.codecs);
  const key = resolve(path);
  const identity = identityOf(await stat(path));
  const known = digest.lookup(key, identity);
  if (known) return { ...known, path: relative(root, path) || path, location: key };
  const jsonlKind = jsonlRunKind(path);
  if (jsonlKind) {
    // A JSONL log that only grew (same inode, larger) is folded from where the last scan stopped.
    const previous = digest.stored(key);
    const resume =
      previous &&
      previous.identity.inode === identity.inode &&
      previous.identity.size <= identity.size
        ? (previous.state as JsonlScanState | null)
        : null;
    const { row, state } = await describeJsonlRun(path, root, jsonlKind, resume ?? undefined);
    // A finished verifiers run (metadata.json written) with a healthy tail no longer changes.
    digest.store(key, identity, row, row.status === 'success' && row.recovery === null, state);
    return row;
  }
  const row = await describeRun(path, root, options.codecs);
  digest.store(
    key,
    identity,
    row,
    row.status !== null && SEALED_INSPECT.has(row.status) && row.problem === null,
  );
  return row;
}

/** The runs-table row of one log file. */
export async function describeRun(path: string, root: string, codecs?: Codecs): Promise<RunRow> {
  const jsonlKind = jsonlRunKind(path);
  if (jsonlKind) return (await describeJsonlRun(path, root, jsonlKind)).row;
  const stats = await stat(path);
  const base = {
    links: NO_LINKS,
    path: relative(root, path) || path,
    location: resolve(path),
    format: formatFromPath(path) ?? 'inspect-eval',
    size: stats.size,
    modified: stats.mtime.toISOString(),
  };
  try {
    const facts = await withLog(
      path,
      async (reader) => runFacts(await reader.readHeader(), await reader.readSummaries()),
      codecs,
    );
    if (facts.status !== 'started') return { ...base, ...facts, recovery: null, problem: null };
    const state = recoveryState(path, false);
    // Like Inspect, a run already recovered beside itself is not offered for recovery again.
    const recovered = existsSync(recoveredPath(path));
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
    const recovered = existsSync(recoveredPath(path));
    return unreadableRow(
      base,
      error,
      cut === null ? null : cut.state === 'running' ? 'running' : 'started',
      cut?.state === 'recoverable' && !recovered ? cut.source : null,
    );
  }
}
