import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { sampleKey } from '../../../shared/model/log.ts';
import { ftsExpression, parseSearchQuery } from '../../../shared/search/searchQuery.ts';
import {
  describePlace,
  NO_SEARCH_FILTERS,
  type Place,
} from '../../../shared/search/searchTypes.ts';
import { fixture, JSONL_FIXTURES, REAL, TS_MONO } from '../../../test/support/fixtures.ts';
import { legacyRow, rollouts, writeLegacyRun } from '../../../test/support/verifiersRuns.ts';
import { withLog } from '../logs/openLog.ts';
import { indexFolders, type FolderIndexOptions } from './folderIndexer.ts';
import { IndexBatch } from './indexBatch.ts';
import {
  IndexRaced,
  queryExpressions,
  runFilter,
  SearchStore,
  type RunFacts,
  type StoredHit,
} from './searchStore.ts';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh folder of logs and an index file beside it. */
function workspace(): { logs: string; index: string } {
  const root = mkdtempSync(join(tmpdir(), 'salvage-search-'));
  roots.push(root);
  mkdirSync(join(root, 'logs'));
  return { logs: join(root, 'logs'), index: join(root, 'index.sqlite') };
}

async function indexed(
  logs: string,
  index: string,
  options: FolderIndexOptions = {},
): Promise<SearchStore> {
  const store = SearchStore.open(index);
  await indexFolders(store, [logs], options);
  return store;
}

function find(store: SearchStore, logs: string, query: string, limit = 500): StoredHit[] {
  return store.search(
    queryExpressions(parseSearchQuery(query)),
    runFilter([logs], NO_SEARCH_FILTERS),
    limit,
  ).hits;
}

/** Each hit as `sample/where`, e.g. `s-03/event 19 (error)`. */
function places(hits: ReadonlyArray<StoredHit>): string[] {
  return hits.map((hit) => `${hit.sample?.id ?? '-'}/${describePlace(hit.place)}`);
}

const STRIDS = fixture(
  'real-crashes/expected/db-strids-errors/2026-11-30T18-11-58-00-00_slow_7ANuQBAEah8uuhty7wKbJp-recovered.eval',
);
const POPULARITY_JSON = fixture(
  `${REAL}/analysis/test_logs/2025-05-12T20-28-13-04-00_popularity.json`,
);
const AIS_DECODER = `${TS_MONO}/original/ais-decoder.eval`;
const CODEX = join(
  JSONL_FIXTURES,
  'codex/sessions/2025/11/17/rollout-2025-11-17T15-30-28-019a93b9-f380-7600-98ff-940e6b99603c.jsonl',
);
const MATH_PYTHON = join(
  JSONL_FIXTURES,
  'verifiers/verifiers/environments/math_python/outputs/evals/math-python--gpt-4.1-mini/578769a7',
);

