import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  ftruncateSync,
  createWriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CountingByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { findUnterminatedTail } from '../../../shared/repair/tailHealth.ts';
import type { SalvageError } from '../../../shared/util/errors.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { checkJsonl, repairJsonl, undoRepair } from './repairJsonl.ts';
import { findWriters } from '../io/openWriters.ts';

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-repair-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A verifiers-like rollout row with the characters that break naive splitters. */
const record = (id: number): string =>
  JSON.stringify({
    example_id: id,
    prompt: [{ role: 'user', content: `Q${id}: naïve \u2028 split\u0085 here` }],
    completion: `A${id}`,
    reward: id % 2,
  }) + '\n';

describe('tail repair', () => {
  it('crash matrix: a writer dying at every byte of the last record loses nothing', async () => {
    const complete = record(1) + record(2);
    const last = record(3);
    const folder = tempFolder();
    for (let cut = 1; cut < last.length; cut++) {
      const log = join(folder, `results-${cut}.jsonl`);
      const original = Buffer.from(complete + last.slice(0, cut));
      writeFileSync(log, original);
      const report = await repairJsonl(log);
      const torn = original.subarray(Buffer.byteLength(complete));
      if (cut === last.length - 1) {
        // Everything but the newline was written: the record is complete, it only gets its newline.
        expect(report.plans.at(-1)?.action).toBe('append-newline');
        expect(readFileSync(log, 'utf8')).toBe(complete + last);
      } else {
        expect(report.plans.at(-1)?.action, `cut at ${cut}`).toBe('truncate-torn');
        expect(readFileSync(log, 'utf8')).toBe(complete);
        const sidecar = readFileSync(report.sidecar!);
        expect(Buffer.compare(sidecar.subarray(sidecar.indexOf(0x0a) + 1), torn)).toBe(0);
      }
      await undoRepair(report.sidecar!);
      expect(Buffer.compare(readFileSync(log), original), `undo at ${cut}`).toBe(0);
      rmSync(`${report.sidecar!}.undone`);
    }
  }, 120_000);

  it('moves the torn fragment of a spliced line out and keeps the record in place', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const fragment = record(3).slice(0, 25);
    const original = record(1) + record(2) + fragment + record(4) + record(5);
    writeFileSync(log, original);
    const check = await checkJsonl(log);
    expect(check.plans).toMatchObject([
      {
        action: 'move-fragment',
        line: 3,
        moved: { start: Buffer.byteLength(record(1) + record(2)) },
      },
    ]);
    const report = await repairJsonl(log);
    expect(readFileSync(log, 'utf8')).toBe(record(1) + record(2) + record(4) + record(5));
    const sidecar = readFileSync(report.sidecar!);
    expect(sidecar.subarray(sidecar.indexOf(0x0a) + 1).toString('utf8')).toBe(fragment);
    await undoRepair(report.sidecar!);
    expect(readFileSync(log, 'utf8')).toBe(original);
  });

  it('repairs every spliced line and the torn tail at once, into one sidecar, and undoes them all', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    // Three crashes: two resumed writers glued records onto torn bytes, the last left a torn tail.
    const first = record(2).slice(0, 17);
    const second = record(5).slice(0, 40);
    const tail = record(8).slice(0, 30);
    const original =
      record(1) + first + record(3) + record(4) + second + record(6) + record(7) + tail;
    writeFileSync(log, original);
    const check = await checkJsonl(log);
    expect(check.plans.map((plan) => [plan.action, plan.line])).toEqual([
      ['move-fragment', 2],
      ['move-fragment', 4],
      ['truncate-torn', 6],
    ]);
    const report = await repairJsonl(log);
    expect(readFileSync(log, 'utf8')).toBe(
      record(1) + record(3) + record(4) + record(6) + record(7),
    );
    expect(report.sizeAfter).toBe(
      Buffer.byteLength(original) - Buffer.byteLength(first + second + tail),
    );
    const sidecar = readFileSync(report.sidecar!);
    expect(sidecar.subarray(sidecar.indexOf(0x0a) + 1).toString('utf8')).toBe(
      first + second + tail,
    );
    expect((await checkJsonl(log)).plans).toEqual([]);
    await undoRepair(report.sidecar!);
    expect(readFileSync(log, 'utf8')).toBe(original);
  });

  it('adds a missing final newline in the same repair as a spliced line', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const fragment = record(2).slice(0, 20);
    const original = record(1) + fragment + record(3) + record(4).trimEnd();
    writeFileSync(log, original);
    const report = await repairJsonl(log);
    expect(report.plans.map((plan) => plan.action)).toEqual(['move-fragment', 'append-newline']);
    expect(readFileSync(log, 'utf8')).toBe(record(1) + record(3) + record(4));
    await undoRepair(report.sidecar!);
    expect(readFileSync(log, 'utf8')).toBe(original);
  });

  it('still undoes a version-1 sidecar written by an earlier Salvage', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const torn = '{"example_id": 2, "to';
    writeFileSync(log, record(1));
    const header = {
      salvage_sidecar: 1,
      log: 'results.jsonl',
      action: 'truncate-torn',
      offset: Buffer.byteLength(record(1)),
      length: torn.length,
      sha256: createHash('sha256').update(torn).digest('hex'),
      size_before: Buffer.byteLength(record(1) + torn),
      size_after: Buffer.byteLength(record(1)),
      created: '2026-11-24T05:02:37.123Z',
    };
    const sidecar = join(folder, 'results.jsonl.torn-20261124T050237.123Z');
    writeFileSync(sidecar, `${JSON.stringify(header)}\n${torn}`);
    await undoRepair(sidecar);
    expect(readFileSync(log, 'utf8')).toBe(record(1) + torn);
  });

  it('takes a suffix for a glued record only when it is shaped like the log’s records', async () => {
    const folder = tempFolder();
    // A torn record whose inner object happens to be complete JSON, then a newline: not a splice.
    const log = join(folder, 'inner.jsonl');
    const original = '{"example_id":1,"reward":1}\n{"example_id":2,"info":{"k":"v"}\n' + record(3);
    writeFileSync(log, original);
    const check = await checkJsonl(log);
    expect(check.plans).toEqual([]);
    expect(check.malformed.map((bad) => bad.line)).toEqual([2]);

    // A chat rollout torn after dozens of messages (many `{"` inside the fragment), then glued.
    const chat = (id: number): string =>
      JSON.stringify({
        example_id: id,
        prompt: Array.from({ length: 60 }, (_, turn) => ({
          role: 'user',
          content: `turn ${turn}`,
        })),
        reward: 1,
      }) + '\n';
    const fragment = chat(2).slice(0, Math.floor(chat(2).length * 0.9));
    const spliced = join(folder, 'chat.jsonl');
    writeFileSync(spliced, chat(1) + fragment + chat(3) + chat(4));
    const report = await repairJsonl(spliced);
    expect(report.plans.map((plan) => [plan.action, plan.line])).toEqual([['move-fragment', 2]]);
    expect(readFileSync(spliced, 'utf8')).toBe(chat(1) + chat(3) + chat(4));
  });

  it('refuses a crafted sidecar that names a file elsewhere or ranges outside the log', async () => {
    const folder = tempFolder();
    const inner = join(folder, 'logs');
    mkdirSync(inner);
    const victim = join(folder, 'victim.txt');
    writeFileSync(victim, 'precious');
    const bytes = 'INJECTED ';
    let crafted = 0;
    const sidecar = (header: Record<string, unknown>): string => {
      const path = join(inner, `crafted-${(crafted += 1)}.torn`);
      writeFileSync(
        path,
        `${JSON.stringify({
          salvage_sidecar: 2,
          moves: [{ action: 'move-fragment', offset: 0, length: bytes.length }],
          appended_newline: false,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size_before: 8 + bytes.length,
          size_after: 8,
          created: '2026-11-30T00:00:00Z',
          ...header,
        })}\n${bytes}`,
      );
      return path;
    };
    for (const path of [
      sidecar({ log: '../victim.txt' }),
      sidecar({ log: '/etc/passwd' }),
      sidecar({ log: 'results.jsonl', size_before: 4, size_after: -5 }),
      sidecar({
        log: 'results.jsonl',
        moves: [{ action: 'move-fragment', offset: 100, length: bytes.length }],
      }),
    ]) {
      const error = (await undoRepair(path).catch((caught: unknown) => caught)) as SalvageError;
      expect(error.kind, path).toBe('not-a-sidecar');
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('handles CRLF lines, an empty file, a healthy file and non-UTF-8 bytes', async () => {
    const folder = tempFolder();
    const crlf = join(folder, 'crlf.jsonl');
    writeFileSync(crlf, `{"a":1}\r\n{"a":2}\r\n{"a":3`);
    expect((await repairJsonl(crlf)).plans.at(-1)?.action).toBe('truncate-torn');
    expect(readFileSync(crlf, 'utf8')).toBe(`{"a":1}\r\n{"a":2}\r\n`);

    const empty = join(folder, 'empty.jsonl');
    writeFileSync(empty, '');
    expect((await repairJsonl(empty)).repaired).toBe(false);

    const healthy = join(folder, 'healthy.jsonl');
    writeFileSync(healthy, record(1));
    expect(await repairJsonl(healthy)).toMatchObject({ plans: [], repaired: false });

    const binary = join(folder, 'binary.jsonl');
    const original = Buffer.concat([Buffer.from(record(1)), Buffer.from([0xff, 0xfe, 0x7b, 0x80])]);
    writeFileSync(binary, original);
    const report = await repairJsonl(binary);
    expect(report.plans.at(-1)?.action).toBe('truncate-torn');
    expect(readFileSync(binary, 'utf8')).toBe(record(1));
    await undoRepair(report.sidecar!);
    expect(Buffer.compare(readFileSync(binary), original)).toBe(0);
  });

  it('reports malformed lines in the middle without touching them', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const original = record(1) + 'not json at all\n' + record(3);
    writeFileSync(log, original);
    const report = await repairJsonl(log);
    expect(report.plans).toEqual([]);
    expect(report.malformed).toEqual([
      { line: 2, start: Buffer.byteLength(record(1)), end: Buffer.byteLength(record(1)) + 15 },
    ]);
    expect(readFileSync(log, 'utf8')).toBe(original);
  });

  it('refuses to undo when the log changed after the repair', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    writeFileSync(log, record(1) + '{"torn');
    const report = await repairJsonl(log);
    writeFileSync(log, record(1) + record(2));
    const error = await undoRepair(report.sidecar!).catch((caught: unknown) => caught);
    expect((error as SalvageError).kind).toBe('changed-during-repair');
    expect(readFileSync(log, 'utf8')).toBe(record(1) + record(2));
  });

  it('a huge torn last line (200 MB) is repaired with the health check reading only its tail', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const stream = createWriteStream(log);
    stream.write(record(1));
    stream.write('{"example_id": 2, "completion": "');
    const block = 'x'.repeat(1024 * 1024);
    for (let index = 0; index < 200; index++) stream.write(block);
    await new Promise<void>((resolve) => stream.end(resolve));
    const report = await repairJsonl(log);
    expect(report.plans.at(-1)?.action).toBe('truncate-torn');
    expect(statSync(log).size).toBe(Buffer.byteLength(record(1)));
    expect(statSync(report.sidecar!).size).toBeGreaterThan(200 * 1024 * 1024);
  }, 120_000);
});

