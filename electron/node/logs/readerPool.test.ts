import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRow } from '../../../shared/model/run.ts';
import { RunDigest } from '../index/runDigest.ts';
import { listRuns, streamRuns } from './listRuns.ts';
import { ReaderPool } from './readerPool.ts';

const DEMO = new URL('../../../demo/logs/', import.meta.url);
const COPIES = 6;
let root: string;
let logs: string;
/** The folder listed by this thread alone, no digest, no workers: what every listing must find. */
let here: RunRow[];
/** Workers shared by the tests (each start costs a module load). */
const pool = new ReaderPool({ size: 2 });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'salvage-pool-'));
  logs = join(root, 'logs');
  // The demo's runs (finished and crashed Inspect logs, .json, verifiers, Codex) many times over:
  // more logs to read than one thread takes on.
  for (let copy = 0; copy < COPIES; copy++)
    cpSync(DEMO, join(logs, `copy-${copy}`), { recursive: true });
  // Another tool's JSON: never a run, sniffed once.
  writeFileSync(join(logs, 'copy-0/settings.json'), '{"theme": "dark"}');
  here = await listRuns(logs);
});
afterAll(async () => {
  await pool.close();
  expect(pool.running).toBe(0);
  rmSync(root, { recursive: true, force: true });
});

describe('a listing read by worker threads', () => {
  it('lists what a listing read in this thread lists, then answers from the digest', async () => {
    expect(here.length).toBeGreaterThanOrEqual(COPIES * 6);
    expect(here.some((row) => row.path.endsWith('settings.json'))).toBe(false);

    const digest = RunDigest.open(join(root, 'digest.sqlite'));
    try {
      const cold = await listRuns(logs, { digest, pool });
      expect(pool.running).toBe(2);
      expect(cold).toEqual(here);
      // Every log was read, and so was the other tool's JSON (sniffed, and remembered as such).
      expect(digest.misses).toBe(here.length + 1);

      digest.hits = digest.misses = 0;
      const warm = await listRuns(logs, { digest, pool });
      expect(warm).toEqual(here);
      // Crashed and unfinished runs are read again every time; the rest, settings.json included,
      // come from the digest.
      const unsealed = here.filter(
        (row) => !['success', 'error', 'cancelled'].includes(row.status!),
      );
      expect(digest.misses).toBe(unsealed.length);
      expect(digest.hits).toBe(here.length + 1 - unsealed.length);
    } finally {
      digest.close();
    }
  });

  it('streams the digest’s rows first, every run once, and counts the files to expect', async () => {
    const digest = RunDigest.open(join(root, 'stream-digest.sqlite'));
    try {
      // Warm one copy only: its rows are answered before any log of the others is read.
      await listRuns(join(logs, 'copy-1'), { digest });
      const batches: Array<{ rows: RunRow[]; found: number }> = [];
      await streamRuns(logs, { digest, pool }, (rows, found) => batches.push({ rows, found }));
      const rows = batches.flatMap((batch) => batch.rows);
      expect(new Set(rows.map((row) => row.location)).size).toBe(rows.length);
      expect(rows).toHaveLength(here.length);
      expect(batches[0]!.rows.every((row) => row.path.startsWith('copy-1/'))).toBe(true);
      // Files found so far: never fewer than the rows sent, and at the end every file (rows and
      // the other tool's JSON).
      const counts = batches.map((batch) => batch.found);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      let sent = 0;
      for (const batch of batches)
        expect(batch.found).toBeGreaterThanOrEqual((sent += batch.rows.length));
      expect(counts.at(-1)).toBe(rows.length + 1);
    } finally {
      digest.close();
    }
  });

  it('streams rows while the folder is still being walked, each linked to its folder’s outputs', async () => {
    // A folder per run, as verifiers and Codex lay them out: more folders than a turn of the walk.
    const runs = join(root, 'many');
    const source = fileURLToPath(
      new URL('2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval', DEMO),
    );
    for (let index = 0; index < 100; index++) {
      const folder = join(runs, `run-${String(index).padStart(3, '0')}`);
      mkdirSync(folder, { recursive: true });
      cpSync(source, join(folder, 'log.eval'));
      writeFileSync(join(folder, 'log.export.csv'), 'id\n');
    }
    const digest = RunDigest.open(join(root, 'walk-digest.sqlite'));
    try {
      await listRuns(runs, { digest });
      const batches: Array<{ rows: RunRow[]; found: number }> = [];
      await streamRuns(runs, { digest, pool }, (rows, found) => batches.push({ rows, found }));
      // The first rows came when a part of the folders had been walked: found counts the logs
      // found so far, which grew to all of them only later.
      expect(batches[0]!.found).toBeLessThan(100);
      expect(batches.at(-1)!.found).toBe(100);
      const rows = batches.flatMap((batch) => batch.rows);
      expect(rows).toHaveLength(100);
      for (const row of rows)
        expect(row.links.exports).toEqual([row.location.replace(/log\.eval$/, 'log.export.csv')]);
    } finally {
      digest.close();
    }
  });

  it('a listing stopped by its signal ends with the signal’s reason', async () => {
    const controller = new AbortController();
    let received = 0;
    const listing = streamRuns(logs, { pool, signal: controller.signal }, (rows) => {
      received += rows.length;
      controller.abort(new Error('no longer wanted'));
    });
    await expect(listing).rejects.toThrow('no longer wanted');
    expect(received).toBeLessThan(here.length);
  });

  it('a worker that cannot start fails its chunk; a bug fails its chunk only; a log gone is no failure', async () => {
    const broken = new ReaderPool({
      size: 1,
      workerUrl: new URL('data:text/javascript,throw new Error("the worker failed to start")'),
    });
    await expect(
      broken.read([{ path: here[0]!.location, root: logs, sniff: false, resume: null }]),
    ).rejects.toThrow('the worker failed to start');
    expect(broken.running).toBe(0);
    await broken.close();

    // A root that is no string: the worker's TypeError, its message carried over.
    await expect(
      pool.read([{ path: here[0]!.location, root: 42 as never, sniff: false, resume: null }]),
    ).rejects.toThrow(/root\.endsWith is not a function/);
    const [gone, read] = await pool.read([
      { path: join(logs, 'copy-0/no-such.eval'), root: logs, sniff: false, resume: null },
      { path: here[0]!.location, root: logs, sniff: false, resume: null },
    ]);
    expect(gone).toMatchObject({ row: null, gone: true });
    expect(read!.row).toEqual({ ...here[0], links: read!.row!.links });
  });
});
