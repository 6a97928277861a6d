import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CountingByteSource, MemoryByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import type { SalvageError } from '../../../shared/util/errors.ts';
import { JSONL_FIXTURES } from '../../../test/support/fixtures.ts';
import { legacyRow, rollouts } from '../../../test/support/verifiersRuns.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import type { WriterReport } from '../io/openWriters.ts';
import { checkSource, repairJsonl, undoRepair } from './repairJsonl.ts';

const folder = mkdtempSync(join(tmpdir(), 'salvage-splices-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Nobody writes these test logs: skip the /proc pass so hundreds of repairs stay quick. */
const noWriters = (): Promise<WriterReport> => Promise.resolve({ writers: [], complete: true });

const HANGMAN = join(
  JSONL_FIXTURES,
  'verifiers/prime-envs/games/hangman/environments/hangman_agent/outputs/evals/hangman_agent--gpt-4.1-mini/0e66d07a/results.jsonl',
);
const LEGACY_CODEX = join(
  JSONL_FIXTURES,
  'codex/sessions/2025/09/10/rollout-2025-09-10T18-58-38-cf4def41-21e0-4b91-adb4-5397c1492084.jsonl',
);

/** Lines of a log, each with its newline. */
function linesOf(path: string): Buffer[] {
  const bytes = readFileSync(path);
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start);
    lines.push(bytes.subarray(start, end + 1));
    start = end + 1;
  }
  return lines;
}

let written = 0;
/** Repair `damaged`, check it became `healthy`, undo, and check the damaged bytes are back exactly. */
async function repairsTo(damaged: Buffer, healthy: Buffer) {
  const log = join(folder, `log-${(written += 1)}.jsonl`);
  writeFileSync(log, damaged);
  const report = await repairJsonl(log, new Date(), noWriters);
  expect(Buffer.compare(readFileSync(log), healthy), 'repaired').toBe(0);
  await undoRepair(report.sidecar!, noWriters);
  expect(Buffer.compare(readFileSync(log), damaged), 'undone').toBe(0);
  rmSync(`${report.sidecar!}.undone`);
  return report;
}

