import {
  appendFileSync,
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, FIXTURES_ROOT, REAL } from '../../../test/support/fixtures.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import { listRuns } from '../logs/listRuns.ts';
import { RunDigest } from './runDigest.ts';

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-digest-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function runsFolder(): string {
  const folder = tempFolder();
  for (let index = 0; index < 5; index++) {
    cpSync(
      fixture(`${REAL}/log/test_eval_log/log_formats.eval`),
      join(folder, `run-${index}.eval`),
    );
  }
  cpSync(
    fixture('synthetic/truncated/popularity_deflate_started.eval'),
    join(folder, 'crashed.eval'),
  );
  return folder;
}

describe('run digest', () => {
  it('answers unchanged runs from the index and re-reads changed ones', async () => {
    const folder = runsFolder();
    const digest = RunDigest.open(join(tempFolder(), 'digest.sqlite'));
    const cold = await listRuns(folder, { digest });
    expect([digest.hits, digest.misses]).toEqual([0, 6]);

    digest.hits = digest.misses = 0;
    const warm = await listRuns(folder, { digest });
    expect(warm).toEqual(cold);
    // The five finished runs come from the index; the crashed one is always re-read.
    expect([digest.hits, digest.misses]).toEqual([5, 1]);

    // A changed file is read again; a deleted one disappears from the listing.
    appendFileSync(join(folder, 'run-1.eval'), 'trailing bytes');
    rmSync(join(folder, 'run-2.eval'));
    digest.hits = digest.misses = 0;
    const after = await listRuns(folder, { digest });
    expect([digest.hits, digest.misses]).toEqual([3, 2]);
    expect(after.map((row) => row.path)).not.toContain('run-2.eval');
    expect(after.find((row) => row.path === 'run-1.eval')!.size).toBe(
      cold.find((row) => row.path === 'run-1.eval')!.size + 14,
    );
    digest.close();
  });

  it('folds only the bytes a growing JSONL run appended since its watermark', async () => {
    const folder = tempFolder();
    const log = join(folder, 'env--model/run/results.jsonl');
    mkdirSync(join(log, '..'), { recursive: true });
    const record = (id: number): string =>
      `${JSON.stringify({ example_id: id, reward: id % 2 })}\n`;
    writeFileSync(log, record(1) + record(2) + record(3));
    const digest = RunDigest.open(join(tempFolder(), 'digest.sqlite'));
    const [first] = await listRuns(folder, { digest });
    // No metadata.json, nothing torn, no writer: incomplete (not proof of a crash).
    expect(first).toMatchObject({ status: 'incomplete', samples: { completed: 3 } });

    // Scribble over the first record (same length) and append two: a resumed scan never re-reads
    // the old bytes, so it sees 5 good records; a full rescan would report a malformed line.
    const handle = openSync(log, 'r+');
    writeSync(handle, Buffer.from('x'.repeat(record(1).length - 1)), 0, record(1).length - 1, 0);
    closeSync(handle);
    appendFileSync(log, record(4) + record(5));
    const [grown] = await listRuns(folder, { digest });
    expect(grown).toMatchObject({ samples: { completed: 5 }, problem: null, score: 3 / 5 });
    digest.close();
  });

  it('lets a listing that outlives it (a server stopping) end without it, every row read', async () => {
    const folder = runsFolder();
    const digest = RunDigest.open(join(tempFolder(), 'digest.sqlite'));
    const listing = listRuns(folder, { digest });
    digest.close();
    const rows = await listing;
    expect(rows.map((row) => row.path).sort()).toEqual([
      'crashed.eval',
      ...[0, 1, 2, 3, 4].map((index) => `run-${index}.eval`),
    ]);
    expect(digest.stored(join(folder, 'run-0.eval'))).toBeNull();
  });

  it('forgets the files gone from the folder listed, not those of a folder named like it', async () => {
    const parent = tempFolder();
    for (const name of ['logs', 'logs2']) {
      cpSync(fixture(`${REAL}/log/test_eval_log/log_formats.eval`), join(parent, name, 'run.eval'));
    }
    const digest = RunDigest.open(join(tempFolder(), 'digest.sqlite'));
    await listRuns(join(parent, 'logs2'), { digest });
    await listRuns(join(parent, 'logs'), { digest });
    digest.hits = digest.misses = 0;
    await listRuns(join(parent, 'logs2'), { digest });
    expect([digest.hits, digest.misses]).toEqual([1, 0]);
    digest.close();
  });

  it('gives every fixture the row a listing without it gives, cold and warm', async () => {
    // A copy: the listing judges unfinished runs by their files around them, as in place.
    const folder = join(tempFolder(), 'fixtures');
    cpSync(FIXTURES_ROOT, folder, { recursive: true });
    const plain = await listRuns(folder);
    expect(plain.length).toBeGreaterThan(50);
    const digest = RunDigest.open(join(tempFolder(), 'digest.sqlite'));
    const cold = await listRuns(folder, { digest });
    expect(cold).toEqual(plain);
    digest.hits = digest.misses = 0;
    const warm = await listRuns(folder, { digest });
    expect(warm).toEqual(plain);
    // Finished runs of every format, unreadable logs and other tools' JSON come from the index.
    expect(digest.hits).toBeGreaterThan(plain.length / 2);
    // Every format is among them.
    expect(new Set(cold.map((row) => row.format))).toEqual(
      new Set(['inspect-eval', 'inspect-json', 'verifiers', 'codex']),
    );
    digest.close();
  });

  it('keeps every field of a row, each rare one set', () => {
    const digest = RunDigest.open(join(tempFolder(), 'digest.sqlite'));
    const row: RunRow = {
      path: 'run.eval',
      location: '/runs/run.eval',
      links: { recovered: null, recoveredFrom: null, exports: [], undoableRepair: null },
      format: 'inspect-eval',
      task: 'täsk "quoted"',
      model: 'openai/gpt-4o',
      status: 'started',
      recovery: 'filestore',
      samples: { completed: 3, total: null },
      created: '2025-01-01T00:00:00Z',
      score: 0.125,
      scores: [
        { name: 'accuracy', value: 0.125 },
        { name: 'stderr', value: 1e-9 },
      ],
      errors: 2,
      cost: 1.5,
      tags: ['a', 'b'],
      tokens: 9_007_199_254_740_991,
      duration: 12.5,
      size: 1234,
      modified: '2025-01-02T00:00:00.000Z',
      problem: { kind: 'truncated', message: 'cut short' },
      liveness: { verdict: 'crashed', confidence: 'medium', evidence: 'quiet for 3 min' },
    };
    const identity = { size: 1234, mtimeMs: 1.5, inode: 7, etag: '"abc"' };
    digest.storeAll([
      { path: '/runs/run.eval', identity, row, sealed: true },
      { path: '/runs/other.json', identity, row: null, sealed: true },
    ]);
    const { path: _path, location: _location, links: _links, ...stored } = row;
    const found = digest.lookupAll([
      { path: '/runs/run.eval', identity },
      { path: '/runs/other.json', identity },
      { path: '/runs/run.eval-changed', identity },
    ]);
    expect(found).toEqual(
      new Map<string, unknown>([
        ['/runs/run.eval', stored],
        ['/runs/other.json', null],
      ]),
    );
    expect(
      digest.lookupAll([{ path: '/runs/run.eval', identity: { ...identity, inode: 8 } }]),
    ).toEqual(new Map());
    expect(digest.stored('/runs/run.eval')).toEqual({
      identity,
      sealed: true,
      row: stored,
      state: null,
    });
    digest.close();
  });

  it('rebuilds an index that is corrupt instead of trusting it', async () => {
    const folder = runsFolder();
    const path = join(tempFolder(), 'digest.sqlite');
    writeFileSync(path, 'SQLite format 3\u0000 but not really a database');
    const digest = RunDigest.open(path);
    const rows = await listRuns(folder, { digest });
    expect(rows).toHaveLength(6);
    expect(digest.misses).toBe(6);
    digest.close();
  });
});
