// A full disk and a read-only folder, for real: a small tmpfs (issue 15, finding 7). Recover,
// export, repair and undo each fail with a typed error a user can act on (`disk-full`,
// `read-only`), at whatever point the space runs out; the originals stay byte for byte, the
// output is absent or complete, and no temporary file, sidecar or journal is left behind.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../shared/formats/inspect-eval/evalLogReader.ts';
import { isSalvageError } from '../../shared/util/errors.ts';
import { nodeZlibCodecs } from '../../electron/node/codecs/nodeZlibCodecs.ts';
import { exportRun } from '../../electron/node/export/exportRun.ts';
import { recoverLog } from '../../electron/node/recovery/recoverLog.ts';
import { repairJsonl, undoRepair } from '../../electron/node/repair/repairJsonl.ts';
import { writeCrashedRun } from '../support/crashedRun.ts';
import { fixture, REAL } from '../support/fixtures.ts';
import {
  canMountSmallDisk,
  folderOn,
  mountSmallDisk,
  type SmallDisk,
} from '../support/smallDisk.ts';

const noWriters = () => Promise.resolve({ writers: [], complete: true });
const PAGE = 4096;

/** Every file under a folder (the filler aside) with its content's hash. */
function snapshot(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    const path = join(folder, name);
    if (name.endsWith('.filler') || !statSync(path).isFile()) continue;
    files.set(name, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}

function leftovers(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) =>
    /\.salvage-\d+-\d+\.tmp$|\.salvage-journal$/.test(name),
  );
}

async function outcome(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return 'done';
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    return error.kind;
  }
}

async function readsWhole(path: string): Promise<void> {
  const reader = await EvalLogReader.open(
    new MemoryByteSource(new Uint8Array(readFileSync(path))),
    nodeZlibCodecs(),
  );
  await reader.readHeader();
  for (const ref of await reader.listSamples()) await reader.readSample(ref.id, ref.epoch);
}

const mountable = canMountSmallDisk();
if (!mountable)
  console.log('full-disk tests skipped: no tmpfs can be mounted here (they need root)');

