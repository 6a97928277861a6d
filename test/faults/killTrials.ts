// Kill -9 trials of the commands that write (issue 15, faults during writes): `salvage recover`,
// `repair`, `repair --undo` and `export`, each killed at a random one of the system calls that
// change files (strace picks the point, a real SIGKILL). After each kill:
//   - what the user owns is byte for byte as it was (the crashed run and its buffer, the log
//     exported), or, for a repair and an undo, recoverable: the log is either before or after the
//     change, or a journal holds what finishes it;
//   - the final path holds nothing or a complete, verified file;
//   - the next run (not killed; in this process, or a new one where a private temporary folder
//     matters) succeeds and leaves no temporary file, journal or
//     private database copy behind.
// Used by test/faults/killTrials.test.ts (a handful in CI) and scripts/killTrials.ts (the long run).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryByteSource } from '../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../shared/formats/inspect-eval/evalLogReader.ts';
import { nodeZlibCodecs } from '../../electron/node/codecs/nodeZlibCodecs.ts';
import { exportRun } from '../../electron/node/export/exportRun.ts';
import type { ExportFormat } from '../../shared/model/exportFormat.ts';
import { repairJsonl, undoRepair } from '../../electron/node/repair/repairJsonl.ts';
import { writeCrashedRun } from '../support/crashedRun.ts';
import { fixture, REAL } from '../support/fixtures.ts';
import { EVERY_WRITE, runKilledAfter } from '../support/killAt.ts';
import type { Random } from '../fuzz/random.ts';

const CLI = fileURLToPath(new URL('../../electron/node/cli/main.ts', import.meta.url));
const noWriters = () => Promise.resolve({ writers: [], complete: true });

export const COMMANDS = ['recover', 'repair', 'undo', 'export'] as const;
export type Command = (typeof COMMANDS)[number];

export interface TrialResult {
  readonly command: Command;
  /** Killed after this file-changing call (or write) of the `of` the command makes. */
  readonly nth: number;
  readonly of: number;
  /** False when the command finished before the chosen call (a trial that checks the end state). */
  readonly killed: boolean;
  /** What the kill left at the final path: nothing, or a complete file. */
  readonly output: 'absent' | 'complete' | 'not-applicable';
  /** Leftovers (temporary files, journals, database copies) the next run removed or finished. */
  readonly cleaned: number;
}

/** A failed check: what was wrong, where the command was killed. */
export class TrialFailure extends Error {}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new TrialFailure(what);
}

/** Every file under a folder with its content's hash. */
function snapshot(folder: string, skip: (name: string) => boolean = () => false) {
  const files = new Map<string, string>();
  for (const name of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    const path = join(folder, name);
    if (skip(name) || !statSync(path).isFile()) continue;
    files.set(name, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}

function sameFiles(before: Map<string, string>, after: Map<string, string>, what: string): void {
  for (const [name, hash] of before) check(after.get(name) === hash, `${what}: ${name} changed`);
}

const LEFTOVER = /\.salvage-\d+-\d+\.tmp$|\.salvage-journal$|^salvage-buffer-\d+-\d+-/;
function leftovers(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) =>
    LEFTOVER.test(name.split('/').pop()!),
  );
}

/** `salvage ARGS`, not killed (the next run). */
function runSalvage(args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  check(result.status === 0, `the next run (salvage ${args.join(' ')}) failed: ${result.stderr}`);
}

async function evalSamples(path: string): Promise<number> {
  const reader = await EvalLogReader.open(
    new MemoryByteSource(new Uint8Array(readFileSync(path))),
    nodeZlibCodecs(),
  );
  await reader.readHeader();
  const refs = await reader.listSamples();
  for (const ref of refs) await reader.readSample(ref.id, ref.epoch);
  return refs.length;
}

/** One command's trial setting: its files made anew for each trial, the checks after a kill. */
interface Setting {
  readonly args: ReadonlyArray<string>;
  /** Checks what the kill left, runs the next run, checks its end state; returns leftovers cleaned. */
  readonly afterKill: (killed: boolean) => Promise<{
    output: TrialResult['output'];
    cleaned: number;
  }>;
}

const row = (id: number): string =>
  `${JSON.stringify({ example_id: id, prompt: [{ role: 'user', content: `question ${id} ${'x'.repeat(200)}` }], reward: id % 2 })}\n`;
/** A JSONL log a crash and a resume left: a torn fragment with a record glued on, a torn tail. */
const TORN_LOG =
  row(1) +
  row(2).slice(0, 90) +
  row(3) +
  Array.from({ length: 40 }, (_, i) => row(10 + i)).join('') +
  row(99).slice(0, 50);

/**
 * The trials' workbench: `folder` holds the user's files, `temp` is the killed process's TMPDIR
 * (where a recovery copies a buffer database), both emptied before each trial.
 */
