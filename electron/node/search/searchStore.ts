import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RunFormat, RunRow, RunStatus } from '../../../shared/model/run.ts';
import { createHash } from 'node:crypto';
import { indexableText } from '../../../shared/search/sampleTexts.ts';
import { ftsExpression, type SearchQuery } from '../../../shared/search/searchQuery.ts';
import {
  MARK_CLOSE,
  MARK_OPEN,
  parseSnippet,
  type Place,
  type PlaceKind,
  type SearchFilters,
  type Snippet,
} from '../../../shared/search/searchTypes.ts';
import type { SampleTextSink } from '../../../shared/search/sampleTexts.ts';
import { salvageDataDir, type FileIdentity } from '../index/runDigest.ts';
import { SegmentMap } from './segmentMap.ts';

/** The index file, beside the run digest in Salvage's data directory. */
export function defaultIndexPath(): string {
  return join(salvageDataDir(), 'search-index.sqlite');
}

// 1: texts and attachment texts in FTS5 (unicode61), segments, attachment references.
// 2: prefix indexes; JSON text inside strings read as JSON. Bump when what is indexed changes.
const SCHEMA_VERSION = 2;

/**
 * The tokenizer: unicode61 (words of letters and digits, case and accents folded). Trigram was
 * measured against it on the same text (node:sqlite's SQLite 3.53): about 10x slower to build
 * and 2.4x larger, for substring matches that prefix queries mostly cover; not used.
 *
 * Prefix indexes of 2, 3 and 4 characters: without them FTS5 answers `scor*` by merging the
 * doclists of every word so starting (every time, for every snippet), seconds on a large index;
 * with them a prefix of up to 4 characters is one doclist, read as far as needed. They cost about
 * a quarter more indexing time and 40% more index (measured on the benchmark's text).
 */
const TOKENIZER = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'";
/** The longest prefix with a prefix index: snippets mark a longer prefix's words through it. */
export const INDEXED_PREFIX_CHARS = 4;
/** Words of context around a match in a snippet. */
const SNIPPET_TOKENS = 20;

/** A run's facts the search filters by, as the runs list reads them. */
export interface RunFacts {
  readonly format: RunFormat;
  readonly status: RunStatus | null;
  readonly task: string | null;
  readonly model: string | null;
  /** eval.created in ms since the epoch. */
  readonly created: number | null;
  readonly score: number | null;
}

export function factsOf(row: RunRow): RunFacts {
  const created = row.created === null ? NaN : Date.parse(row.created);
  return {
    format: row.format,
    status: row.status,
    task: row.task,
    model: row.model,
    created: Number.isFinite(created) ? created : null,
    score: row.score,
  };
}

/** A run as the index has it. */
export interface StoredRun {
  readonly id: number;
  readonly path: string;
  readonly identity: FileIdentity;
  /** Fully indexed for this identity. */
  readonly complete: boolean;
  /** Where an incremental indexing resumes (a growing JSONL log's offset…). */
  readonly state: unknown;
  readonly facts: RunFacts;
}

/** A segment: one sample's text (or one part of a growing sample's), rows [first, last]. */
export interface StoredSegment {
  readonly id: number;
  readonly sample: string | null;
  readonly epoch: number | null;
  /** What identifies the bytes it was read from (an entry's CRC and size); null: being written. */
  readonly stamp: string | null;
}

/**
 * A query as the store runs it: `match` finds the rows; `marks` (its words and phrases only, long
 * prefixes cut to an indexed length) places the marks of their snippets.
 */
export interface QueryExpressions {
  readonly match: string;
  readonly marks: string;
}

/** The expressions the store runs for a parsed query. */
export function queryExpressions(query: SearchQuery): QueryExpressions {
  return {
    match: ftsExpression(query),
    marks: ftsExpression({ required: query.required, excluded: [] }, INDEXED_PREFIX_CHARS),
  };
}

/** A hit before its snippet: a text row (or an attachment's) and the segment it counts for. */
interface Match {
  readonly table: 'texts' | 'attachments';
  readonly row: number;
  readonly segment: number;
  readonly run: StoredRun;
  /** The place of an attachment's reference (a text row has its own). */
  readonly place: string | null;
  readonly first: number;
}

export interface StoredHit {
  readonly run: StoredRun;
  readonly sample: { readonly id: string; readonly epoch: number } | null;
  readonly place: Place;
  readonly snippet: Snippet;
}

