import { resolve, sep } from 'node:path';
import { statSync } from 'node:fs';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { NO_LINKS, type RunRow } from '../../../shared/model/run.ts';
import { outputKind, recoveredName } from '../../../shared/model/outputNames.ts';
import { walkRunFolders, type RunFiles } from './findLogFiles.ts';
import { sidecarUndoable } from '../repair/repairJsonl.ts';
import { jsonlRunKind, type JsonlScanState } from './jsonlRuns.ts';
import { formatFromPath } from './openLog.ts';
import { readRunFiles, type ReadResult, type ReadTask } from './readRuns.ts';
import {
  identityOf,
  type DigestRecord,
  type FileIdentity,
  type RunDigest,
} from '../index/runDigest.ts';
import type { ReaderPool } from './readerPool.ts';
import { findWritersOf } from '../io/openWriters.ts';
import { isS3Url } from '../s3/s3Url.ts';

/** Files stat'ed and looked up in the digest at once; their rows go out together. */
const STAT_BATCH = 500;
/** Below this many logs to read, this thread reads them: starting workers would cost more. */
const POOL_MIN_READS = 32;
/**
 * Logs per message to a pool worker: small at first, so that the first rows come soon, then
 * growing with the logs sent, up to a size that still keeps every worker busy to the end. Each
 * message is also a digest write and a batch of rows out: at 16 a message, 10,000 cold logs cost
 * the listing thread 0.75–0.8 s of CPU, at 256 0.45–0.5 s.
 */
const POOL_CHUNK_FIRST = 16;
const POOL_CHUNK_MOST = 256;

function poolChunkSize(sent: number): number {
  return Math.min(POOL_CHUNK_MOST, Math.max(POOL_CHUNK_FIRST, sent >> 3));
}
/** Without open-file information (not Linux), how recent a write makes an unfinished run live. */
const LIVE_WITHOUT_WRITER_INFO_MS = 5_000;

export interface ListOptions {
  readonly codecs?: Codecs;
  /** Reuse sealed digests of unchanged runs (one stat and an indexed lookup each); record new ones. */
  readonly digest?: RunDigest;
  /** Worker threads for the logs the digest cannot answer (without: this thread reads them). */
  readonly pool?: ReaderPool;
  /** Stops a listing between batches (a stream the renderer no longer wants). */
  readonly signal?: AbortSignal;
}

/**
 * One row per log under `root` (a folder, or an `s3://bucket/prefix`), sorted by path; unreadable
 * logs are listed with their problem.
 */
export async function listRuns(root: string, options: ListOptions = {}): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  await streamRuns(root, options, (batch) => rows.push(...batch));
  return rows.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}

/** A row's links to what Salvage wrote beside it, from its folder's files (see runLinker). */
type Linker = (row: RunRow) => RunRow;

/** A log found by the walk, with the linker of its folder. */
interface FoundLog {
  readonly path: string;
  readonly link: Linker;
}

/**
 * The rows of every log under `folder`, handed to `onRows` in batches as they are ready, while the
 * folder is still being walked: runs the digest answers first (a stat and an indexed lookup
 * each), then the logs read (by the pool's workers when there are many), and last the unfinished
 * runs, after one check of who writes them. Each row is linked to the outputs beside it from its
 * own folder's files (Salvage writes outputs beside their source), known once that folder is read.
 * Unreadable logs are listed with their problem, never dropped.
 */