describe('every indexed field is found by a query', () => {
  it('Inspect .eval: messages, tool calls and results, scores, errors and tracebacks, metadata, the run', async () => {
    const { logs, index } = workspace();
    copyFileSync(STRIDS, join(logs, 'strids.eval'));
    const store = await indexed(logs, index);
    // A tool call: its name and arguments (numbers too), in the assistant's message.
    expect(places(find(store, logs, '"slow_add 3 30"'))).toContain('s-03/message 2 (assistant)');
    // A tool's result, in the tool's message.
    expect(places(find(store, logs, '33 slow_add'))).toContain('s-03/message 3 (tool)');
    // The user's message and the sample's input.
    expect(places(find(store, logs, '"What is 2 + 20"'))).toEqual(
      expect.arrayContaining(['s-02/message 1 (user)', 's-02/input']),
    );
    expect(places(find(store, logs, '22'))).toContain('s-02/target');
    // The scorer's answer and explanation.
    expect(places(find(store, logs, '"the answer is 22"'))).toContain('s-02/score includes');
    // An error and its traceback (seen first in the error event, where they are indexed).
    expect(places(find(store, logs, '"deliberate failure in sample index 2"'))).toEqual(
      expect.arrayContaining(['s-03/event 19 (error)', 's-03/event 18 (logger)']),
    );
    expect(places(find(store, logs, 'task_run_sample anyio'))).toContain('s-03/event 19 (error)');
    // A metadata value (this run's samples carry their index).
    expect(places(find(store, logs, '2'))).toContain('s-03/metadata');
    // The run's task and model.
    expect(places(find(store, logs, 'mockllm slow'))).toEqual(['-/run (task, model, tags)']);
    store.close();
  });

  it('Inspect .json: the run’s tags, reasoning, metadata values', async () => {
    const { logs, index } = workspace();
    // Inspect's fixtures have neither tags nor reasoning: add both as Inspect writes them.
    const log = parseInspectJson(readFileSync(POPULARITY_JSON, 'utf8'), 'fixture') as {
      eval: Record<string, unknown>;
      samples: Array<{ messages: Array<Record<string, unknown>> }>;
    };
    log.eval.tags = ['overnight-sweep'];
    log.samples[0]!.messages[2]!.content = [
      { type: 'reasoning', reasoning: 'Weighing whether a zebra would post this.' },
      { type: 'text', text: 'Yes' },
    ];
    writeFileSync(join(logs, 'popularity.json'), JSON.stringify(log));
    const store = await indexed(logs, index);
    expect(places(find(store, logs, 'overnight sweep'))).toEqual(['-/run (task, model, tags)']);
    expect(places(find(store, logs, 'zebra'))).toEqual(['1/message 3 (assistant)']);
    expect(places(find(store, logs, '"0.8860552919198255"'))).toEqual(['1/metadata']);
    expect(places(find(store, logs, '"acquire a large number of fans"'))).toEqual([
      '3/message 2 (user)',
    ]);
    store.close();
  });

  it('Inspect .eval with attachments: an attachment is indexed once and found where it is referred to', async () => {
    const { logs, index } = workspace();
    copyFileSync(fixture(AIS_DECODER), join(logs, 'a.eval'));
    copyFileSync(fixture(AIS_DECODER), join(logs, 'b.eval'));
    const store = await indexed(logs, index);
    const db = new DatabaseSync(index);
    const attachments = (db.prepare('SELECT count(*) AS n FROM attachments').get() as { n: number })
      .n;
    const refs = (db.prepare('SELECT count(*) AS n FROM refs').get() as { n: number }).n;
    db.close();
    // The same attachments in two runs: stored once, referred to from each run.
    expect(attachments).toBeGreaterThan(0);
    expect(refs).toBe(attachments * 2);
    // The text of the one attachment the messages do not repeat: the grader's verdict.
    const hits = find(store, logs, '"does not actually include"');
    expect(hits.map((hit) => hit.run.path.split('/').at(-1))).toEqual(['a.eval', 'b.eval']);
    expect(hits[0]!.place).toMatchObject({ kind: 'event', label: 'model' });
    // Message text, a tool's output and a sandbox command's output.
    expect(places(find(store, logs, '"decodes AIS messages"'))).toContain('1/message 4 (user)');
    expect(places(find(store, logs, 'bookworm'))).toContain('1/event 11 (sandbox)');
    // text_contains on words found only in that attachment: each run's own sample, once.
    for (const name of ['a.eval', 'b.eval']) {
      const run = store.run(join(logs, name))!;
      const expression = ftsExpression(parseSearchQuery('"does not actually include"'));
      expect(store.matchingSamples(run, expression)).toEqual([
        { id: hits[0]!.sample!.id, epoch: 1 },
      ]);
    }
    store.close();
  });

  it('reads a large sample item by item with the same result as parsed whole', async () => {
    const texts = async (parseWholeBytes: number) => {
      const { logs, index } = workspace();
      copyFileSync(fixture(AIS_DECODER), join(logs, 'a.eval'));
      copyFileSync(STRIDS, join(logs, 'strids.eval'));
      copyFileSync(POPULARITY_JSON, join(logs, 'popularity.json'));
      copyFileSync(fixture(`${TS_MONO}/chunked/ais-decoder.eval`), join(logs, 'chunked.eval'));
      (await indexed(logs, index, { parseWholeBytes })).close();
      const db = new DatabaseSync(index);
      const rows = db
        .prepare(
          `SELECT s.sample, t.place, t.body FROM texts t JOIN segments s ON t.rowid BETWEEN s.first AND s.last
           JOIN runs r ON r.id = s.run ORDER BY r.path, s.sample, t.rowid`,
        )
        .all();
      const attached = db
        .prepare('SELECT a.body FROM attachment_texts a ORDER BY a.body')
        .all()
        .map((row) => (row as { body: string }).body);
      db.close();
      return { rows, attached };
    };
    const whole = await texts(Number.POSITIVE_INFINITY);
    const paged = await texts(0);
    expect(paged.rows.length).toBeGreaterThan(100);
    expect(paged).toEqual(whole);
  });

  it('verifiers: prompt, completion with tool calls, tool output, answer, info; ids as the run view reads them', async () => {
    const { logs, index } = workspace();
    const run = join(logs, 'math-python--gpt-4.1-mini/578769a7');
    mkdirSync(run, { recursive: true });
    for (const name of ['results.jsonl', 'metadata.json'])
      copyFileSync(join(MATH_PYTHON, name), join(run, name));
    const store = await indexed(logs, index);
    const location = join(run, 'results.jsonl');
    // Every rollout is a sample, keyed as the reader lists it.
    const listed = await withLog(location, (reader) => reader.listSamples());
    const stored = store.segmentsOf(store.run(location)!).filter((segment) => segment.sample);
    expect(stored.map((segment) => sampleKey(segment.sample, segment.epoch)).sort()).toEqual(
      listed.map((ref) => sampleKey(ref.id, ref.epoch)).sort(),
    );
    const hit = (query: string) => places(find(store, logs, query));
    expect(hit('"piecewise function is continuous"')).toContain('0/message 2 (user)');
    expect(hit('"Use python for all calculations"')[0]).toBe('0/message 1 (system)');
    // A tool call (verifiers keeps it as JSON text) and the tool's output (a Python traceback).
    expect(hit('"from sympy import symbols"')).toContain('0/message 3 (assistant)');
    expect(hit('ModuleNotFoundError')).toContain('0/message 4 (tool)');
    expect(hit('"band formation"')).toContain('1/message 2 (user)');
    expect(hit('98')).toContain('1/target');
    store.close();
  });

  it('verifiers: a rollout’s error', async () => {
    const { logs, index } = workspace();
    const written = rollouts(2, 1).map((rollout, at) =>
      at === 1 ? { ...rollout, error: 'Upstream provider returned 529 overloaded' } : rollout,
    );
    writeLegacyRun(logs, {
      env: 'gsm8k',
      model: 'gpt-4.1-mini',
      id: 'abc123',
      examples: 2,
      rolloutsPerExample: 1,
      written,
    });
    const store = await indexed(logs, index);
    expect(places(find(store, logs, 'overloaded'))).toEqual(['1/error']);
    expect(places(find(store, logs, '"What is 3 squared"'))).toContain('1/message 1 (user)');
    store.close();
  });

  it('Codex: the conversation, tool calls and outputs, reasoning, the session’s meta', async () => {
    const { logs, index } = workspace();
    copyFileSync(CODEX, join(logs, 'rollout-2025-11-17T15-30-28-session.jsonl'));
    const store = await indexed(logs, index);
    const hit = (query: string) => places(find(store, logs, query));
    expect(hit('"rigging up the chatbot-ui"')).toEqual(['session/message 2 (user)']);
    expect(hit('"Planning repository inspection"')).toEqual(['session/message 3 (reasoning)']);
    expect(hit('"cat LM Studio configuration.md"')).toEqual(['session/message 5 (assistant)']);
    expect(hit('"LM Studio is already wired"')).toContain('session/message 6 (tool)');
    expect(hit('codex_cli_rs')).toEqual(['session/metadata']);
    expect(hit('"gpt-5.1-codex"')).toContain('-/run (task, model, tags)');
    store.close();
  });
});