/** SQLite's own result codes that mean the file cannot be trusted. */
const CORRUPT_CODES = new Set([11 /* SQLITE_CORRUPT */, 26 /* SQLITE_NOTADB */]);

export function isCorruption(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && CORRUPT_CODES.has(code & 0xff);
}

/** Runs the search may answer with: under the opened folders and passing the filters. */
export function runFilter(
  folders: ReadonlyArray<string>,
  filters: SearchFilters,
): (run: StoredRun) => boolean {
  const inside = (path: string, folder: string): boolean =>
    path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
  const from = filters.createdFrom ? Date.parse(filters.createdFrom) : NaN;
  // A date without a time runs to the end of that day.
  const toDate = filters.createdTo ? Date.parse(filters.createdTo) : NaN;
  const to = /^\d{4}-\d{2}-\d{2}$/.test(filters.createdTo ?? '') ? toDate + 86_400_000 - 1 : toDate;
  return (run) => {
    const facts = run.facts;
    if (!folders.some((folder) => inside(run.path, folder))) return false;
    if (filters.folder !== null && !inside(run.path, filters.folder)) return false;
    if (filters.status !== null && facts.status !== filters.status) return false;
    if (filters.format !== null && facts.format !== filters.format) return false;
    if (filters.task !== null && facts.task !== filters.task) return false;
    if (filters.model !== null && facts.model !== filters.model) return false;
    if (filters.minScore !== null || filters.maxScore !== null) {
      if (facts.score === null) return false;
      if (filters.minScore !== null && facts.score < filters.minScore) return false;
      if (filters.maxScore !== null && facts.score > filters.maxScore) return false;
    }
    if (Number.isFinite(from) || Number.isFinite(to)) {
      if (facts.created === null) return false;
      if (Number.isFinite(from) && facts.created < from) return false;
      if (Number.isFinite(to) && facts.created > to) return false;
    }
    return true;
  };
}

function encodePlace(place: Place): string {
  return `${place.kind}:${place.index ?? ''}:${place.label ?? ''}`;
}

function decodePlace(text: string): Place {
  const first = text.indexOf(':');
  const second = text.indexOf(':', first + 1);
  const index = text.slice(first + 1, second);
  const label = text.slice(second + 1);
  return {
    kind: text.slice(0, first) as PlaceKind,
    index: index === '' ? null : Number(index),
    label: label === '' ? null : label,
  };
}

/**
 * The full-text index of every run's text, in its own SQLite file (FTS5 through node:sqlite).
 *
 * A cache: deleting the file loses nothing but the time to rebuild it. A file that cannot be
 * opened, has another schema, or turns out corrupt while in use is deleted and built again,
 * never trusted (`isCorruption` tells the caller when to do so).
 *
 * Layout: `texts` holds one row per place of a sample (its text, and the place as an unindexed
 * column); `attachment_texts` one row per attachment, by its hash, however many samples refer
 * to it, with `refs` naming each sample and place that does; `segments` say which rows belong to
 * which sample of which run; `runs` hold each run's file identity, its facts for the filters,
 * and where its incremental indexing stands.
 */