export async function streamRuns(
  folder: string,
  options: ListOptions,
  /** Rows ready, and how many log files the walk has found so far (the rows to expect, at most). */
  onRows: (rows: RunRow[], found: number) => void,
): Promise<void> {
  if (isS3Url(folder)) {
    // Loaded for a bucket only: the S3 modules bring the AWS SDK (see openLogSource).
    const { streamS3Runs } = await import('../s3/s3Runs.ts');
    return streamS3Runs(folder, options, onRows);
  }
  const { digest, signal } = options;
  // Absolute from here on: every path found under it is then absolute and normalized already.
  const root = resolve(folder);
  const under = root.endsWith(sep) ? root : `${root}${sep}`;
  /** Every log found so far: the rows to expect, and at the end which digests are of files gone. */
  const found: string[] = [];
  const unfinished: Array<{ row: RunRow; link: Linker }> = [];
  const emit = (rows: ReadonlyArray<{ row: RunRow; link: Linker }>): void => {
    const ready: RunRow[] = [];
    for (const { row, link } of rows) {
      if (isUnfinished(row)) unfinished.push({ row, link });
      else ready.push(link(row));
    }
    if (ready.length > 0 && !signal?.aborted) onRows(ready, found.length);
  };
  /** Logs found in the digest or stored there by this listing (see forgetMissing). */
  let recorded = 0;
  const reads = new LogReads(root, options, (read) => {
    const records = read.flatMap(({ record }) => (record ? [record] : []));
    digest?.storeAll(records);
    recorded += records.length;
    emit(read.flatMap(({ row, link }) => (row ? [{ row, link }] : [])));
  });
  for await (const folders of walkRunFolders(root, { sniffJson: !digest })) {
    if (signal?.aborted) break;
    const logs = folders.flatMap((files): FoundLog[] => {
      const link = runLinker(files);
      return files.logs.map((path) => ({ path, link }));
    });
    for (const { path } of logs) found.push(path);
    for (let start = 0; start < logs.length && !signal?.aborted; start += STAT_BATCH) {
      // Let the pool's answers and the renderer's calls in between two batches.
      if (start > 0) await new Promise((next) => setImmediate(next));
      const batch = logs.slice(start, start + STAT_BATCH);
      if (!digest) {
        reads.add(batch.map((log) => ({ ...log, identity: null, sniff: false, resume: null })));
        continue;
      }
      const known = identities(batch);
      const fresh = digest.lookupAll(known);
      const hits: Array<{ row: RunRow; link: Linker }> = [];
      const misses: PendingRead[] = [];
      for (const log of known) {
        const row = fresh.get(log.path);
        if (row !== undefined) recorded += 1;
        if (row) {
          // A row parsed just now, this listing's own: placed where it is found, not copied.
          const placed = {
            path: log.path.slice(under.length),
            location: log.path,
            links: NO_LINKS,
          };
          hits.push({ row: Object.assign(row, placed), link: log.link });
        } else if (row === undefined) misses.push(missOf(log, digest));
      }
      emit(hits);
      reads.add(misses);
    }
  }
  await reads.finish();
  signal?.throwIfAborted();
  digest?.forgetMissing(root, found, recorded);
  if (unfinished.length === 0) return;
  const marked = await markLiveRuns(unfinished.map(({ row }) => row));
  onRows(
    marked.map((row, index) => unfinished[index]!.link(row)),
    found.length,
  );
}

/** A log the digest could not answer, with what its record needs. */
interface PendingRead extends Omit<ReadTask, 'root'>, FoundLog {
  /** Its identity when stat'ed for the digest (null: no digest, or the stat failed). */
  readonly identity: FileIdentity | null;
}

/**
 * The logs' identities; logs gone since the walk are left out. Stat'ed in this thread, not on
 * the thread pool: a warm listing is little else, and a synchronous stat costs a fraction of a
 * promise's round trip (a batch of them blocks for a millisecond or two on a local disk).
 */
function identities(logs: ReadonlyArray<FoundLog>): Array<FoundLog & { identity: FileIdentity }> {
  const known: Array<FoundLog & { identity: FileIdentity }> = [];
  for (const log of logs) {
    const stats = statSync(log.path, { throwIfNoEntry: false });
    if (stats) known.push({ ...log, identity: identityOf(stats) });
  }
  return known;
}

/** A miss: a JSONL log that only grew (same inode, larger) is folded from where its last scan stopped. */
function missOf(log: FoundLog & { identity: FileIdentity }, digest: RunDigest): PendingRead {
  const { path, identity } = log;
  const sniff = formatFromPath(path) === 'inspect-json';
  if (!jsonlRunKind(path)) return { ...log, sniff, resume: null };
  const previous = digest.stored(path);
  const grew =
    previous !== null &&
    previous.identity.inode === identity.inode &&
    previous.identity.size <= identity.size;
  return { ...log, sniff, resume: grew ? (previous.state as JsonlScanState | null) : null };
}

/** A log read: its row (null: not a run, or gone), its digest record, and its folder's linker. */
interface LogRead {
  readonly row: RunRow | null;
  readonly record: DigestRecord | null;
  readonly link: Linker;
}

/**
 * The logs a listing reads: with a pool, through its workers once there are many (decided when
 * enough are waiting, or at the end, so that a warm listing with a crashed run or two never
 * starts a worker); without one, here, a chunk at a time as they are found.
 */
class LogReads {
  private waiting: PendingRead[] = [];
  private usePool: boolean | null = null;
  /** Logs sent to the pool so far. */
  private sent = 0;
  /** The reads done in this thread, one chunk after the other (a few files open at once). */
  private inThread: Promise<unknown> = Promise.resolve();
  private readonly reading: Array<Promise<void>> = [];
  private readonly root: string;
  private readonly options: ListOptions;
  private readonly onRead: (read: LogRead[]) => void;

  constructor(root: string, options: ListOptions, onRead: (read: LogRead[]) => void) {
    this.root = root;
    this.options = options;
    this.onRead = onRead;
  }

  add(reads: ReadonlyArray<PendingRead>): void {
    this.waiting.push(...reads);
    if (this.usePool === null && !this.options.pool) this.usePool = false;
    if (this.usePool === null && this.waiting.length >= POOL_MIN_READS) this.usePool = true;
    if (this.usePool !== null) this.send();
  }

  /** Read what is still waiting; resolves when every read is done. */
  async finish(): Promise<void> {
    this.usePool ??= false;
    this.send();
    await Promise.all(this.reading);
  }

