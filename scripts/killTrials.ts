// `npm run kill-trials`: the long run of the kill -9 trials (not part of `npm test`, which runs a
// handful): each of recover, repair, undo and export killed at seeded random points, every trial
// checked as in test/faults/killTrials.ts; prints the figures for the README.
//
//   npm run kill-trials                          # 100 trials a command
//   npm run kill-trials -- --trials 10 --command export --seed s1
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COMMANDS, KillTrials, TrialFailure, type Command } from '../test/faults/killTrials.ts';
import { Random } from '../test/fuzz/random.ts';
import { canKillAt } from '../test/support/killAt.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    command: { type: 'string' },
    seed: { type: 'string', default: 'salvage' },
  },
});
if (!canKillAt()) {
  console.error('kill-trials: strace cannot trace here (it needs ptrace); nothing was run');
  process.exit(1);
}
const trials = Number(values.trials);
const chosen = (values.command ? values.command.split(',') : COMMANDS) as Command[];
const root = mkdtempSync(join(tmpdir(), 'salvage-kill-trials-'));
let failures = 0;
console.log(`kill-trials: seed ${values.seed}, ${trials} trials of each of ${chosen.join(', ')}`);
for (const command of chosen) {
  const bench = new KillTrials(join(root, command));
  const random = new Random(`${values.seed}:${command}`);
  const started = performance.now();
  let killed = 0;
  let finished = 0;
  let absent = 0;
  let complete = 0;
  let cleaned = 0;
  const failed: string[] = [];
  for (let trial = 0; trial < trials; trial++) {
    try {
      const result = await bench.trial(command, random);
      if (result.killed) killed += 1;
      else finished += 1;
      if (result.output === 'absent') absent += 1;
      if (result.output === 'complete') complete += 1;
      cleaned += result.cleaned;
    } catch (error) {
      if (!(error instanceof TrialFailure)) throw error;
      failed.push(`#${trial}: ${error.message}`);
    }
  }
  failures += failed.length;
  const output = command === 'recover' || command === 'export';
  console.log(
    `${command.padEnd(8)} ${trials} trials: ${killed} killed, ${finished} finished first, ${failed.length} failed` +
      (output ? `; final path empty ${absent}, complete ${complete}` : '') +
      `; ${cleaned} leftovers cleaned or finished by the next run  ${Math.round((performance.now() - started) / 1000)} s`,
  );
  for (const line of failed.slice(0, 10)) console.log(`  ${line}`);
}
rmSync(root, { recursive: true, force: true });
process.exit(failures > 0 ? 1 : 0);