describe('the index follows the files', () => {
  it('a finished run is read once; a changed one again; a deleted one leaves', async () => {
    const { logs, index } = workspace();
    const log = join(logs, 'run.eval');
    copyFileSync(STRIDS, log);
    const store = SearchStore.open(index);
    expect((await indexFolders(store, [logs])).samples).toBe(9);
    expect((await indexFolders(store, [logs])).samples).toBe(0);
    expect(find(store, logs, 'mockllm')).toHaveLength(1);
    // Another log under the same name: the old text goes, the new one comes.
    copyFileSync(fixture(AIS_DECODER), log);
    expect((await indexFolders(store, [logs])).samples).toBe(1);
    expect(find(store, logs, 'mockllm')).toHaveLength(0);
    expect(places(find(store, logs, '"decodes AIS messages"'))).toEqual(['1/message 4 (user)']);
    rmSync(log);
    await indexFolders(store, [logs]);
    expect(find(store, logs, 'AIS')).toHaveLength(0);
    expect(store.allRuns()).toHaveLength(0);
    // Its attachments went with it (no other run refers to them).
    const db = new DatabaseSync(index);
    expect(db.prepare('SELECT count(*) AS n FROM attachment_texts').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM texts').get()).toEqual({ n: 0 });
    db.close();
    store.close();
  });

  it('a growing verifiers log is read from its last line; a line without its newline yet is read again once whole', async () => {
    const { logs, index } = workspace();
    const all = rollouts(6, 1).map((rollout) => ({
      ...rollout,
      prompt: `Question number ${rollout.example}: what is ${rollout.example + 2} squared?`,
    }));
    const folder = writeLegacyRun(logs, {
      env: 'squares',
      model: 'm',
      id: 'r1',
      examples: 6,
      rolloutsPerExample: 1,
      written: all.slice(0, 2),
    });
    const log = join(folder, 'results.jsonl');
    const line = (at: number) => `${JSON.stringify(legacyRow(all[at]!))}\n`;
    const store = SearchStore.open(index);
    expect((await indexFolders(store, [logs])).samples).toBe(2);
    appendFileSync(log, line(2) + line(3));
    expect((await indexFolders(store, [logs])).samples).toBe(2);
    // The last record written but for its newline: searchable now…
    appendFileSync(log, line(4).trimEnd());
    await indexFolders(store, [logs]);
    expect(places(find(store, logs, '"Question number 4"'))).toEqual(['4/message 1 (user)']);
    // …and once its line is whole and another follows, there once.
    appendFileSync(log, `\n${line(5)}`);
    await indexFolders(store, [logs]);
    for (let at = 0; at < 6; at++) {
      expect(places(find(store, logs, `"Question number ${at}"`)), `rollout ${at}`).toEqual([
        `${at}/message 1 (user)`,
      ]);
    }
    // A file rewritten shorter (a repair): read again from the start.
    writeFileSync(log, line(0));
    await indexFolders(store, [logs]);
    expect(find(store, logs, 'Question number')).toHaveLength(1);
    store.close();
  });

  it('a growing Codex session adds only its new lines, message numbers continuing', async () => {
    const { logs, index } = workspace();
    const lines = readFileSync(CODEX, 'utf8').split('\n').filter(Boolean);
    const log = join(logs, 'rollout-2025-11-17T15-30-28-session.jsonl');
    const half = Math.floor(lines.length / 2);
    writeFileSync(log, `${lines.slice(0, half).join('\n')}\n`);
    const store = SearchStore.open(index);
    await indexFolders(store, [logs]);
    appendFileSync(log, `${lines.slice(half).join('\n')}\n`);
    await indexFolders(store, [logs]);
    // The same places as the whole session indexed at once.
    const whole = workspace();
    copyFileSync(CODEX, join(whole.logs, 'rollout-2025-11-17T15-30-28-session.jsonl'));
    const once = await indexed(whole.logs, whole.index);
    for (const query of ['ollama', 'LM Studio', 'lmstudio', 'shell']) {
      expect(places(find(store, logs, query)).sort(), query).toEqual(
        places(find(once, whole.logs, query)).sort(),
      );
    }
    once.close();
    store.close();
  });

  it('a corrupt index file is rebuilt, never trusted', async () => {
    const { logs, index } = workspace();
    copyFileSync(STRIDS, join(logs, 'run.eval'));
    (await indexed(logs, index)).close();
    // Garbage where the index was.
    writeFileSync(index, Buffer.alloc(64 * 1024, 0x5a));
    rmSync(`${index}-wal`, { force: true });
    let store = SearchStore.open(index);
    expect(store.allRuns()).toHaveLength(0);
    await indexFolders(store, [logs]);
    expect(find(store, logs, 'mockllm')).toHaveLength(1);
    store.checkpoint();
    store.close();
    // An index cut short (pages missing).
    truncateSync(index, Math.floor(readFileSync(index).length / 2));
    store = SearchStore.open(index);
    expect(store.allRuns()).toHaveLength(0);
    await indexFolders(store, [logs]);
    expect(find(store, logs, 'mockllm')).toHaveLength(1);
    store.close();
  });
});

describe('two processes writing one index', () => {
  const FACTS: RunFacts = {
    format: 'inspect-eval',
    status: 'success',
    task: 't',
    model: 'm',
    created: null,
    score: null,
  };
  const PLACE: Place = { kind: 'message', index: 0, label: 'user' };
  /** A run and a segment begun in `store`, one text row written. */
  const halfWritten = (store: SearchStore, path: string) => {
    const batch = new IndexBatch(store);
    const run = batch.write().saveRun(path, { size: 1, mtimeMs: 1, inode: 1 }, FACTS, false, null);
    const writer = batch.write().beginSegment(run, { id: '1', epoch: 1 });
    writer.text(PLACE, 'alpha');
    return { batch, writer };
  };
  /** What another connection sees committed: text rows, and the row the next writer takes. */
  const committed = (index: string) => {
    const db = new DatabaseSync(index);
    const texts = (db.prepare('SELECT count(*) AS n FROM texts').get() as { n: number }).n;
    const next = (
      db.prepare("SELECT value FROM meta WHERE key = 'next_row'").get() as { value: number }
    ).value;
    db.close();
    return { texts, next };
  };

  it('a sample committed part-way goes on writing inside a batch, its rows counted with it', async () => {
    const { index } = workspace();
    const store = SearchStore.open(index);
    const { batch, writer } = halfWritten(store, '/a.eval');
    // A batch is committed once it has been open this long (or written this much).
    await new Promise((done) => setTimeout(done, 300));
    expect(batch.maybeCommit(writer)).toBe(true);
    writer.text(PLACE, 'beta');
    // Another process sees the first row only, and takes its rows after it: had the second been
    // written outside a batch, both would hold row 2 ("constraint failed").
    expect(committed(index)).toEqual({ texts: 1, next: 2 });
    batch.commit();
    expect(committed(index)).toEqual({ texts: 2, next: 3 });
    store.close();
  });

  it('a sample whose next rows another process took is indexed again, not joined to them', () => {
    const { index } = workspace();
    const first = SearchStore.open(index);
    const second = SearchStore.open(index);
    const { batch, writer } = halfWritten(first, '/a.eval');
    writer.flush();
    batch.commit();
    halfWritten(second, '/b.eval').batch.commit();
    batch.write();
    expect(() => writer.resume()).toThrow(IndexRaced);
    batch.abort();
    first.close();
    second.close();
  });
});

describe('searching', () => {
  it('filters by the runs’ facts and keeps to the opened folders', async () => {
    const { logs, index } = workspace();
    copyFileSync(STRIDS, join(logs, 'strids.eval'));
    copyFileSync(POPULARITY_JSON, join(logs, 'popularity.json'));
    const store = await indexed(logs, index);
    const runsOf = (filters: Partial<typeof NO_SEARCH_FILTERS>, folders = [logs]) =>
      store
        .search(
          queryExpressions(parseSearchQuery('is')),
          runFilter(folders, { ...NO_SEARCH_FILTERS, ...filters }),
          500,
        )
        .hits.map((hit) => hit.run.path.split('/').at(-1));
    const unique = (list: ReadonlyArray<string | undefined>) => [...new Set(list)];
    expect(unique(runsOf({}))).toEqual(['popularity.json', 'strids.eval']);
    expect(unique(runsOf({ format: 'inspect-json' }))).toEqual(['popularity.json']);
    expect(unique(runsOf({ task: 'slow' }))).toEqual(['strids.eval']);
    expect(unique(runsOf({ model: 'openai/gpt-4o-mini' }))).toEqual(['popularity.json']);
    expect(unique(runsOf({ status: 'error' }))).toEqual(['strids.eval']);
    expect(unique(runsOf({ status: 'cancelled' }))).toEqual(['popularity.json']);
    expect(unique(runsOf({ status: 'success' }))).toEqual([]);
    expect(unique(runsOf({ createdFrom: '2026-01-01' }))).toEqual(['strids.eval']);
    // A day without a time is a UTC day: 20:28 at -04:00 is the 13th.
    expect(unique(runsOf({ createdTo: '2025-05-13' }))).toEqual(['popularity.json']);
    expect(unique(runsOf({ createdTo: '2025-05-12' }))).toEqual([]);
    expect(unique(runsOf({ minScore: 0.5, maxScore: 1 })).length).toBeGreaterThan(0);
    expect(unique(runsOf({ folder: join(logs, 'elsewhere') }))).toEqual([]);
    expect(unique(runsOf({}, ['/some/other/folder']))).toEqual([]);
    store.close();
  });

  it('answers a common word from the first rows, with more to come', async () => {
    const { logs, index } = workspace();
    copyFileSync(STRIDS, join(logs, 'strids.eval'));
    const store = await indexed(logs, index);
    const first = store.search(
      queryExpressions(parseSearchQuery('answer')),
      runFilter([logs], NO_SEARCH_FILTERS),
      3,
    );
    expect(first.hits).toHaveLength(3);
    expect(first.more).toBe(true);
    expect(first.hits[0]!.snippet.marks.length).toBeGreaterThan(0);
    const [start, end] = first.hits[0]!.snippet.marks[0]!;
    expect(first.hits[0]!.snippet.text.slice(start, end).toLowerCase()).toBe('answer');
    store.close();
  });

  it('finds a prefix longer than the prefix indexes by the whole prefix, its words marked', async () => {
    const { logs, index } = workspace();
    copyFileSync(STRIDS, join(logs, 'strids.eval'));
    const store = await indexed(logs, index);
    const hits = find(store, logs, 'answe*');
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) {
      const words = hit.snippet.marks.map(([start, end]) => hit.snippet.text.slice(start, end));
      expect(words.length).toBeGreaterThan(0);
      for (const word of words) expect(word.toLowerCase()).toMatch(/^answ/);
    }
    // The marks' shorter prefix never widens what matches.
    expect(find(store, logs, 'answerz*')).toEqual([]);
    store.close();
  });

  it('finds the samples of a run for text_contains', async () => {
    const { logs, index } = workspace();
    copyFileSync(STRIDS, join(logs, 'strids.eval'));
    copyFileSync(STRIDS, join(logs, 'copy.eval'));
    const store = await indexed(logs, index);
    const run = store.run(join(logs, 'strids.eval'))!;
    const matching = (query: string) =>
      store
        .matchingSamples(run, ftsExpression(parseSearchQuery(query)))
        .map((sample) => sample.id)
        .sort();
    expect(matching('"deliberate failure in sample index 2"')).toEqual(['s-03']);
    expect(matching('deliberate failure')).toEqual(['s-03', 's-06']);
    expect(matching('"answer is 44"')).toEqual(['s-04']);
    expect(matching('slow_add')).toHaveLength(9);
    store.close();
  });
});