export class SearchStore {
  readonly path: string;
  private readonly db: DatabaseSync;
  private segments = new SegmentMap();
  private readonly runsById = new Map<number, StoredRun>();
  private readonly runsByPath = new Map<string, StoredRun>();
  private nextRow = 1;
  private dataVersion = -1;
  /** Characters of text written through this connection (batches commit by it). */
  charsWritten = 0;
  private readonly statements: ReturnType<SearchStore['prepare']>;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
    this.statements = this.prepare();
    this.reload();
  }

  /** Open the index at `path` (the data directory's by default), rebuilding it when unusable. */
  static open(path = defaultIndexPath()): SearchStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      return new SearchStore(path, SearchStore.connect(path));
    } catch (error) {
      // A cache that cannot be read is rebuilt: it holds nothing that is not in the logs.
      SearchStore.remove(path);
      try {
        return new SearchStore(path, SearchStore.connect(path));
      } catch {
        throw error;
      }
    }
  }

  /** Delete an index file and its journal. */
  static remove(path: string): void {
    if (path === ':memory:') return;
    for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
      if (existsSync(file)) rmSync(file, { force: true });
    }
  }

  private static connect(path: string): DatabaseSync {
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA journal_mode=WAL');
      // A cache: a crash may lose the last batch (indexed again), never corrupt the index.
      db.exec('PRAGMA synchronous=NORMAL');
      // The app and a `salvage search` in a terminal may write at the same moment.
      db.exec('PRAGMA busy_timeout=5000');
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number })
        .user_version;
      if (version !== SCHEMA_VERSION) {
        db.exec(`
          DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS segments;
          DROP TABLE IF EXISTS texts; DROP TABLE IF EXISTS attachment_texts;
          DROP TABLE IF EXISTS attachments; DROP TABLE IF EXISTS refs;
          CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
          CREATE TABLE runs (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER,
            mtime_ms REAL, inode INTEGER, complete INTEGER NOT NULL, state TEXT, facts TEXT NOT NULL);
          CREATE TABLE segments (id INTEGER PRIMARY KEY, run INTEGER NOT NULL, sample TEXT,
            epoch INTEGER, stamp TEXT, first INTEGER NOT NULL, last INTEGER NOT NULL);
          CREATE INDEX segments_run ON segments(run, sample, epoch);
          CREATE VIRTUAL TABLE texts USING fts5(body, place UNINDEXED, ${TOKENIZER});
          CREATE VIRTUAL TABLE attachment_texts USING fts5(body, ${TOKENIZER});
          CREATE TABLE attachments (id INTEGER PRIMARY KEY, hash TEXT UNIQUE NOT NULL);
          CREATE TABLE refs (attachment INTEGER NOT NULL, segment INTEGER NOT NULL, place TEXT NOT NULL);
          CREATE INDEX refs_attachment ON refs(attachment);
          CREATE INDEX refs_segment ON refs(segment);
          PRAGMA user_version = ${SCHEMA_VERSION};`);
      }
      // Read every table once: a file that is not a database or has lost a table fails here.
      for (const table of ['meta', 'runs', 'segments', 'attachments', 'refs'])
        db.prepare(`SELECT count(*) FROM ${table}`).get();
      for (const table of ['texts', 'attachment_texts'])
        db.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH 'salvage' LIMIT 1`).all();
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  // node:sqlite binds every JavaScript number as a REAL, and FTS5 ignores a REAL rowid in
  // `rowid = ?` (every row matches): rowids are cast to INTEGER wherever FTS5 reads them.
  private prepare() {
    const db = this.db;
    return {
      dataVersion: db.prepare('PRAGMA data_version'),
      nextRow: db.prepare("SELECT value FROM meta WHERE key = 'next_row'"),
      setNextRow: db.prepare("INSERT OR REPLACE INTO meta VALUES ('next_row', ?)"),
      insertRun: db.prepare(
        'INSERT INTO runs (path, size, mtime_ms, inode, complete, state, facts) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      updateRun: db.prepare(
        'UPDATE runs SET size = ?, mtime_ms = ?, inode = ?, complete = ?, state = ?, facts = ? WHERE id = ?',
      ),
      deleteRun: db.prepare('DELETE FROM runs WHERE id = ?'),
      insertSegment: db.prepare(
        'INSERT INTO segments (run, sample, epoch, stamp, first, last) VALUES (?, ?, ?, NULL, ?, ?)',
      ),
      endSegment: db.prepare('UPDATE segments SET last = ?, stamp = ? WHERE id = ?'),
      extendSegment: db.prepare('UPDATE segments SET last = ? WHERE id = ?'),
      segmentsOfRun: db.prepare(
        'SELECT id, sample, epoch, stamp, first, last FROM segments WHERE run = ? ORDER BY first',
      ),
      segment: db.prepare('SELECT sample, epoch, first, last FROM segments WHERE id = ?'),
      deleteSegment: db.prepare('DELETE FROM segments WHERE id = ?'),
      epochsOf: db.prepare('SELECT count(*) AS n FROM segments WHERE run = ? AND sample = ?'),
      insertText: db.prepare(
        'INSERT INTO texts (rowid, body, place) VALUES (CAST(? AS INTEGER), ?, ?)',
      ),
      deleteTexts: db.prepare(
        'DELETE FROM texts WHERE rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER)',
      ),
      attachmentId: db.prepare('SELECT id FROM attachments WHERE hash = ?'),
      insertAttachment: db.prepare('INSERT INTO attachments (hash) VALUES (?)'),
      insertAttachmentText: db.prepare(
        'INSERT INTO attachment_texts (rowid, body) VALUES (CAST(? AS INTEGER), ?)',
      ),
      insertRef: db.prepare('INSERT INTO refs VALUES (?, ?, ?)'),
      deleteRefs: db.prepare('DELETE FROM refs WHERE segment = ?'),
      refsOf: db.prepare('SELECT segment, place FROM refs WHERE attachment = ?'),
      orphans: db.prepare(
        'SELECT id FROM attachments a WHERE NOT EXISTS (SELECT 1 FROM refs r WHERE r.attachment = a.id)',
      ),
      deleteAttachment: db.prepare('DELETE FROM attachments WHERE id = ?'),
      deleteAttachmentText: db.prepare(
        'DELETE FROM attachment_texts WHERE rowid = CAST(? AS INTEGER)',
      ),
      matchTexts: db.prepare('SELECT rowid FROM texts WHERE texts MATCH ? ORDER BY rowid'),
      matchTextsIn: db.prepare(
        'SELECT rowid FROM texts WHERE texts MATCH ? AND rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER) ORDER BY rowid',
      ),
      matchAttachments: db.prepare(
        'SELECT rowid FROM attachment_texts WHERE attachment_texts MATCH ? ORDER BY rowid',
      ),
      // From the run's segments to their refs (both indexed), each checked against the matching
      // attachments, found once: not a look-up per matching attachment of the whole index.
      runSegmentsReferringTo: db.prepare(
        `SELECT DISTINCT refs.segment AS segment FROM segments JOIN refs ON refs.segment = segments.id
         WHERE segments.run = ? AND refs.attachment IN
           (SELECT rowid FROM attachment_texts WHERE attachment_texts MATCH ?)`,
      ),
      // The rowid range lets FTS5 read only that part of each doclist; IN picks the hits.
      textSnippets: db.prepare(
        `SELECT rowid, place, snippet(texts, 0, '${MARK_OPEN}', '${MARK_CLOSE}', '…', ${SNIPPET_TOKENS}) AS snippet
         FROM texts WHERE texts MATCH ? AND rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER)
         AND rowid IN (SELECT value FROM json_each(?))`,
      ),
      attachmentSnippets: db.prepare(
        `SELECT rowid, snippet(attachment_texts, 0, '${MARK_OPEN}', '${MARK_CLOSE}', '…', ${SNIPPET_TOKENS}) AS snippet
         FROM attachment_texts WHERE attachment_texts MATCH ? AND rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER)
         AND rowid IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  /** Read runs and segments again when another process (a `salvage search`) changed the file. */
  private refresh(): void {
    const version = (this.statements.dataVersion.get() as { data_version: number }).data_version;
    if (version !== this.dataVersion) this.reload();
  }

  private reload(): void {
    this.dataVersion = (this.statements.dataVersion.get() as { data_version: number }).data_version;
    this.runsById.clear();
    this.runsByPath.clear();
    const runs = this.db
      .prepare('SELECT id, path, size, mtime_ms, inode, complete, state, facts FROM runs')
      .all() as Array<{
      id: number;
      path: string;
      size: number;
      mtime_ms: number;
      inode: number;
      complete: number;
      state: string | null;
      facts: string;
    }>;
    for (const row of runs) {
      this.remember({
        id: row.id,
        path: row.path,
        identity: { size: row.size, mtimeMs: row.mtime_ms, inode: row.inode },
        complete: row.complete === 1,
        state: row.state === null ? null : (JSON.parse(row.state) as unknown),
        facts: JSON.parse(row.facts) as RunFacts,
      });
    }
    const segments = this.db
      .prepare('SELECT id, run, first, last FROM segments ORDER BY first, id')
      .all() as Array<{ id: number; run: number; first: number; last: number }>;
    this.segments = new SegmentMap();
    for (const segment of segments)
      this.segments.append(segment.id, segment.run, segment.first, segment.last);
    const next = this.statements.nextRow.get() as { value: number } | undefined;
    this.nextRow = next?.value ?? 1;
  }

  private remember(run: StoredRun): void {
    this.runsById.set(run.id, run);
    this.runsByPath.set(run.path, run);
  }

  // ----- Writing -----

  /**
   * Start a batch of writes: everything or nothing of it lands. The row counter is read and
   * written inside it, so two writing processes (the app, a `salvage search`) never share rows.
   */
  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
    this.refresh();
  }

  commit(): void {
    this.statements.setNextRow.run(this.nextRow);
    this.db.exec('COMMIT');
    this.dataVersion = (this.statements.dataVersion.get() as { data_version: number }).data_version;
  }

  /** Drop the open batch, and what was remembered of it. */
  rollback(): void {
    if (this.db.isOpen && this.db.isTransaction) this.db.exec('ROLLBACK');
    if (this.db.isOpen) this.reload();
  }

  get inTransaction(): boolean {
    return this.db.isOpen && this.db.isTransaction;
  }

  /** Run `write` as one batch. */
  transaction<T>(write: () => T): T {
    this.begin();
    try {
      const result = write();
      this.commit();
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  run(path: string): StoredRun | null {
    this.refresh();
    return this.runsByPath.get(path) ?? null;
  }

  /** Every run of the index. */
  allRuns(): StoredRun[] {
    this.refresh();
    return [...this.runsById.values()];
  }

  /** Record a run (new or changed) with its identity, facts and where its indexing stands. */
  saveRun(
    path: string,
    identity: FileIdentity,
    facts: RunFacts,
    complete: boolean,
    state: unknown,
  ): StoredRun {
    const known = this.runsByPath.get(path);
    const stateText = state === null || state === undefined ? null : JSON.stringify(state);
    const values = [
      identity.size,
      identity.mtimeMs,
      identity.inode,
      complete ? 1 : 0,
      stateText,
      JSON.stringify(facts),
    ] as const;
    let id: number;
    if (known) {
      this.statements.updateRun.run(...values, known.id);
      id = known.id;
    } else {
      id = Number(this.statements.insertRun.run(path, ...values).lastInsertRowid);
    }
    const run: StoredRun = { id, path, identity, complete, state: state ?? null, facts };
    this.remember(run);
    return run;
  }

  /** Forget a run and all its text. */
  deleteRun(run: StoredRun): void {
    this.deleteSegments(this.segmentsOf(run));
    this.statements.deleteRun.run(run.id);
    this.runsById.delete(run.id);
    this.runsByPath.delete(run.path);
  }

  segmentsOf(run: StoredRun): StoredSegment[] {
    return (
      this.statements.segmentsOfRun.all(run.id) as Array<{
        id: number;
        sample: string | null;
        epoch: number | null;
        stamp: string | null;
      }>
    ).map(({ id, sample, epoch, stamp }) => ({ id, sample, epoch, stamp }));
  }

  /** How many segments of the run are of this sample (a verifiers example's rollouts so far). */
  epochsOf(run: StoredRun, sample: string): number {
    return (this.statements.epochsOf.get(run.id, sample) as { n: number }).n;
  }

  deleteSegments(segments: ReadonlyArray<{ readonly id: number }>): void {
    for (const { id } of segments) {
      const row = this.statements.segment.get(id) as { first: number; last: number } | undefined;
      if (row && row.last >= row.first) this.statements.deleteTexts.run(row.first, row.last);
      this.statements.deleteRefs.run(id);
      this.statements.deleteSegment.run(id);
      this.segments.remove(id);
    }
  }

  /** Drop attachments no sample refers to any longer; returns how many. */
  collectGarbage(): number {
    const orphans = this.statements.orphans.all() as Array<{ id: number }>;
    for (const { id } of orphans) {
      this.statements.deleteAttachmentText.run(id);
      this.statements.deleteAttachment.run(id);
    }
    return orphans.length;
  }

  /** Start a segment of `run`: one sample's text (null for the run's own facts). */
  beginSegment(
    run: StoredRun,
    sample: { readonly id: string; readonly epoch: number } | null,
  ): SegmentWriter {
    const first = this.nextRow;
    const id = Number(
      this.statements.insertSegment.run(
        run.id,
        sample?.id ?? null,
        sample?.epoch ?? null,
        first,
        first - 1,
      ).lastInsertRowid,
    );
    this.segments.append(id, run.id, first, first - 1);
    return new SegmentWriter(this, id, first);
  }

  /** @internal The row the next text gets. */
  get nextRowId(): number {
    return this.nextRow;
  }

  /** @internal A new text row of the segment being written. */
  addText(text: string, place: Place): number {
    const row = this.nextRow++;
    this.statements.insertText.run(row, text, encodePlace(place));
    this.charsWritten += text.length;
    return row;
  }

  /** @internal */
  attachmentId(hash: string): number | null {
    const found = this.statements.attachmentId.get(hash) as { id: number } | undefined;
    return found?.id ?? null;
  }

  /** @internal An attachment's text, indexed once for every sample that refers to it. */
  addAttachment(hash: string, text: string): number {
    const id = Number(this.statements.insertAttachment.run(hash).lastInsertRowid);
    this.statements.insertAttachmentText.run(id, text);
    this.charsWritten += text.length;
    return id;
  }

  /** @internal */
  addRef(attachment: number, segment: number, place: Place): void {
    this.statements.insertRef.run(attachment, segment, encodePlace(place));
  }

  /** @internal The segment's rows end at `last`; `stamp` non-null marks it complete. */
  endSegment(segment: number, last: number, stamp: string | null): void {
    if (stamp === null) this.statements.extendSegment.run(last, segment);
    else this.statements.endSegment.run(last, stamp, segment);
    this.segments.extend(segment, last);
  }

  // ----- Searching -----

  /**
   * The first `limit` hits of a query in runs `accept` takes, in run and row order, each with its
   * snippet; `more` when there are further hits. Rows are read in order and mapped to their runs
   * in memory, so a common word costs only the rows before the limit is reached; the snippets of
   * all hits come from one statement per table (an FTS5 query is set up once, not per hit).
   */
  search(
    query: QueryExpressions,
    accept: (run: StoredRun) => boolean,
    limit: number,
  ): { hits: StoredHit[]; more: boolean } {
    this.refresh();
    const matches: Match[] = [];
    let more = false;
    for (const { rowid } of this.statements.matchTexts.iterate(query.match) as Iterable<{
      rowid: number;
    }>) {
      const segment = this.segments.segmentOf(rowid);
      const run = this.runsById.get(this.segments.runOfSegment(segment));
      if (!run || !accept(run)) continue;
      if (matches.length === limit) {
        more = true;
        break;
      }
      matches.push({ table: 'texts', row: rowid, segment, run, place: null, first: rowid });
    }
    attachments: for (const { rowid } of this.statements.matchAttachments.iterate(
      query.match,
    ) as Iterable<{ rowid: number }>) {
      for (const ref of this.statements.refsOf.all(rowid) as Array<{
        segment: number;
        place: string;
      }>) {
        const run = this.runsById.get(this.segments.runOfSegment(ref.segment));
        if (!run || !accept(run)) continue;
        if (matches.length >= limit * 2) {
          more = true;
          break attachments;
        }
        const found = this.statements.segment.get(ref.segment) as { first: number };
        matches.push({
          table: 'attachments',
          row: rowid,
          segment: ref.segment,
          run,
          place: ref.place,
          first: found.first,
        });
      }
    }
    matches.sort(
      (a, b) =>
        (a.run.path < b.run.path ? -1 : a.run.path > b.run.path ? 1 : 0) ||
        a.first - b.first ||
        a.row - b.row,
    );
    if (matches.length > limit) more = true;
    const shown = matches.slice(0, limit);
    const texts = this.snippets('texts', query.marks, shown);
    const attached = this.snippets('attachments', query.marks, shown);
    return {
      hits: shown.map((match) => {
        const found = (match.table === 'texts' ? texts : attached).get(match.row);
        const segment = this.statements.segment.get(match.segment) as {
          sample: string | null;
          epoch: number | null;
        };
        const place = match.place ?? found?.place ?? null;
        return {
          run: match.run,
          sample:
            segment.sample === null ? null : { id: segment.sample, epoch: segment.epoch ?? 1 },
          place: place === null ? { kind: 'run', index: null, label: null } : decodePlace(place),
          snippet: parseSnippet(found?.snippet ?? ''),
        };
      }),
      more,
    };
  }

  /** The snippet (and place) of each hit's row of one table, in one statement. */
  private snippets(
    table: Match['table'],
    marks: string,
    matches: ReadonlyArray<Match>,
  ): Map<number, { place: string | null; snippet: string }> {
    const rows = matches.filter((match) => match.table === table).map((match) => match.row);
    const found = new Map<number, { place: string | null; snippet: string }>();
    if (rows.length === 0) return found;
    const statement =
      table === 'texts' ? this.statements.textSnippets : this.statements.attachmentSnippets;
    for (const row of statement.iterate(
      marks,
      Math.min(...rows),
      Math.max(...rows),
      JSON.stringify(rows),
    ) as Iterable<{ rowid: number; place?: string; snippet: string }>) {
      found.set(row.rowid, { place: row.place ?? null, snippet: row.snippet });
    }
    return found;
  }

  /** The samples of `run` whose text matches the expression, each once. */
  matchingSamples(run: StoredRun, expression: string): Array<{ id: string; epoch: number }> {
    this.refresh();
    const range = this.segments.rangeOf(run.id);
    const segments = new Set<number>();
    if (range) {
      for (const { rowid } of this.statements.matchTextsIn.iterate(
        expression,
        range.first,
        range.last,
      ) as Iterable<{ rowid: number }>) {
        const segment = this.segments.segmentOf(rowid);
        if (this.segments.runOfSegment(segment) === run.id) segments.add(segment);
      }
    }
    for (const { segment } of this.statements.runSegmentsReferringTo.iterate(
      run.id,
      expression,
    ) as Iterable<{ segment: number }>) {
      segments.add(segment);
    }
    const found = new Map<string, { id: string; epoch: number }>();
    for (const segment of segments) {
      const row = this.statements.segment.get(segment) as
        { sample: string | null; epoch: number | null } | undefined;
      if (row?.sample == null) continue;
      const epoch = row.epoch ?? 1;
      found.set(`${row.sample}\u0000${epoch}`, { id: row.sample, epoch });
    }
    return [...found.values()];
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** Fold the journal into the file (after a long indexing pass; keeps the WAL small). */
  checkpoint(): void {
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }
}

/** Another process wrote to the index while a segment was half written: index the run again. */
export class IndexRaced extends Error {
  constructor() {
    super('another process wrote to the search index mid-sample; the run is indexed again');
    this.name = 'IndexRaced';
  }
}

/**
 * One segment being written: each place's text as a row, and the attachments its places refer to,
 * gathered until the sample's attachments are read. An attachment is stored once by the hash of
 * its indexed text (whatever the log calls it: Inspect's hash, or a chunked sample's position),
 * and each segment that refers to it gets a reference.
 */
export class SegmentWriter implements SampleTextSink {
  private readonly store: SearchStore;
  readonly id: number;
  private last: number;
  /** Attachment key as the log names it → the place that referred to it first. */
  private readonly pending = new Map<string, Place>();
  private readonly resolved = new Map<string, number>();

  constructor(store: SearchStore, id: number, first: number) {
    this.store = store;
    this.id = id;
    this.last = first - 1;
  }

  text(place: Place, text: string): void {
    this.last = this.store.addText(text, place);
  }

  attachment(key: string, place: Place): void {
    if (!this.pending.has(key)) this.pending.set(key, place);
  }

  /** The attachments referred to so far, as the log names them: pass each one's text on. */
  referencedAttachments(): string[] {
    return [...this.pending.keys()].filter((key) => !this.resolved.has(key));
  }

  attachmentText(key: string, text: string): void {
    if (!this.pending.has(key) || this.resolved.has(key)) return;
    const indexed = indexableText(text);
    const hash = createHash('sha1').update(indexed).digest('base64');
    const id = this.store.attachmentId(hash);
    this.resolved.set(key, id ?? this.store.addAttachment(hash, indexed));
  }

  /** The rows written so far count as the segment's (a batch is committed mid-sample). */
  flush(): void {
    this.store.endSegment(this.id, this.last, null);
  }

  /**
   * Go on writing in the batch opened after a commit mid-segment. A segment is a range of rows:
   * when another process (the app, a `salvage search`) took the next rows in between, this one
   * cannot go on, and `IndexRaced` says to index its run again.
   */
  resume(): void {
    if (this.store.nextRowId !== this.last + 1) throw new IndexRaced();
  }

  /** The sample is complete: its references recorded and `stamp` set. */
  end(stamp: string): void {
    for (const [key, place] of this.pending) {
      const id = this.resolved.get(key);
      if (id !== undefined) this.store.addRef(id, this.id, place);
    }
    this.store.endSegment(this.id, this.last, stamp);
  }
}
