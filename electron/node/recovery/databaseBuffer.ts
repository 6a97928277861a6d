import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  isJsonObject,
  parseInspectJson,
  type JsonValue,
  type ParseOptions,
} from '../../../shared/formats/json/inspectJson.ts';
import type {
  BufferedSample,
  BufferedSampleData,
  EventRow,
  SampleBuffer,
} from '../../../shared/recovery/sampleBuffer.ts';
import { SalvageError, isSalvageError } from '../../../shared/util/errors.ts';
import { fileError } from '../io/fileErrors.ts';
import { sweepTemporaryFolders, temporaryFolderPrefix } from '../io/leftovers.ts';
import { setOwn } from '../../../shared/util/records.ts';

type Row = Record<string, unknown>;

/** The private copies' folders in the temporary folder: `salvage-buffer-<pid>-XXXXXX`. */
const BUFFER_COPY = 'salvage-buffer';

/**
 * Inspect's SQLite sample buffer, read from a private copy.
 *
 * After a hard crash the committed rows often sit only in the hot `-wal` file. The database, its
 * `-wal` and `-shm` are copied together to a temporary folder and the copy is opened read-write,
 * so SQLite replays the WAL there; the user's files are never opened for writing.
 */
export class DatabaseBuffer implements SampleBuffer {
  readonly source = 'database' as const;
  readonly location: string;
  readonly warnings: string[] = [];
  private readonly db: DatabaseSync;
  private readonly copyDir: string;
  private readonly hasMetadataColumn: boolean;
  private readonly parseOptions: ParseOptions;

  private constructor(
    location: string,
    db: DatabaseSync,
    copyDir: string,
    parseOptions: ParseOptions,
  ) {
    this.location = location;
    this.db = db;
    this.copyDir = copyDir;
    this.parseOptions = parseOptions;
    const columns = this.query(() => db.prepare('PRAGMA table_info(samples)').all() as Row[]);
    this.hasMetadataColumn = columns.some((column) => column.name === 'sample_metadata');
  }

  /**
   * Run a query, turning SQLite's errors (a missing table or column, a damaged page, an integer
   * beyond what JavaScript holds) into a typed error naming the database: the file is someone
   * else's, and any of them can be wrong in it.
   */
  private query<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (isSalvageError(error)) throw error;
      throw new SalvageError(
        'not-a-buffer',
        `The buffer database ${this.location} is damaged or not Inspect's (${(error as Error).message}).`,
        { cause: error },
      );
    }
  }

  /** `parseOptions.lossless` keeps numbers' text, for a recovery that writes them back. */
  static open(path: string, parseOptions: ParseOptions = {}): DatabaseBuffer {
    // Copies left by runs that were killed (their pid is dead) go first.
    sweepTemporaryFolders(tmpdir(), BUFFER_COPY);
    let copyDir: string;
    try {
      copyDir = mkdtempSync(join(tmpdir(), temporaryFolderPrefix(BUFFER_COPY)));
    } catch (error) {
      throw fileError(error, tmpdir(), 'write in');
    }
    try {
      const copy = join(copyDir, basename(path));
      copyFileSync(path, copy);
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(path + suffix)) copyFileSync(path + suffix, copy + suffix);
      }
      const db = new DatabaseSync(copy);
      db.prepare('SELECT count(*) FROM samples').get();
      return new DatabaseBuffer(path, db, copyDir, parseOptions);
    } catch (error) {
      rmSync(copyDir, { recursive: true, force: true });
      // No room or no permission for the private copy: say so, not that the buffer is bad.
      const typed = fileError(error, path, 'copy');
      if (isSalvageError(typed) && typed.kind !== 'io' && typed.kind !== 'not-a-file') throw typed;
      throw new SalvageError(
        'not-a-buffer',
        `${path} is not a readable Inspect sample buffer database (${(error as Error).message}).`,
        { cause: error },
      );
    }
  }

  samples(): Promise<BufferedSample[]> {
    const sql = this.hasMetadataColumn
      ? 'SELECT id, epoch, data, sample_metadata, sample_metadata_hash FROM samples ORDER BY rowid'
      : 'SELECT id, epoch, data FROM samples ORDER BY rowid';
    const samples: BufferedSample[] = [];
    for (const row of this.query(() => this.db.prepare(sql).all() as Row[])) {
      const summary = this.parse(
        row.data,
        `summary of sample ${String(row.id)} epoch ${String(row.epoch)}`,
      );
      if (!isJsonObject(summary)) continue;
      // The full metadata column is written for every completed sample (hash "summary" only
      // says it equals the summary's); Inspect's recovery reads it whenever it is there.
      const full = this.parse(row.sample_metadata, 'sample metadata');
      samples.push({ summary, metadata: isJsonObject(full) ? full : null });
    }
    return Promise.resolve(samples);
  }

  sampleData(id: string, epoch: number): Promise<BufferedSampleData> {
    const where = 'WHERE sample_id = ? AND sample_epoch = ? ORDER BY id';
    const events: EventRow[] = [];
    for (const row of this.query(
      () =>
        this.db.prepare(`SELECT id, event_id, data FROM events ${where}`).all(id, epoch) as Row[],
    )) {
      const event = this.parse(row.data, `event row ${String(row.id)}`);
      if (isJsonObject(event)) {
        events.push({
          rowId: Number(row.id),
          eventId: typeof row.event_id === 'string' ? row.event_id : null,
          event,
        });
      }
    }
    const attachments: Record<string, JsonValue> = {};
    for (const row of this.query(
      () =>
        this.db.prepare(`SELECT hash, content FROM attachments ${where}`).all(id, epoch) as Row[],
    )) {
      if (typeof row.hash === 'string' && typeof row.content === 'string')
        setOwn(attachments, row.hash, row.content);
    }
    const pool = (table: string): JsonValue[] =>
      this.query(
        () => this.db.prepare(`SELECT id, data FROM ${table} ${where}`).all(id, epoch) as Row[],
      ).map((row) => this.parse(row.data, `${table} row ${String(row.id)}`) ?? null);
    return Promise.resolve({
      events,
      attachments,
      messagePool: pool('message_pool'),
      callPool: pool('call_pool'),
    });
  }

  close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
    rmSync(this.copyDir, { recursive: true, force: true });
    return Promise.resolve();
  }

  private parse(text: unknown, what: string): JsonValue | undefined {
    if (typeof text !== 'string') return undefined;
    try {
      return parseInspectJson(text, what, this.parseOptions);
    } catch {
      this.warnings.push(`Skipped the ${what} in ${this.location}: it is not valid JSON.`);
      return undefined;
    }
  }
}
