import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import {
  DatabaseSync,
  type SQLInputValue,
  type SQLOutputValue,
  type StatementSync,
} from 'node:sqlite';
import type { Stats } from 'node:fs';
import type {
  Liveness,
  RecoverySource,
  RunFormat,
  RunProblem,
  RunRow,
  RunScore,
  RunStatus,
} from '../../../shared/model/run.ts';
import { isS3Url } from '../s3/s3Url.ts';

/** Salvage's own data directory (the digest index lives there); SALVAGE_DATA_DIR overrides it. */
export function salvageDataDir(): string {
  if (process.env.SALVAGE_DATA_DIR) return process.env.SALVAGE_DATA_DIR;
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library/Application Support/salvage');
    case 'win32':
      return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData/Local'), 'salvage');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'salvage');
  }
}

/**
 * The identity of a file version: a digest is valid only while all of it matches. A local file
 * is known by size, mtime and inode; an S3 object by its ETag and size.
 */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly inode: number;
  readonly etag?: string;
}

export function identityOf(stats: Stats): FileIdentity {
  return { size: stats.size, mtimeMs: stats.mtimeMs, inode: stats.ino };
}

/** The identity of an S3 object version: its ETag and size. */
export function objectIdentity(object: { size: number; etag: string }): FileIdentity {
  return { size: object.size, mtimeMs: 0, inode: 0, etag: object.etag };
}

// 6: a sealed digest may say a file is not a run (another tool's JSON), so it is not sniffed again.
// 7: S3 objects keyed by ETag (the etag column).
// 8: rows kept without their place and links (StoredRow).
// 9: rows kept as columns (ROW_COLUMNS), not one JSON text each; the table clustered by path.
const SCHEMA_VERSION = 9;

/**
 * What the digest keeps of a run's row: all but where the log is (its path under the folder
 * listed, its location) and its links, which every listing gives it afresh.
 */
export type StoredRow = Omit<RunRow, 'path' | 'location' | 'links'>;

/**
 * The column of each field of a stored row. A row is kept as columns, not as one JSON text: a
 * warm listing rebuilds thousands of rows, and parsing each whole cost it a third of its time
 * (lists and the rare objects are JSON texts of their own, `[]` and NULL mostly). A field added
 * to RunRow fails to compile here until it has its column.
 */
const ROW_COLUMNS = {
  format: 'format',
  size: 'row_size',
  modified: 'modified',
  task: 'task',
  model: 'model',
  status: 'status',
  recovery: 'recovery',
  samples: 'completed, total',
  created: 'created',
  score: 'score',
  scores: 'scores',
  errors: 'errors',
  cost: 'cost',
  tags: 'tags',
  tokens: 'tokens',
  duration: 'duration',
  problem: 'problem',
  liveness: 'liveness',
} as const satisfies Record<keyof StoredRow, string>;

/** The row's columns in table order (a file that is not a run has NULL in each). */
const ROW_COLUMN_LIST = Object.values(ROW_COLUMNS).join(', ');
/** The columns before the row's: the path and the file's identity. */
const KEY_COLUMNS = 'path, size, mtime_ms, inode, etag, sealed';

/** A stored digest: the row, whether it is sealed, and the scan state of a growing JSONL log. */
export interface StoredDigest {
  readonly identity: FileIdentity;
  readonly sealed: boolean;
  /** The run's row, or null for a file that is not a run log. */
  readonly row: StoredRow | null;
  /** JSONL logs: where the last complete line ended, and what was gathered up to there. */
  readonly state: unknown;
}

/** What a listing learnt of one file version, to be stored. */
export interface DigestRecord {
  readonly path: string;
  readonly identity: FileIdentity;
  /** The run's row, or null when the file is not a run log. */
  readonly row: RunRow | null;
  /** Answered from the index while the file is unchanged (see RunDigest). */
  readonly sealed: boolean;
  readonly state?: unknown;
}

/** Paths asked of the index in one statement at most (one indexed lookup each). */
const LOOKUP_BATCH = 1_000;

/**
 * Per-run digests (the runs-table row) keyed by path and file identity, so that listing thousands
 * of runs costs one stat and one indexed lookup per unchanged run instead of a read.
 *
 * A digest is sealed when its run is in a terminal state that its own file decides (finished,
 * failed, cancelled), or when the file is not a run at all; running and crashed runs are re-read
 * each time. A changed file (size, mtime or inode) or a deleted one invalidates its digest. An
 * index that cannot be opened or has another schema is moved aside and rebuilt, never trusted.
 */
export class RunDigest {
  private readonly db: DatabaseSync;
  readonly path: string;
  /** Counters for the last listing: how many files were answered by the index and how many read. */
  hits = 0;
  misses = 0;

