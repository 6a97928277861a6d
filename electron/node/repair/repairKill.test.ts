// A repair and its undo killed (-9) between every two of their changes to the disk: whatever
// the kill left, the next repair or undo finishes the change, the original comes back byte for
// byte through the undo, and no temporary file or journal stays (issue 15, finding 1: a kill
// while later bytes were being moved left the log neither original nor repaired, and --undo
// refused). The kill points come from strace; without it the test says so and is skipped.
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canKillAt,
  FILE_CHANGES,
  forEachKillPoint,
  runKilledAt,
} from '../../../test/support/killAt.ts';
import { checkJsonl, repairJsonl, undoRepair } from './repairJsonl.ts';

const folder = mkdtempSync(join(tmpdir(), 'salvage-repair-kill-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const noWriters = () => Promise.resolve({ writers: [], complete: true });

const row = (id: number): string =>
  `${JSON.stringify({ example_id: id, prompt: [{ role: 'user', content: `question ${id} ${'x'.repeat(200)}` }], reward: id % 2 })}\n`;
/** A fragment torn by a crash, a resumed writer's row glued after it, more rows, a torn tail. */
const ORIGINAL =
  row(1) +
  row(2).slice(0, 90) +
  row(3) +
  Array.from({ length: 40 }, (_, i) => row(10 + i)).join('') +
  row(99).slice(0, 50);

function files(): string[] {
  return readdirSync(folder).sort();
}

describe.skipIf(!canKillAt())('a repair killed at every change it makes to the disk', () => {
  it('is finished by the next repair, and its undo gives the original back', async () => {
    const log = join(folder, 'results.jsonl');
    // What a repair that is never killed leaves.
    writeFileSync(log, ORIGINAL);
    const clean = await repairJsonl(log, new Date(), noWriters);
    const repaired = readFileSync(log, 'utf8');
    expect(clean.plans.map((plan) => plan.action)).toEqual(['move-fragment', 'truncate-torn']);
    const reset = (): void => {
      for (const name of files()) rmSync(join(folder, name), { force: true });
      writeFileSync(log, ORIGINAL);
    };
    const points = await forEachKillPoint(['repair', log], FILE_CHANGES, reset, async (point) => {
      const where = `killed at ${point.call} #${point.nth}`;
      const report = await repairJsonl(log, new Date(), noWriters);
      expect(readFileSync(log, 'utf8'), where).toBe(repaired);
      const sidecars = files().filter((name) => name.includes('.torn-'));
      expect(sidecars, where).toHaveLength(1);
      // No journal, no temporary file: only the log and its one sidecar.
      expect(files(), where).toEqual(['results.jsonl', sidecars[0]]);
      expect(
        report.repaired || report.completedInterrupted !== undefined || report.plans.length === 0,
      ).toBe(true);
      await undoRepair(join(folder, sidecars[0]!), noWriters);
      expect(readFileSync(log, 'utf8'), where).toBe(ORIGINAL);
    });
    expect(points).toBeGreaterThan(5);
  }, 240_000);
});

describe.skipIf(!canKillAt())('an undo killed at every change it makes to the disk', () => {
  it('is finished by the next undo, and the log is the original byte for byte', async () => {
    const log = join(folder, 'results.jsonl');
    const reset = (): void => {
      for (const name of files()) rmSync(join(folder, name), { force: true });
      writeFileSync(log, ORIGINAL);
    };
    let count = 0;
    for (const call of FILE_CHANGES) {
      for (let nth = 1; nth < 1_000; nth++) {
        reset();
        // The repaired log and its sidecar, made anew (in this process) before each kill.
        const sidecar = (await repairJsonl(log, new Date(), noWriters)).sidecar!;
        const result = runKilledAt(['repair', '--undo', sidecar], call, nth);
        if (!result.killed) {
          expect(result.status, result.stderr).toBe(0);
          break;
        }
        const where = `killed at ${call} #${nth}`;
        const done = ['results.jsonl', `${sidecar.slice(folder.length + 1)}.undone`];
        // strace sends the kill as the nth call returns, but another of the process's threads
        // may make its next file calls before the kill lands: the undo may have finished.
        const finishedBeforeKill =
          JSON.stringify(files()) === JSON.stringify(done) &&
          readFileSync(log, 'utf8') === ORIGINAL;
        if (!finishedBeforeKill) {
          count += 1;
          await undoRepair(sidecar, noWriters);
        }
        expect(readFileSync(log, 'utf8'), where).toBe(ORIGINAL);
        expect(files(), where).toEqual(done);
      }
    }
    expect(count).toBeGreaterThan(3);
  }, 240_000);
});

describe.skipIf(!canKillAt())('an undo killed after its sidecar was renamed `.undone`', () => {
  it('leaves a log that a resumed writer may append to and the next run accepts', async () => {
    const log = join(folder, 'results.jsonl');
    const resumed = row(100);
    let inWindow = 0;
    // The journal's removal is the undo's last unlink: kill at each unlink until one lands after
    // the rename (sidecar `.undone`, journal still there), the window this test is about.
    for (const call of ['unlink', 'unlinkat']) {
      for (let nth = 1; nth < 100; nth++) {
        for (const name of files()) rmSync(join(folder, name), { force: true });
        writeFileSync(log, ORIGINAL);
        const sidecar = (await repairJsonl(log, new Date(), noWriters)).sidecar!;
        const result = runKilledAt(['repair', '--undo', sidecar], call, nth);
        if (!result.killed) {
          expect(result.status, result.stderr).toBe(0);
          break;
        }
        const name = sidecar.slice(folder.length + 1);
        const left = files();
        if (!left.includes(`${name}.undone`) || !left.some((f) => f.endsWith('.salvage-journal')))
          continue;
        inWindow += 1;
        const where = `killed at ${call} #${nth}`;
        // The undo was done: a writer that resumes the run appends to the original log.
        expect(readFileSync(log, 'utf8'), where).toBe(ORIGINAL);
        appendFileSync(log, resumed);
        const check = await checkJsonl(log);
        expect(check.completedInterrupted, where).toBe('undo');
        expect(readFileSync(log, 'utf8'), where).toBe(ORIGINAL + resumed);
        expect(files(), where).toEqual(['results.jsonl', `${name}.undone`]);
        // The sidecar stays spent: undoing it again is refused, not replayed.
        await expect(undoRepair(sidecar, noWriters)).rejects.toMatchObject({
          kind: 'not-a-sidecar',
        });
      }
    }
    expect(inWindow).toBeGreaterThan(0);
  }, 120_000);
});