describe.skipIf(!mountable)('a full disk', () => {
  let disk: SmallDisk;
  beforeAll(() => {
    disk = mountSmallDisk(8 * 1024 * 1024);
  });
  afterAll(() => disk.unmount());

  it('recover: disk-full at every amount of space short of enough; the crashed run untouched', async () => {
    const folder = folderOn(disk, 'recover');
    const run = await writeCrashedRun({
      folder,
      name: 'run',
      flushed: 3,
      completed: 4,
      inProgress: 1,
      segments: 2,
      textChars: 2_000,
    });
    const before = snapshot(folder);
    const kinds = new Set<string>();
    for (let pages = 0; pages <= 24; pages += 2) {
      disk.leave(pages * PAGE);
      const kind = await outcome(recoverLog(run.log, { overwrite: true }));
      disk.unfill();
      kinds.add(kind);
      const output = join(folder, 'run-recovered.eval');
      if (kind === 'done') {
        await readsWhole(output);
        writeFileSync(output, ''); // made again by the next round (overwrite)
      } else {
        expect(kind, `${pages} pages free`).toBe('disk-full');
        expect(existsSync(output) ? readFileSync(output).length : 0).toBe(0);
      }
      expect(leftovers(folder), `${pages} pages free`).toEqual([]);
      const now = snapshot(folder);
      for (const [name, hash] of before) expect(now.get(name), name).toBe(hash);
    }
    expect(kinds.has('disk-full')).toBe(true);
    expect(kinds.has('done')).toBe(true);
  }, 60_000);

  it('export: disk-full, the log untouched, no partial output', async () => {
    const folder = folderOn(disk, 'export');
    const log = join(folder, 'run.eval');
    cpSync(
      fixture(
        `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`,
      ),
      log,
    );
    const before = snapshot(folder);
    const kinds = new Set<string>();
    for (const format of ['jsonl', 'json', 'eval'] as const) {
      for (let pages = 0; pages <= 12; pages += 3) {
        const output = join(folder, `out-${format}-${pages}.${format}`);
        disk.leave(pages * PAGE);
        const kind = await outcome(exportRun(log, format, output));
        disk.unfill();
        kinds.add(kind);
        if (kind !== 'done') {
          expect(kind).toBe('disk-full');
          expect(existsSync(output)).toBe(false);
        }
        expect(leftovers(folder)).toEqual([]);
      }
    }
    expect(snapshot(folder).get('run.eval')).toBe(before.get('run.eval'));
    expect(kinds.has('disk-full')).toBe(true);
  }, 60_000);

  it('repair and undo: at every point the space runs out the log is as it was, and nothing is left (no orphan sidecar)', async () => {
    const row = (id: number): string =>
      `${JSON.stringify({ example_id: id, reward: 1, text: 'x'.repeat(300) })}\n`;
    // A log that ends a page exactly, so that the newline a repair appends needs a new block.
    let body = row(1) + row(2) + row(3);
    const lastRecord = JSON.stringify({ example_id: 4, reward: 1, text: '' });
    const pad = PAGE * 2 - body.length - lastRecord.length;
    body += lastRecord.replace('"text":""', `"text":"${'y'.repeat(pad)}"`);
    const cases: Array<[string, string]> = [
      ['a record missing its newline (the log grows)', body],
      ['a torn tail (the log shrinks)', row(1) + row(2) + row(3) + row(4).slice(0, 100)],
      [
        'a fragment glued before a record (bytes move)',
        row(1) + row(2).slice(0, 50) + row(3) + row(4),
      ],
    ];
    for (const [what, original] of cases) {
      const folder = folderOn(disk, `repair-${cases.findIndex(([name]) => name === what)}`);
      const log = join(folder, 'results.jsonl');
      const kinds = new Set<string>();
      for (let pages = 0; pages <= 6; pages++) {
        for (const name of readdirSync(folder))
          if (name !== 'results.jsonl') rmSync(join(folder, name));
        writeFileSync(log, original);
        disk.leave(pages * PAGE);
        let kind: string;
        let sidecar: string | null = null;
        try {
          sidecar = (await repairJsonl(log, new Date(), noWriters)).sidecar;
          kind = 'done';
        } catch (error) {
          if (!isSalvageError(error)) throw error;
          kind = error.kind;
        }
        disk.unfill();
        kinds.add(kind);
        const where = `${what}, ${pages} pages free`;
        if (kind === 'done') {
          // And its undo, on a full disk too.
          disk.leave(0);
          const undo = await outcome(undoRepair(sidecar!, noWriters));
          disk.unfill();
          if (undo === 'done') expect(readFileSync(log, 'utf8'), where).toBe(original);
          else {
            expect(undo, where).toBe('disk-full');
            expect(existsSync(sidecar!), where).toBe(true);
            await undoRepair(sidecar!, noWriters);
            expect(readFileSync(log, 'utf8'), where).toBe(original);
          }
        } else {
          expect(kind, where).toBe('disk-full');
          expect(readFileSync(log, 'utf8'), where).toBe(original);
          expect(
            readdirSync(folder).filter((name) => name.includes('.torn-')),
            where,
          ).toEqual([]);
        }
        expect(leftovers(folder), where).toEqual([]);
      }
      expect(kinds.has('disk-full'), what).toBe(true);
      expect(kinds.has('done'), what).toBe(true);
    }
  }, 60_000);
});

describe.skipIf(!mountable)('a read-only folder', () => {
  let disk: SmallDisk;
  beforeAll(() => {
    disk = mountSmallDisk(8 * 1024 * 1024);
  });
  afterAll(() => {
    disk.readOnly(false);
    disk.unmount();
  });

  it('recover, export, repair and undo each say read-only, and change nothing', async () => {
    const folder = folderOn(disk, 'ro');
    const run = await writeCrashedRun({
      folder,
      name: 'run',
      flushed: 2,
      completed: 2,
      inProgress: 0,
      segments: 1,
    });
    const log = join(folder, 'results.jsonl');
    const original = '{"example_id": 1, "reward": 1}\n{"example_id": 2, "rew';
    writeFileSync(log, original);
    const sidecar = (await repairJsonl(log, new Date(), noWriters)).sidecar!;
    const torn = join(folder, 'torn.jsonl');
    writeFileSync(torn, original);
    const before = snapshot(folder);
    disk.readOnly(true);
    try {
      expect(await outcome(recoverLog(run.log))).toBe('read-only');
      expect(await outcome(exportRun(run.log, 'jsonl', join(folder, 'out.jsonl')))).toBe(
        'read-only',
      );
      expect(await outcome(repairJsonl(torn, new Date(), noWriters))).toBe('read-only');
      expect(await outcome(undoRepair(sidecar, noWriters))).toBe('read-only');
    } finally {
      disk.readOnly(false);
    }
    expect(snapshot(folder)).toEqual(before);
    // The messages say what to do.
    disk.readOnly(true);
    try {
      await recoverLog(run.log);
    } catch (error) {
      expect((error as Error).message).toMatch(/read-only; choose a folder on a writable disk/);
    } finally {
      disk.readOnly(false);
    }
  });
});