describe('{A}{B}: a complete record lacking its newline with the next glued after it', () => {
  it('inserts the newline at every record boundary of a real verifiers run, removing nothing', async () => {
    const lines = linesOf(HANGMAN);
    const healthy = Buffer.concat(lines);
    for (let index = 0; index < lines.length - 1; index++) {
      const glued = Buffer.concat([
        ...lines.slice(0, index),
        lines[index]!.subarray(0, -1),
        ...lines.slice(index + 1),
      ]);
      const report = await repairsTo(glued, healthy);
      const at = Buffer.concat(lines.slice(0, index + 1)).length - 1;
      expect(report.plans, `boundary ${index}`).toMatchObject([
        { action: 'insert-newline', line: index + 1, moved: { start: at, end: at } },
      ]);
    }
  });

  it('inserts the newline between glued records of a legacy Codex session, whose lines differ in shape', async () => {
    const lines = linesOf(LEGACY_CODEX);
    const healthy = Buffer.concat(lines);
    // Every boundary between records of different shapes: header and state marker, message and
    // state marker, state marker and reasoning, call and output...
    const shapeOf = (line: Buffer) =>
      Object.keys(JSON.parse(line.toString('utf8')) as object)
        .sort()
        .join();
    const boundaries: number[] = [];
    for (let index = 0; index < lines.length - 1; index++) {
      if (shapeOf(lines[index]!) !== shapeOf(lines[index + 1]!) && boundaries.length < 40)
        boundaries.push(index);
    }
    expect(boundaries.length).toBe(40);
    for (const index of boundaries) {
      const glued = Buffer.concat([
        ...lines.slice(0, index),
        lines[index]!.subarray(0, -1),
        ...lines.slice(index + 1),
      ]);
      const scan = await checkSource(new MemoryByteSource(glued), 'rollout.jsonl');
      expect(
        scan.plans.map((plan) => [plan.action, plan.line]),
        `boundary ${index}`,
      ).toEqual([['insert-newline', index + 1]]);
    }
    const index = boundaries[7]!;
    await repairsTo(
      Buffer.concat([
        ...lines.slice(0, index),
        lines[index]!.subarray(0, -1),
        ...lines.slice(index + 1),
      ]),
      healthy,
    );
  });

  it('finds a record glued after torn bytes in a legacy Codex session, whose neighbours have other shapes', async () => {
    const lines = linesOf(LEGACY_CODEX);
    const shapeOf = (line: Buffer) =>
      Object.keys(JSON.parse(line.toString('utf8')) as object)
        .sort()
        .join();
    let found = 0;
    for (let index = 1; index < lines.length - 2 && found < 12; index++) {
      // A call, an output or a message torn halfway, then the next line (another shape) glued on.
      if (shapeOf(lines[index]!) === shapeOf(lines[index + 1]!) || lines[index]!.length < 200)
        continue;
      found += 1;
      const fragment = lines[index]!.subarray(0, Math.floor(lines[index]!.length / 2));
      const damaged = Buffer.concat([
        ...lines.slice(0, index),
        fragment,
        ...lines.slice(index + 1),
      ]);
      const scan = await checkSource(new MemoryByteSource(damaged), 'rollout.jsonl');
      expect(scan.plans, `line ${index + 1}`).toMatchObject([
        {
          action: 'move-fragment',
          line: index + 1,
          moved: { end: Buffer.concat(lines.slice(0, index)).length + fragment.length },
        },
      ]);
    }
    expect(found).toBe(12);
  });

  it('repairs a writer dying at every byte of a row before a resumed writer glued the next (verifiers 0.1.14 writes a row, then its newline)', async () => {
    const rows = rollouts(2, 2).map((rollout) => `${JSON.stringify(legacyRow(rollout))}\n`);
    const healthy = Buffer.from(rows.join(''));
    const row = rows[1]!;
    for (let cut = 1; cut < row.length; cut++) {
      const damaged = Buffer.from(rows[0]! + row.slice(0, cut) + rows[2]! + rows[3]!);
      const log = join(folder, `cut-${cut}.jsonl`);
      writeFileSync(log, damaged);
      const report = await repairJsonl(log, new Date(), noWriters);
      if (cut === row.length - 1) {
        // Everything but the newline was written: it goes in, nothing moves.
        expect(
          report.plans.map((plan) => plan.action),
          `cut ${cut}`,
        ).toEqual(['insert-newline']);
        expect(Buffer.compare(readFileSync(log), healthy)).toBe(0);
      } else {
        expect(
          report.plans.map((plan) => plan.action),
          `cut ${cut}`,
        ).toEqual(['move-fragment']);
        expect(readFileSync(log, 'utf8')).toBe(rows[0]! + rows[2]! + rows[3]!);
      }
      await undoRepair(report.sidecar!, noWriters);
      expect(Buffer.compare(readFileSync(log), damaged), `undo ${cut}`).toBe(0);
      rmSync(`${report.sidecar!}.undone`);
      rmSync(log);
    }
  }, 120_000);

  it('repairs an unterminated last line holding {A}{B}, or {A} then torn bytes', async () => {
    const rows = rollouts(1, 3).map((rollout) => JSON.stringify(legacyRow(rollout)));
    const both = await repairsTo(
      Buffer.from(`${rows[0]}\n${rows[1]}${rows[2]}`),
      Buffer.from(`${rows[0]}\n${rows[1]}\n${rows[2]}\n`),
    );
    expect(both.plans.map((plan) => [plan.action, plan.line])).toEqual([
      ['insert-newline', 2],
      ['append-newline', 2],
    ]);
    const torn = await repairsTo(
      Buffer.from(`${rows[0]}\n${rows[1]}${rows[2]!.slice(0, 80)}`),
      Buffer.from(`${rows[0]}\n${rows[1]}\n`),
    );
    expect(torn.plans.map((plan) => plan.action)).toEqual(['truncate-torn', 'append-newline']);
  });

  it('repairs a record, torn bytes and a record on one line: the fragment goes, a newline comes', async () => {
    const rows = rollouts(1, 3).map((rollout) => JSON.stringify(legacyRow(rollout)));
    const report = await repairsTo(
      Buffer.from(`${rows[0]}${rows[1]!.slice(0, 300)}${rows[2]}\n`),
      Buffer.from(`${rows[0]}\n${rows[2]}\n`),
    );
    expect(report.plans.map((plan) => plan.action)).toEqual(['move-fragment', 'insert-newline']);
    // No two plans start at the same byte (the dialog keys them by it).
    expect(new Set(report.plans.map((plan) => plan.moved.start)).size).toBe(2);
  });
});

