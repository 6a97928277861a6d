// A handful of kill -9 trials of each command that writes, at seeded random points (the long
// run, 100 and more a command with figures, is `npm run kill-trials`): see killTrials.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canKillAt } from '../support/killAt.ts';
import { Random } from '../fuzz/random.ts';
import { COMMANDS, KillTrials } from './killTrials.ts';

const TRIALS = 3;
const root = mkdtempSync(join(tmpdir(), 'salvage-kill-trials-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!canKillAt())('kill -9 at a random point', () => {
  for (const command of COMMANDS)
    it(`${command}: the original kept, the output nothing or complete, the next run clean`, async () => {
      const trials = new KillTrials(join(root, command));
      const random = new Random(`ci-kill-${command}`);
      let killed = 0;
      for (let trial = 0; trial < TRIALS; trial++)
        if ((await trials.trial(command, random)).killed) killed += 1;
      // The points are drawn among the calls the command makes: most trials kill it.
      expect(killed).toBeGreaterThan(0);
    }, 120_000);
});
