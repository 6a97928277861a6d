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

/** The identity of a file version: a digest is valid only while all four match. */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly inode: number;
}

export function identityOf(stats: Stats): FileIdentity {
  return { size: stats.size, mtimeMs: stats.mtimeMs, inode: stats.ino };
}

/** Statuses in which a run's file no longer changes by itself: its digest is sealed. */
const TERMINAL = new Set(['success', 'error', 'cancelled', 'started']);

const SCHEMA_VERSION = 1;

/**
 * Per-run digests (the runs-table row) keyed by path and file identity, so that listing thousands
 * of runs costs one stat per unchanged run instead of a read.
 *
 * A digest is sealed when its run is in a terminal state (finished, failed, or started with no live
 * writer: crashed); a running run is re-read each time. A changed file (size, mtime or inode) or a
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
      'SELECT size, mtime_ms, inode, sealed, row FROM digests WHERE path = ?',
    );
    this.upsertRow = db.prepare('INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?, ?, ?)');
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
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number })
        .user_version;
      if (version !== SCHEMA_VERSION) {
        db.exec(`DROP TABLE IF EXISTS digests;
          CREATE TABLE digests (path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, inode INTEGER, sealed INTEGER, row TEXT);
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
    const found = this.db
      .prepare('SELECT size, mtime_ms, inode, sealed, row FROM digests WHERE path = ?')
      .get(path) as
      { size: number; mtime_ms: number; inode: number; sealed: number; row: string } | undefined;
    if (
      !found ||
      !found.sealed ||
      found.size !== identity.size ||
      found.mtime_ms !== identity.mtimeMs ||
      found.inode !== identity.inode
    ) {
      this.misses += 1;
      return null;
    }
    try {
      this.hits += 1;
      return JSON.parse(found.row) as RunRow;
    } catch {
      this.hits -= 1;
      this.misses += 1;
      return null;
    }
  }

  store(path: string, identity: FileIdentity, row: RunRow): void {
    const sealed = row.status !== null && TERMINAL.has(row.status) && row.problem === null ? 1 : 0;
    this.upsertRow.run(
      path,
      identity.size,
      identity.mtimeMs,
      identity.inode,
      sealed,
      JSON.stringify(row),
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