  private send(): void {
    const { pool, signal, codecs } = this.options;
    while (this.waiting.length > 0) {
      const chunk = this.waiting.splice(
        0,
        this.usePool ? poolChunkSize(this.sent) : this.waiting.length,
      );
      if (this.usePool) this.sent += chunk.length;
      const tasks = chunk.map(({ path, sniff, resume }) => ({
        path,
        root: this.root,
        sniff,
        resume,
      }));
      let results: Promise<ReadonlyArray<ReadResult>>;
      if (this.usePool && pool) results = pool.read(tasks, signal);
      else {
        results = this.inThread.then(() => readRunFiles(tasks, codecs, signal));
        // The next chunk waits for this one, failed or not (a failure is reported through `reading`).
        this.inThread = results.catch(() => undefined);
      }
      const done = results.then((read) =>
        this.onRead(
          read.map((result, index) => ({
            row: result.row,
            record: recordOf(chunk[index]!, result),
            link: chunk[index]!.link,
          })),
        ),
      );
      // Seen now, reported by finish(): a read that fails while the walk goes on is no unhandled rejection.
      done.catch(() => undefined);
      this.reading.push(done);
    }
  }
}

/** What the digest keeps of a log read: sealed when its row can no longer change while the file does not. */
function recordOf(read: PendingRead, { row, state, gone }: ReadResult): DigestRecord | null {
  if (!read.identity || gone) return null;
  const path = resolve(read.path);
  if (!row) return { path, identity: read.identity, row, sealed: true };
  // A finished verifiers run (metadata.json written) with a healthy tail no longer changes.
  if (jsonlRunKind(read.path))
    return {
      path,
      identity: read.identity,
      row,
      sealed: row.status === 'success' && row.recovery === null,
      state,
    };
  const sealed = row.status !== null && SEALED_INSPECT.has(row.status) && row.problem === null;
  return { path, identity: read.identity, row, sealed };
}

/**
 * Each run with what Salvage wrote beside it: its recovered log (a crashed run says where it was
 * recovered to, the recovered log where it came from), its exports, and the sidecar of a repair
 * that can still be undone. Found by name (outputNames.ts) on every listing, not stored in the
 * digest: outputs come and go without the log changing. Known from the files beside the run
 * (its folder's, or a bucket listing's), before any log is read, so that each row is linked as it
 * comes.
 */
export function runLinker(files: RunFiles): Linker {
  // Paths found under a resolved root, and names made from them: absolute and normalized already.
  const logs = new Set(files.logs);
  const exports = new Map<string, string[]>();
  const sidecars = new Map<string, string[]>();
  const sourceOf = (sources: ReadonlyArray<string>): string | undefined =>
    sources.find((source) => logs.has(source));
  for (const output of files.outputs) {
    const kind = outputKind(output);
    if (!kind || kind.kind === 'sample-markdown' || kind.kind === 'recovered') continue;
    if (kind.kind === 'sidecar' && kind.undone) continue;
    const source = sourceOf(kind.sources);
    if (!source) continue;
    const into = kind.kind === 'export' ? exports : sidecars;
    into.set(source, [...(into.get(source) ?? []), output]);
  }
  return (row) => {
    const recoveredKind = outputKind(row.location);
    const recoveredFrom =
      recoveredKind?.kind === 'recovered' ? (sourceOf(recoveredKind.sources) ?? null) : null;
    const recovered = recoveredName(row.location);
    // Sidecars sort by their time stamp: the last is the latest repair.
    const latest = sidecars.get(row.location)?.sort().at(-1) ?? null;
    return {
      ...row,
      links: {
        recovered: recovered !== row.location && logs.has(recovered) ? recovered : null,
        recoveredFrom,
        exports: exports.get(row.location) ?? [],
        undoableRepair: latest && sidecarUndoable(latest) ? latest : null,
      },
    };
  };
}

/** A run that never finished (crashed or incomplete): its row also depends on who writes it. */
function isUnfinished(row: RunRow): boolean {
  return row.status === 'started' || row.status === 'incomplete';
}

/**
 * An unfinished run is running while a process holds its log open for writing (a JSONL writer
 * appending rows). One pass over the open files for the whole listing; a live run offers no
 * repair or recovery. Inspect runs are also told apart by the pid of their buffer database
 * (`recoveryState`).
 */
async function markLiveRuns(unfinished: RunRow[]): Promise<RunRow[]> {
  const found = await findWritersOf(unfinished.map((row) => row.location));
  // Where the OS cannot say who writes, a log written in the last moments counts as live.
  const live = (row: RunRow): boolean =>
    (found?.writers.get(row.location)?.length ?? 0) > 0 ||
    (!found?.complete && Date.now() - Date.parse(row.modified) < LIVE_WITHOUT_WRITER_INFO_MS);
  return unfinished.map((row) => (live(row) ? { ...row, status: 'running', recovery: null } : row));
}

/**
 * Inspect statuses whose row depends on the log file alone. A crashed (`started`) run is not
 * sealed: its row also depends on its buffer, its writer's pid and a `-recovered.eval` beside it,
 * none of which change the log's identity; crashed runs are few and cheap to re-read.
 */
const SEALED_INSPECT = new Set(['success', 'error', 'cancelled']);
