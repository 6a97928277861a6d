import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Stats } from 'node:fs';
import type { RunRow } from '../../../shared/model/run.ts';

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
 * The identity of a file version: a digest is valid only while all of it matches. An object in
 * S3 has no inode and its date says little (a copy keeps the content, a rewrite may keep the
 * second): its version is its ETag and size.
 */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly inode: number;
  /** An S3 object's ETag (absent for local files). */
  readonly etag?: string;
}

export function identityOf(stats: Stats): FileIdentity {
  return { size: stats.size, mtimeMs: stats.mtimeMs, inode: stats.ino };
}

/** The identity of an S3 object version: its ETag and size. */
export function objectIdentity(object: { size: number; etag: string }): FileIdentity {
  return { size: object.size, mtimeMs: 0, inode: 0, etag: object.etag };
}

// 4: verifiers and Codex rows read by the facts of shared/formats/runs (status from rollouts, not metadata.json).
// 6: S3 objects keyed by ETag (the etag column).
const SCHEMA_VERSION = 6;

/** A stored digest: the row, whether it is sealed, and the scan state of a growing JSONL log. */
export interface StoredDigest {
  readonly identity: FileIdentity;
  readonly sealed: boolean;
  readonly row: RunRow;
  /** JSONL logs: where the last complete line ended, and what was gathered up to there. */
  readonly state: unknown;
}

/**
 * Per-run digests (the runs-table row) keyed by path and file identity, so that listing thousands
 * of runs costs one stat per unchanged run instead of a read.
 *
 * A digest is sealed when its run is in a terminal state that its own file decides (finished,
 * failed, cancelled); running and crashed runs are re-read each time. A changed file (size, mtime or inode) or a
 * deleted one invalidates its digest. An index that cannot be opened or has another schema is moved
 * aside and rebuilt, never trusted.
 */
export class RunDigest {
  private readonly db: DatabaseSync;
  readonly path: string;
  /** Counters for the last listing: how many rows came from the index and how many were read. */
  hits = 0;
  misses = 0;

  private readonly selectRow: StatementSync;
  private readonly upsertRow: StatementSync;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
    this.selectRow = db.prepare(
      'SELECT size, mtime_ms, inode, etag, sealed, row, state FROM digests WHERE path = ?',
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

  /** The sealed row of this file version, or null when it must be read. */
  lookup(path: string, identity: FileIdentity): RunRow | null {
    const found = this.stored(path);
    const same =
      found !== null &&
      found.sealed &&
      found.identity.size === identity.size &&
      found.identity.mtimeMs === identity.mtimeMs &&
      found.identity.inode === identity.inode &&
      found.identity.etag === identity.etag;
    if (same) this.hits += 1;
    else this.misses += 1;
    return same ? found.row : null;
  }

  /** Whatever is stored for a path, sealed or not (a growing log resumes from its state). */
  stored(path: string): StoredDigest | null {
    const found = this.selectRow.get(path) as
      | {
          size: number;
          mtime_ms: number;
          inode: number;
          etag: string | null;
          sealed: number;
          row: string;
          state: string | null;
        }
      | undefined;
    if (!found) return null;
    try {
      return {
        identity: {
          size: found.size,
          mtimeMs: found.mtime_ms,
          inode: found.inode,
          ...(found.etag === null ? {} : { etag: found.etag }),
        },
        sealed: found.sealed === 1,
        row: JSON.parse(found.row) as RunRow,
        state: typeof found.state === 'string' ? (JSON.parse(found.state) as unknown) : null,
      };
    } catch {
      return null;
    }
  }

  /** Record a row; `sealed` rows are answered from the index while their file is unchanged. */
  store(
    path: string,
    identity: FileIdentity,
    row: RunRow,
    sealed: boolean,
    state: unknown = null,
  ): void {
    this.upsertRow.run(
      path,
      identity.size,
      identity.mtimeMs,
      identity.inode,
      identity.etag ?? null,
      sealed ? 1 : 0,
      JSON.stringify(row),
      state === null ? null : JSON.stringify(state),
    );
  }

  /** Drop digests of files under `root` that no longer exist. */
  forgetMissing(root: string, present: ReadonlySet<string>): void {
    const rows = this.db
      .prepare('SELECT path FROM digests WHERE path >= ? AND path < ?')
      .all(root, `${root}\uffff`) as Array<{ path: string }>;
    const remove = this.db.prepare('DELETE FROM digests WHERE path = ?');
    for (const { path } of rows) if (!present.has(path)) remove.run(path);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