describe('health check', () => {
  it('reads one byte of a healthy multi-GB log', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const fd = openSync(log, 'w');
    ftruncateSync(fd, 6 * 1024 ** 3); // sparse: 6 GiB of zeros
    writeSync(fd, Buffer.from('{"a":1}\n'), 0, 8, 6 * 1024 ** 3);
    closeSync(fd);
    const file = await FileByteSource.open(log);
    const source = new CountingByteSource(file);
    expect(await findUnterminatedTail(source)).toBeNull();
    expect([source.reads, source.bytesRead]).toEqual([1, 1]);
    await file.close();
  });
});

describe('a concurrent appender', () => {
  it('never loses an appended record: a log held open for writing is refused, then repaired once the writer is gone', async () => {
    const folder = tempFolder();
    const outcomes = new Set<string>();
    for (let trial = 0; trial < 6; trial++) {
      const log = join(folder, `run-${trial}.jsonl`);
      writeFileSync(log, record(1) + '{"example_id": 2, "torn');
      // The appender writes complete records in append mode, as fast as it can, for a while.
      const appender = spawn(process.execPath, [
        '-e',
        `
        const fs = require('fs');
        const fd = fs.openSync(${JSON.stringify(log)}, 'a');
        process.stdout.write('go\\n');
        const end = Date.now() + 400;
        let id = 100;
        // Rows shaped like the log's own, as a resumed writer writes them.
        while (Date.now() < end) fs.writeSync(fd, JSON.stringify({ example_id: id++, prompt: [], completion: '', reward: 0, appended: true }) + '\\n');
        process.stdout.write(String(id - 100));
      `,
      ]);
      let output = '';
      appender.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((resolve) => {
        const wait = setInterval(() => {
          if (output.startsWith('go')) {
            clearInterval(wait);
            resolve();
          }
        }, 1);
      });
      const exited = new Promise((resolve) => appender.on('exit', resolve));
      let running = true;
      void exited.then(() => (running = false));
      // Repair again and again while the appender writes.
      while (running) {
        const outcome = await repairJsonl(log).then(
          (report) => (report.repaired ? 'repaired' : 'nothing to do'),
          (error: unknown) =>
            ['log-in-use', 'changed-during-repair'].includes((error as SalvageError).kind)
              ? 'refused'
              : `failed: ${String(error)}`,
        );
        outcomes.add(outcome);
        if (outcome.startsWith('failed')) throw new Error(outcome);
      }
      await exited;
      // Once the writer is gone, the repair goes through and leaves a log that ends cleanly.
      await repairJsonl(log);
      expect((await checkJsonl(log)).plans).toEqual([]);
      const written = Number(output.slice(3));
      const appended = readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"appended":true'))
        // An appended record may sit glued after the torn bytes (a spliced line): read from its own start.
        .map(
          (line) =>
            JSON.parse(line.slice(line.lastIndexOf('{"example_id":'))) as { example_id: number },
        );
      const sidecars = readdirSync(folder).filter((name) =>
        name.startsWith(`run-${trial}.jsonl.torn-`),
      );
      const moved = sidecars.map((name) => readFileSync(join(folder, name), 'utf8')).join('');
      // Every record the appender wrote is in the log, in order; no sidecar holds one.
      expect(appended.map((row) => row.example_id)).toEqual(
        Array.from({ length: written }, (_, index) => index + 100),
      );
      expect(moved).not.toContain('"appended":true');
    }
    // While the appender holds the log open for writing, attempts are refused.
    expect(outcomes.has('refused')).toBe(true);
  }, 60_000);
});