describe('splices deep inside multi-megabyte lines', () => {
  // A record whose text holds many `{"` (a chat transcript of JSON snippets): 6 MB.
  const big = (id: number) =>
    JSON.stringify({
      example_id: id,
      prompt: [{ role: 'user', content: `{"nested": {"k": ${id}}} `.repeat(240_000) }],
      reward: 1,
    });
  const small = (id: number) => JSON.stringify({ example_id: id, prompt: [], reward: 0 });

  it('finds the glued record after a 6 MB torn fragment, reading the log a bounded number of times', async () => {
    const fragment = big(2).slice(0, 5_900_000);
    const damaged = Buffer.from(`${small(1)}\n${fragment}${small(3)}\n${small(4)}\n`);
    const source = new CountingByteSource(new MemoryByteSource(damaged));
    const started = performance.now();
    const scan = await checkSource(source, 'results.jsonl');
    expect(scan.plans).toMatchObject([
      {
        action: 'move-fragment',
        line: 2,
        moved: { start: small(1).length + 1, end: small(1).length + 1 + fragment.length },
      },
    ]);
    expect(source.bytesRead).toBeLessThan(5 * damaged.length);
    expect(performance.now() - started).toBeLessThan(20_000);
    await repairsTo(damaged, Buffer.from(`${small(1)}\n${small(3)}\n${small(4)}\n`));
  });

  it('inserts the newline after a complete 6 MB record glued to the next', async () => {
    const damaged = Buffer.from(`${small(1)}\n${big(2)}${big(3)}\n`);
    const scan = await checkSource(new MemoryByteSource(damaged), 'results.jsonl');
    const at = small(1).length + 1 + big(2).length;
    expect(scan.plans).toMatchObject([
      { action: 'insert-newline', line: 2, moved: { start: at, end: at } },
    ]);
    await repairsTo(damaged, Buffer.from(`${small(1)}\n${big(2)}\n${big(3)}\n`));
  });

  it('splits a line of 20,000 glued records in a bounded number of reads', async () => {
    const records = Array.from({ length: 20_000 }, (_, id) => `{"example_id":${id},"reward":1}`);
    const damaged = Buffer.from(`${records.join('')}\n`);
    const source = new CountingByteSource(new MemoryByteSource(damaged));
    const scan = await checkSource(source, 'results.jsonl');
    expect(scan.plans).toHaveLength(19_999);
    expect(new Set(scan.plans.map((plan) => plan.action))).toEqual(new Set(['insert-newline']));
    expect(source.bytesRead).toBeLessThan(5 * damaged.length);
    await repairsTo(damaged, Buffer.from(`${records.join('\n')}\n`));
  });

  it('leaves a torn record whose last inner object is complete alone (no record glued after it)', async () => {
    const torn = `{"example_id": 2, "prompt": [{"role": "user", "content": "hi"}]`;
    const scan = await checkSource(
      new MemoryByteSource(Buffer.from(`${small(1)}\n${torn}\n${small(3)}\n`)),
      'results.jsonl',
    );
    expect(scan.plans).toEqual([]);
    expect(scan.malformed).toMatchObject([{ line: 2 }]);
  });
});

describe('sidecars', () => {
  it('still undoes a version-2 sidecar (moves and a final newline)', async () => {
    const log = join(folder, 'v2.jsonl');
    const fragment = '{"example_id": 2, "pro';
    const original = `{"a":1}\n${fragment}{"a":3}\n{"a":4}`;
    writeFileSync(log, '{"a":1}\n{"a":3}\n{"a":4}\n');
    const sidecar = join(folder, 'v2.jsonl.torn-20261124T050237.123Z');
    writeFileSync(
      sidecar,
      `${JSON.stringify({
        salvage_sidecar: 2,
        log: 'v2.jsonl',
        moves: [{ action: 'move-fragment', offset: 8, length: fragment.length }],
        appended_newline: true,
        sha256: createHash('sha256').update(fragment).digest('hex'),
        size_before: original.length,
        size_after: original.length - fragment.length + 1,
        created: '2026-11-24T05:02:37.123Z',
      })}\n${fragment}`,
    );
    await undoRepair(sidecar, noWriters);
    expect(readFileSync(log, 'utf8')).toBe(original);
  });

  it('writes version 3 with the insertions, and refuses one whose insertion is not a newline', async () => {
    const report = await repairsTo(
      Buffer.from('{"a":1}{"a":2}\n'),
      Buffer.from('{"a":1}\n{"a":2}\n'),
    );
    expect(report.sizeAfter).toBe(16);
    const log = join(folder, 'crafted.jsonl');
    writeFileSync(log, '{"a":1}X{"a":2}\n');
    const sidecar = join(folder, 'crafted.jsonl.torn-1');
    writeFileSync(
      sidecar,
      `${JSON.stringify({
        salvage_sidecar: 3,
        log: 'crafted.jsonl',
        edits: [{ action: 'insert-newline', offset: 7, length: 0, insert: 'X' }],
        sha256: createHash('sha256').update('').digest('hex'),
        size_before: 15,
        size_after: 16,
        created: '2026-11-30T00:00:00Z',
      })}\n`,
    );
    const error = (await undoRepair(sidecar, noWriters).catch(
      (caught: unknown) => caught,
    )) as SalvageError;
    expect(error.kind).toBe('not-a-sidecar');
    expect(readFileSync(log, 'utf8')).toBe('{"a":1}X{"a":2}\n');
  });

  it('reads a real log through a file source in bounded reads', async () => {
    const source = await FileByteSource.open(LEGACY_CODEX);
    const counting = new CountingByteSource(source);
    try {
      const scan = await checkSource(counting, LEGACY_CODEX);
      expect(scan.plans).toEqual([]);
      expect(scan.malformedCount).toBe(0);
      expect(counting.bytesRead).toBe(source.size);
    } finally {
      await source.close();
    }
  });
});
