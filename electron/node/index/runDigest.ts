import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Stats } from 'node:fs';
import type { RunRow } from '../../../shared/model/run.ts';
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
const SCHEMA_VERSION = 8;

/**
 * What the digest keeps of a run's row: all but where the log is (its path under the folder
 * listed, its location) and its links, which every listing gives it afresh. A quarter less to
 * parse on each warm hit.
 */
export type StoredRow = Omit<RunRow, 'path' | 'location' | 'links'>;

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

interface DigestColumns {
  path: string;
  size: number;
  mtime_ms: number;
  inode: number;
  etag: string | null;
  sealed: number;
  row: string;
  state: string | null;
}

/** A range lookup's columns: a sealed digest's state is never needed. */
type RangeColumns = Omit<DigestColumns, 'state'>;

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
    this.selectRow = db.prepare(
      'SELECT path, size, mtime_ms, inode, etag, sealed, row, state FROM digests WHERE path = ?',
    );
    // One seek and a scan of the primary key: cheaper than a seek per path when the paths asked
    // are a folder's, sorted, as a listing asks them.
    this.selectRange = db.prepare(
      'SELECT path, size, mtime_ms, inode, etag, sealed, row FROM digests WHERE path >= ? AND path <= ?',
    );
    this.upsertRow = db.prepare('INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
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
          CREATE TABLE digests (path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, inode INTEGER, etag TEXT, sealed INTEGER, row TEXT, state TEXT);
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
      const found = new Map<string, RangeColumns>();
      for (const columns of this.selectRange.all(low, high) as unknown as RangeColumns[])
        found.set(columns.path, columns);
      for (const { path, identity } of batch) {
        const columns = found.get(path);
        if (columns?.sealed !== 1 || !sameIdentity(identityIn(columns), identity)) continue;
        try {
          fresh.set(path, JSON.parse(columns.row) as StoredRow | null);
        } catch {
          // A stored row that no longer parses is as good as absent: the log is read again.
        }
      }
    }
    this.hits += fresh.size;
    this.misses += files.length - fresh.size;
    return fresh;
  }

  /** Whatever is stored for a path, sealed or not (a growing log resumes from its state). */
  stored(path: string): StoredDigest | null {
    const columns = this.selectRow.get(path) as DigestColumns | undefined;
    return columns ? parsed(columns) : null;
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
          JSON.stringify(row && storedRow(row)),
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

function storedRow(row: RunRow): StoredRow {
  const { path: _path, location: _location, links: _links, ...stored } = row;
  return stored;
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return (
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.inode === b.inode &&
    (a.etag ?? null) === (b.etag ?? null)
  );
}

function identityIn(columns: RangeColumns): FileIdentity {
  return {
    size: columns.size,
    mtimeMs: columns.mtime_ms,
    inode: columns.inode,
    ...(columns.etag === null ? {} : { etag: columns.etag }),
  };
}

/** A stored row read back; one that no longer parses is as good as absent. */
function parsed(columns: DigestColumns): StoredDigest | null {
  try {
    return {
      identity: identityIn(columns),
      sealed: columns.sealed === 1,
      row: JSON.parse(columns.row) as StoredRow | null,
      state: typeof columns.state === 'string' ? (JSON.parse(columns.state) as unknown) : null,
    };
  } catch {
    return null;
  }
}