export class KillTrials {
  private readonly root: string;
  private readonly folder: string;
  private readonly temp: string;
  private readonly env: NodeJS.ProcessEnv;
  private repairedLog: string | undefined;
  private readonly exports = new Map<string, Buffer>();
  private recoveredSamples: number | undefined;
  /** The calls each command makes, counted once per setting. */
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(root: string) {
    this.root = root;
    this.folder = join(root, 'files');
    this.temp = join(root, 'tmp');
    this.env = { ...process.env, TMPDIR: this.temp };
  }

  private reset(): void {
    rmSync(this.folder, { recursive: true, force: true });
    rmSync(this.temp, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
    mkdirSync(this.temp, { recursive: true });
  }

  /** Run one trial of `command`, killed at a point drawn from `random`. Throws TrialFailure. */
  async trial(command: Command, random: Random): Promise<TrialResult> {
    this.reset();
    // Half the recoveries read a buffer database (copied privately to TMPDIR), half a filestore;
    // exports go to each format in turn.
    const variant = random.below(4);
    const setting = await this.setting(command, variant);
    const key = `${command}:${variant}`;
    const calls = this.counts.get(key) ?? countCalls(setting.args, this.env);
    this.counts.set(key, calls);
    const total = [...calls.values()].reduce((sum, count) => sum + count, 0);
    check(total > 0, `salvage ${setting.args.join(' ')} made no change to the disk`);
    // A point uniformly among every call the command makes.
    const nth = 1 + random.below(total);
    // The run that was counted made the files: make them anew for the killed one.
    this.reset();
    const fresh = await this.setting(command, variant);
    const result = await runKilledAfter(fresh.args, EVERY_WRITE, nth, this.env);
    if (!result.killed)
      check(
        result.status === 0,
        `salvage ${fresh.args.join(' ')} (to be killed after call ${nth}) exited ${result.status}: ${result.stderr}`,
      );
    try {
      const after = await fresh.afterKill(result.killed);
      return { command, nth, of: total, killed: result.killed, ...after };
    } catch (error) {
      if (error instanceof TrialFailure)
        throw new TrialFailure(`${command} killed after call ${nth} of ${total}: ${error.message}`);
      throw error;
    }
  }

  private async setting(command: Command, variant: number): Promise<Setting> {
    switch (command) {
      case 'recover':
        return this.recoverSetting(variant % 2 === 0);
      case 'export':
        return this.exportSetting((['eval', 'json', 'jsonl', 'csv'] as const)[variant]!);
      case 'repair':
        return this.repairSetting();
      case 'undo':
        return this.undoSetting();
    }
  }

  private async recoverSetting(database: boolean): Promise<Setting> {
    const buffers = join(this.folder, 'buffers');
    const run = await writeCrashedRun({
      folder: this.folder,
      name: 'run',
      flushed: 3,
      completed: 4,
      inProgress: 1,
      segments: database ? 0 : 2,
      ...(database ? { databaseFolder: buffers } : {}),
      textChars: 2_000,
    });
    const output = join(this.folder, 'out', 'run-recovered.eval');
    mkdirSync(join(this.folder, 'out'));
    const args = [
      'recover',
      run.log,
      '--output',
      output,
      ...(database ? ['--buffer-dir', buffers] : []),
    ];
    const before = snapshot(this.folder);
    return {
      args,
      afterKill: async (killed) => {
        sameFiles(
          before,
          snapshot(this.folder, (name) => name.startsWith('out')),
          'recover',
        );
        const killedOutput = existsSync(output) ? await evalSamples(output) : null;
        const left = leftovers(join(this.folder, 'out')).length + leftovers(this.temp).length;
        if (!killed) check(left === 0, 'a finished recovery left files behind');
        runSalvage([...args, '--overwrite'], this.env);
        // Every recovery of this run holds the same samples; the first one tells how many.
        this.recoveredSamples ??= await evalSamples(output);
        check((await evalSamples(output)) === this.recoveredSamples, 'the next recovery');
        if (killedOutput !== null)
          check(killedOutput === this.recoveredSamples, 'a partial recovery at the final path');
        check(
          leftovers(join(this.folder, 'out')).length === 0 &&
            (!database || leftovers(this.temp).length === 0),
          `leftovers after the next run: ${[...leftovers(join(this.folder, 'out')), ...leftovers(this.temp)].join(', ')}`,
        );
        sameFiles(
          before,
          snapshot(this.folder, (name) => name.startsWith('out')),
          'recover',
        );
        return { output: killedOutput === null ? 'absent' : 'complete', cleaned: left };
      },
    };
  }

  private exportSetting(format: ExportFormat): Setting {
    const log = join(this.folder, 'run.eval');
    cpSync(
      fixture(
        `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`,
      ),
      log,
    );
    const output = join(this.folder, 'out', `run.${format}`);
    mkdirSync(join(this.folder, 'out'));
    const args = ['export', log, '--to', format, output];
    const before = snapshot(this.folder);
    return {
      args,
      afterKill: async () => {
        // Export is deterministic: a complete output is the one an export never killed writes.
        if (!this.exports.has(format)) {
          await exportRun(log, format, output, true);
          this.exports.set(format, readFileSync(output));
          rmSync(output);
        }
        const expected = this.exports.get(format)!;
        const state: TrialResult['output'] = existsSync(output) ? 'complete' : 'absent';
        if (state === 'complete') check(readFileSync(output).equals(expected), 'a partial export');
        const left = leftovers(join(this.folder, 'out')).length;
        await exportRun(log, format, output, true);
        check(readFileSync(output).equals(expected), 'the next export');
        check(leftovers(join(this.folder, 'out')).length === 0, 'leftovers after the next run');
        sameFiles(
          before,
          snapshot(this.folder, (name) => name.startsWith('out')),
          'export',
        );
        return { output: state, cleaned: left };
      },
    };
  }

  /** The log a repair never killed leaves (made once). */
  private async repaired(): Promise<string> {
    if (this.repairedLog === undefined) {
      const scratch = join(this.root, 'reference');
      mkdirSync(scratch, { recursive: true });
      writeFileSync(join(scratch, 'results.jsonl'), TORN_LOG);
      await repairJsonl(join(scratch, 'results.jsonl'), new Date(), noWriters);
      this.repairedLog = readFileSync(join(scratch, 'results.jsonl'), 'utf8');
      rmSync(scratch, { recursive: true, force: true });
    }
    return this.repairedLog;
  }

  /** Before the next run: the log is before or after the change, or a journal can finish it. */
  private recoverable(log: string, repaired: string): void {
    const now = readFileSync(log, 'utf8');
    const journaled = readdirSync(this.folder).some((name) => name.endsWith('.salvage-journal'));
    check(
      now === TORN_LOG || now === repaired || journaled,
      'the log is neither original nor repaired, and no journal can finish the change',
    );
  }

  private async repairSetting(): Promise<Setting> {
    const repaired = await this.repaired();
    const log = join(this.folder, 'results.jsonl');
    writeFileSync(log, TORN_LOG);
    const args = ['repair', log];
    return {
      args,
      afterKill: async () => {
        this.recoverable(log, repaired);
        const left = leftovers(this.folder).length;
        await repairJsonl(log, new Date(), noWriters);
        check(readFileSync(log, 'utf8') === repaired, 'the next repair left a different log');
        const sidecars = readdirSync(this.folder).filter((name) => name.includes('.torn-'));
        check(sidecars.length === 1, `${sidecars.length} sidecars`);
        check(readdirSync(this.folder).length === 2, 'leftovers after the next run');
        await undoRepair(join(this.folder, sidecars[0]!), noWriters);
        check(readFileSync(log, 'utf8') === TORN_LOG, 'the undo did not give the original back');
        return { output: 'not-applicable', cleaned: left };
      },
    };
  }

  private async undoSetting(): Promise<Setting> {
    const repaired = await this.repaired();
    const log = join(this.folder, 'results.jsonl');
    writeFileSync(log, TORN_LOG);
    const sidecar = (await repairJsonl(log, new Date(), noWriters)).sidecar!;
    const args = ['repair', '--undo', sidecar];
    return {
      args,
      afterKill: async () => {
        this.recoverable(log, repaired);
        const left = leftovers(this.folder).length;
        // The next undo finishes (or, when the killed one had finished, says it was undone).
        if (existsSync(sidecar)) await undoRepair(sidecar, noWriters);
        check(readFileSync(log, 'utf8') === TORN_LOG, 'the log is not the original');
        const names = readdirSync(this.folder).sort();
        check(
          names.length === 2 && names[1] === `${sidecar.slice(this.folder.length + 1)}.undone`,
          `files after the next undo: ${names.join(', ')}`,
        );
        return { output: 'not-applicable', cleaned: left };
      },
    };
  }
}

/** How many times `salvage ARGS` makes each file-changing call, counted by strace in one run. */
function countCalls(args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Map<string, number> {
  const result = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-c',
      '-U',
      'calls,name',
      '-e',
      `trace=${EVERY_WRITE.join(',')}`,
      process.execPath,
      CLI,
      ...args,
    ],
    { env, encoding: 'utf8' },
  );
  check(result.status === 0, `salvage ${args.join(' ')} failed: ${result.stderr}`);
  const counts = new Map<string, number>();
  for (const line of result.stderr.split('\n')) {
    const match = /^\s*(\d+)\s+(\w+)\s*$/.exec(line);
    if (match && (EVERY_WRITE as ReadonlyArray<string>).includes(match[2]!))
      counts.set(match[2]!, Number(match[1]));
  }
  return counts;
}