  private readonly selectRow: StatementSync;
  private readonly selectRange: StatementSync;
  private readonly upsertRow: StatementSync;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
    // Rows as arrays of values, in the order selected: no object built per row.
    this.selectRow = db.prepare(
      `SELECT ${KEY_COLUMNS}, ${ROW_COLUMN_LIST}, state FROM digests WHERE path = ?`,
    );
    this.selectRow.setReturnArrays(true);
    // One seek and a scan of the table (clustered by path): cheaper than a seek per path when the
    // paths asked are a folder's, sorted, as a listing asks them. Only sealed digests answer.
    this.selectRange = db.prepare(
      `SELECT ${KEY_COLUMNS}, ${ROW_COLUMN_LIST} FROM digests WHERE path >= ? AND path <= ? AND sealed = 1`,
    );
    this.selectRange.setReturnArrays(true);
    const columns = `${KEY_COLUMNS}, ${ROW_COLUMN_LIST}, state`.split(', ');
    this.upsertRow = db.prepare(
      `INSERT OR REPLACE INTO digests (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
  }

  static open(path = join(salvageDataDir(), 'run-digest.sqlite')): RunDigest {
    mkdirSync(dirname(path), { recursive: true });
    try {
      return new RunDigest(path, RunDigest.connect(path));
    } catch {
      // Corrupt or foreign: keep it for inspection, start a new one.
      if (existsSync(path)) renameSync(path, `${path}.corrupt-${Date.now()}`);
      return new RunDigest(path, RunDigest.connect(path));
    }
  }

  private static connect(path: string): DatabaseSync {
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA journal_mode=WAL');
      // A cache: a crash may lose the last digests (they are re-read), never corrupt the index,
      // and a listing of thousands of runs does not wait for an fsync per run.
      db.exec('PRAGMA synchronous=NORMAL');
      // The app and a `salvage ls` in a terminal may write at the same moment.
      db.exec('PRAGMA busy_timeout=2000');
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number })
        .user_version;
      if (version !== SCHEMA_VERSION) {
        db.exec(`DROP TABLE IF EXISTS digests;
          CREATE TABLE digests (path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, inode INTEGER, etag TEXT, sealed INTEGER, ${ROW_COLUMN_LIST}, state TEXT) WITHOUT ROWID;
          PRAGMA user_version = ${SCHEMA_VERSION};`);
      }
      db.prepare('SELECT count(*) FROM digests').get();
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * The sealed digests of these file versions, by path: a run's row, or null for a file that is
   * not a run. A path absent from the answer must be read. One range query per thousand paths
   * (sorted paths make it tight; a path outside its range by some other ordering is only a miss).
   */
  lookupAll(
    files: ReadonlyArray<{ readonly path: string; readonly identity: FileIdentity }>,
  ): Map<string, StoredRow | null> {
    const fresh = new Map<string, StoredRow | null>();
    for (let start = 0; start < files.length; start += LOOKUP_BATCH) {
      const batch = files.slice(start, start + LOOKUP_BATCH);
      let low = batch[0]!.path;
      let high = low;
      for (const { path } of batch) {
        if (path < low) low = path;
        if (path > high) high = path;
      }
      const found = new Map<string, SQLOutputValue[]>();
      for (const values of this.selectRange.all(low, high) as unknown as SQLOutputValue[][])
        found.set(values[0] as string, values);
      for (const { path, identity } of batch) {
        const values = found.get(path);
        if (!values || !sameIdentity(values, identity)) continue;
        const row = rowFrom(values);
        if (row !== undefined) fresh.set(path, row);
      }
    }
    this.hits += fresh.size;
    this.misses += files.length - fresh.size;
    return fresh;
  }

  /** Whatever is stored for a path, sealed or not (a growing log resumes from its state). */
  stored(path: string): StoredDigest | null {
    const values = this.selectRow.get(path) as unknown as SQLOutputValue[] | undefined;
    return values ? storedDigest(values) : null;
  }

  /** Record what a listing read, in one transaction (one commit, not one per run). */
  storeAll(records: ReadonlyArray<DigestRecord>): void {
    if (records.length === 0) return;
    this.db.exec('BEGIN');
    try {
      for (const { path, identity, row, sealed, state = null } of records) {
        this.upsertRow.run(
          path,
          identity.size,
          identity.mtimeMs,
          identity.inode,
          identity.etag ?? null,
          sealed ? 1 : 0,
          ...rowValues(row),
          state === null ? null : JSON.stringify(state),
        );
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Drop digests of files under the folder `root` (a path or an `s3://` URL) that no longer exist.
   * `recorded`: how many of the `present` files the listing found in the digest or stored there;
   * when the digest holds no more under `root`, none is of a file gone, and one count says so
   * (reading every path back cost a warm listing a tenth of its time).
   */
  forgetMissing(root: string, present: ReadonlyArray<string>, recorded: number): void {
    const separator = isS3Url(root) ? '/' : sep;
    const prefix = root.endsWith(separator) ? root : `${root}${separator}`;
    const range = [prefix, `${prefix}\uffff`];
    const { stored } = this.db
      .prepare('SELECT count(*) AS stored FROM digests WHERE path >= ? AND path < ?')
      .get(...range) as { stored: number };
    if (stored <= recorded) return;
    const rows = this.db
      .prepare('SELECT path FROM digests WHERE path >= ? AND path < ?')
      .all(...range) as Array<{ path: string }>;
    const found = new Set(present);
    const remove = this.db.prepare('DELETE FROM digests WHERE path = ?');
    const gone = rows.filter(({ path }) => !found.has(path));
    if (gone.length === 0) return;
    this.db.exec('BEGIN');
    for (const { path } of gone) remove.run(path);
    this.db.exec('COMMIT');
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** Where a row's values start in a selected array: after the path and the identity. */
const ROW_AT = KEY_COLUMNS.split(', ').length;
/** How many values a row takes (samples takes two). */
const ROW_WIDTH = ROW_COLUMN_LIST.split(', ').length;

/** A row's values in ROW_COLUMNS order (all NULL for a file that is not a run). */
function rowValues(row: RunRow | null): SQLInputValue[] {
  if (row === null) return new Array<SQLInputValue>(ROW_WIDTH).fill(null);
  return [
    row.format,
    row.size,
    row.modified,
    row.task,
    row.model,
    row.status,
    row.recovery,
    row.samples.completed,
    row.samples.total,
    row.created,
    row.score,
    JSON.stringify(row.scores),
    row.errors,
    row.cost,
    JSON.stringify(row.tags),
    row.tokens,
    row.duration,
    row.problem === null ? null : JSON.stringify(row.problem),
    row.liveness === undefined ? null : JSON.stringify(row.liveness),
  ];
}

/**
 * The row whose values start at ROW_AT (the inverse of rowValues): null for a file that is not a
 * run, undefined when the values no longer make a row (then the log is read again).
 */
function rowFrom(values: ReadonlyArray<SQLOutputValue>): StoredRow | null | undefined {
  const at = ROW_AT;
  if (values[at] === null) return null;
  try {
    const row: StoredRow = {
      format: values[at] as RunFormat,
      size: values[at + 1] as number,
      modified: values[at + 2] as string,
      task: values[at + 3] as string | null,
      model: values[at + 4] as string | null,
      status: values[at + 5] as RunStatus | null,
      recovery: values[at + 6] as RecoverySource | null,
      samples: { completed: values[at + 7] as number, total: values[at + 8] as number | null },
      created: values[at + 9] as string | null,
      score: values[at + 10] as number | null,
      scores: JSON.parse(values[at + 11] as string) as RunScore[],
      errors: values[at + 12] as number,
      cost: values[at + 13] as number | null,
      // Most runs have none: no parse for those.
      tags: values[at + 14] === '[]' ? [] : (JSON.parse(values[at + 14] as string) as string[]),
      tokens: values[at + 15] as number | null,
      duration: values[at + 16] as number | null,
      problem:
        values[at + 17] === null ? null : (JSON.parse(values[at + 17] as string) as RunProblem),
    };
    const liveness = values[at + 18];
    return liveness === null
      ? row
      : { ...row, liveness: JSON.parse(liveness as string) as Liveness };
  } catch {
    return undefined;
  }
}

/** Whether the identity stored (the values after the path) is this one. */
function sameIdentity(values: ReadonlyArray<SQLOutputValue>, identity: FileIdentity): boolean {
  return (
    values[1] === identity.size &&
    values[2] === identity.mtimeMs &&
    values[3] === identity.inode &&
    values[4] === (identity.etag ?? null)
  );
}

/** Whatever is stored for a path, read back; one whose row no longer makes sense is absent. */
function storedDigest(values: ReadonlyArray<SQLOutputValue>): StoredDigest | null {
  const row = rowFrom(values);
  if (row === undefined) return null;
  const etag = values[4] as string | null;
  const state = values[ROW_AT + ROW_WIDTH];
  try {
    return {
      identity: {
        size: values[1] as number,
        mtimeMs: values[2] as number,
        inode: values[3] as number,
        ...(etag === null ? {} : { etag }),
      },
      sealed: values[5] === 1,
      row,
      state: typeof state === 'string' ? (JSON.parse(state) as unknown) : null,
    };
  } catch {
    return null;
  }
}