describe('a writer that opens, appends and closes for each record', () => {
  it('never loses a record appended while the repair moves bytes', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const fragment = record(0).slice(0, 30);
    const tail = record(9).slice(0, 20);
    writeFileSync(log, record(1) + fragment + record(2) + record(3) + tail);
    const late = [record(100), record(101)];
    // Such a writer holds the file only for an instant, too briefly to be seen; here it appends
    // right after the gaps are closed and before the log is cut.
    const report = await repairJsonl(log, new Date(), findWriters, () => {
      for (const row of late) appendFileSync(log, row);
    });
    expect(report.repaired).toBe(true);
    // The torn tail moved out; the late rows follow the kept records, glued to nothing.
    expect(readFileSync(log, 'utf8')).toBe(record(1) + record(2) + record(3) + late.join(''));
    const sidecar = readFileSync(report.sidecar!);
    expect(sidecar.subarray(sidecar.indexOf(0x0a) + 1).toString('utf8')).toBe(fragment + tail);
  });

  it('puts a missing newline before what was appended meanwhile', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const fragment = record(0).slice(0, 30);
    writeFileSync(log, record(1) + fragment + record(2) + record(3).trimEnd());
    const report = await repairJsonl(log, new Date(), findWriters, () =>
      appendFileSync(log, record(100)),
    );
    expect(report.plans.map((plan) => plan.action)).toEqual(['move-fragment', 'append-newline']);
    expect(readFileSync(log, 'utf8')).toBe(record(1) + record(2) + record(3) + record(100));
  });
});

describe('an orphan sidecar (a repair that stopped before it changed the log)', () => {
  it('is marked spent by --undo, which has nothing to put back (it refused)', async () => {
    const folder = tempFolder();
    const log = join(folder, 'results.jsonl');
    const original = record(1) + record(2) + record(3).slice(0, 40);
    writeFileSync(log, original);
    const report = await repairJsonl(log);
    // What an earlier Salvage killed between writing the sidecar and cutting the log left.
    writeFileSync(log, original);
    const undo = await undoRepair(report.sidecar!);
    expect(undo).toMatchObject({ restoredBytes: 0, neverApplied: true });
    expect(readFileSync(log, 'utf8')).toBe(original);
    expect(readdirSync(folder).sort()).toEqual([
      'results.jsonl',
      `${report.sidecar!.slice(folder.length + 1)}.undone`,
    ]);
    // A log changed otherwise is still refused.
    const again = await repairJsonl(log);
    writeFileSync(log, `${original}more`);
    await expect(undoRepair(again.sidecar!)).rejects.toMatchObject({
      kind: 'changed-during-repair',
    });
  });
});
