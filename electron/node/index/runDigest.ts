import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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
// 9: rows kept as JSON arrays (ROW_FIELD_AT), not objects; the table clustered by path.
const SCHEMA_VERSION = 9;

/**
 * What the digest keeps of a run's row: all but where the log is (its path under the folder
 * listed, its location) and its links, which every listing gives it afresh.
 */
export type StoredRow = Omit<RunRow, 'path' | 'location' | 'links'>;

/**
 * Where each field of a stored row is in the JSON array the digest keeps of it. An array, not an
 * object: a warm listing rebuilds thousands of rows, and an array of values parses in half the
 * time of the object with its keys, and makes a shorter text to read (one column per field cost
 * more again: node:sqlite makes each value apart). A field added to RunRow fails to compile here
 * until it has its place.
 */
const ROW_FIELD_AT = {
  format: 0,
  size: 1,
  modified: 2,
  task: 3,
  model: 4,
  status: 5,
  recovery: 6,
  samples: 7, // and 8: completed, total
  created: 9,
  score: 10,
  scores: 11,
  errors: 12,
  cost: 13,
  tags: 14,
  tokens: 15,
  duration: 16,
  problem: 17,
  liveness: 18, // absent from the array when the row has none
} as const satisfies Record<keyof StoredRow, number>;

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
    // Rows as arrays of values in the order selected (DigestValues): no object built per row.
    this.selectRow = db.prepare(
      'SELECT path, size, mtime_ms, inode, etag, row, sealed, state FROM digests WHERE path = ?',
    );
    this.selectRow.setReturnArrays(true);
    // One seek and a scan of the table (clustered by path): cheaper than a seek per path when the
    // paths asked are a folder's, sorted, as a listing asks them. Only sealed digests answer.
    this.selectRange = db.prepare(
      'SELECT path, size, mtime_ms, inode, etag, row FROM digests WHERE path >= ? AND path <= ? AND sealed = 1',
    );
    this.selectRange.setReturnArrays(true);
    this.upsertRow = db.prepare(
      'INSERT OR REPLACE INTO digests (path, size, mtime_ms, inode, etag, row, sealed, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
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
          CREATE TABLE digests (path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, inode INTEGER, etag TEXT, row TEXT, sealed INTEGER, state TEXT) WITHOUT ROWID;
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
    if (!this.db.isOpen) return fresh;
    for (let start = 0; start < files.length; start += LOOKUP_BATCH) {
      const batch = files.slice(start, start + LOOKUP_BATCH);
      let low = batch[0]!.path;
      let high = low;
      for (const { path } of batch) {
        if (path < low) low = path;
        if (path > high) high = path;
      }
      const found = new Map<string, DigestValues>();
      for (const values of this.selectRange.all(low, high) as unknown as DigestValues[])
        found.set(values[0], values);
      for (const { path, identity } of batch) {
        const values = found.get(path);
        if (!values || !sameIdentity(values, identity)) continue;
        const row = rowFrom(values[5]);
        if (row !== undefined) fresh.set(path, row);
      }
    }
    this.hits += fresh.size;
    this.misses += files.length - fresh.size;
    return fresh;
  }

  /** Whatever is stored for a path, sealed or not (a growing log resumes from its state). */
  stored(path: string): StoredDigest | null {
    if (!this.db.isOpen) return null;
    const values = this.selectRow.get(path) as unknown as DigestValues | undefined;
    return values ? storedDigest(values) : null;
  }

  /** Record what a listing read, in one transaction (one commit, not one per run). */
  storeAll(records: ReadonlyArray<DigestRecord>): void {
    if (records.length === 0 || !this.db.isOpen) return;
    this.db.exec('BEGIN');
    try {
      for (const { path, identity, row, sealed, state = null } of records) {
        this.upsertRow.run(
          path,
          identity.size,
          identity.mtimeMs,
          identity.inode,
          identity.etag ?? null,
          JSON.stringify(row && rowValues(row)),
          sealed ? 1 : 0,
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
    if (!this.db.isOpen) return;
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

  /**
   * Close the file. A listing still going (a server stopping) goes on without the digest: it
   * finds nothing stored and stores nothing.
   */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** A digest as selected: path, size, mtime, inode, ETag, the row's JSON; sealed and state. */
type DigestValues = [
  path: string,
  size: number,
  mtimeMs: number,
  inode: number,
  etag: string | null,
  row: string,
  sealed?: number,
  state?: string | null,
];

/** A row's values at their places (ROW_FIELD_AT). */
function rowValues(row: StoredRow): unknown[] {
  const values: unknown[] = [
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
    row.scores,
    row.errors,
    row.cost,
    row.tags,
    row.tokens,
    row.duration,
    row.problem,
  ];
  if (row.liveness !== undefined) values.push(row.liveness);
  return values;
}

/**
 * The row kept as this JSON text (the inverse of rowValues): null for a file that is not a run,
 * undefined when the text no longer makes a row (then the log is read again).
 */
function rowFrom(text: string): StoredRow | null | undefined {
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (values === null) return null;
  if (!Array.isArray(values) || values.length <= ROW_FIELD_AT.problem) return undefined;
  const at = ROW_FIELD_AT;
  const row: StoredRow = {
    format: values[at.format] as RunFormat,
    size: values[at.size] as number,
    modified: values[at.modified] as string,
    task: values[at.task] as string | null,
    model: values[at.model] as string | null,
    status: values[at.status] as RunStatus | null,
    recovery: values[at.recovery] as RecoverySource | null,
    samples: {
      completed: values[at.samples] as number,
      total: values[at.samples + 1] as number | null,
    },
    created: values[at.created] as string | null,
    score: values[at.score] as number | null,
    scores: values[at.scores] as RunScore[],
    errors: values[at.errors] as number,
    cost: values[at.cost] as number | null,
    tags: values[at.tags] as string[],
    tokens: values[at.tokens] as number | null,
    duration: values[at.duration] as number | null,
    problem: values[at.problem] as RunProblem | null,
  };
  const liveness = values[at.liveness] as Liveness | undefined;
  return liveness === undefined ? row : { ...row, liveness };
}

/** Whether the identity stored (the values after the path) is this one. */
function sameIdentity(values: DigestValues, identity: FileIdentity): boolean {
  return (
    values[1] === identity.size &&
    values[2] === identity.mtimeMs &&
    values[3] === identity.inode &&
    values[4] === (identity.etag ?? null)
  );
}

/** Whatever is stored for a path, read back; one whose row or state no longer parses is absent. */
function storedDigest(values: DigestValues): StoredDigest | null {
  const row = rowFrom(values[5]);
  if (row === undefined) return null;
  const [, size, mtimeMs, inode, etag, , sealed, state] = values;
  try {
    return {
      identity: { size, mtimeMs, inode, ...(etag === null ? {} : { etag }) },
      sealed: sealed === 1,
      row,
      state: typeof state === 'string' ? (JSON.parse(state) as unknown) : null,
    };
  } catch {
    return null;
  }
}
