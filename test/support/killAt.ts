// Killing a Salvage command at an exact point: strace injects SIGKILL into the process at the
// Nth call of a set of system calls (a write, an fsync, a rename, a cut…), so a test can kill a
// repair between every two of its changes to the disk. A real kill -9, not a simulated one.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../electron/node/cli/main.ts', import.meta.url));

/** The system calls that change files, and the sync and rename calls that order those changes. */
export const FILE_CHANGES = [
  'pwrite64',
  'pwritev',
  'ftruncate',
  'fsync',
  'fdatasync',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
] as const;

/** Every write too (eventfd wake-ups included): more kill points, for the long run. */
export const EVERY_WRITE = [...FILE_CHANGES, 'write', 'writev'] as const;

/**
 * Every kill point of `salvage ARGS` for the calls given, in order: for each call, the 1st, 2nd…
 * until the command finishes before it. `prepare` makes the files anew before each run, `check`
 * looks at what the kill left.
 */
export async function forEachKillPoint(
  args: ReadonlyArray<string>,
  calls: ReadonlyArray<string>,
  prepare: () => void,
  check: (point: { call: string; nth: number }) => Promise<void>,
  limit = 1_000,
): Promise<number> {
  let points = 0;
  for (const call of calls) {
    for (let nth = 1; nth <= limit; nth++) {
      prepare();
      const result = runKilledAt(args, call, nth);
      if (!result.killed) {
        if (result.status !== 0)
          throw new Error(`salvage ${args.join(' ')} failed: ${result.stderr}`);
        break;
      }
      points += 1;
      await check({ call, nth });
    }
  }
  return points;
}
let available: boolean | undefined;
/** Whether strace can trace and inject here (it needs ptrace). */
export function canKillAt(): boolean {
  available ??= spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status === 0;
  return available;
}

export interface KillResult {
  /** True when the kill happened; false when the command finished before the Nth call. */
  readonly killed: boolean;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `salvage ARGS`, killed at the `nth` call (1-based) of the system call `call` (strace counts
 * each call of a set on its own, so one call at a time: every kill point is `(call, n)`).
 */
export function runKilledAt(
  args: ReadonlyArray<string>,
  call: string,
  nth: number,
  cwd?: string,
  env: NodeJS.ProcessEnv = process.env,
): KillResult {
  const set = call;
  const result = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-o',
      '/dev/null',
      `-e`,
      `trace=${set}`,
      `-e`,
      `inject=${set}:signal=SIGKILL:when=${nth}`,
      process.execPath,
      CLI,
      ...args,
    ],
    { cwd, env, encoding: 'utf8' },
  );
  // strace exits with the traced process's status: 128 + 9 when it was killed.
  return {
    killed: result.status === 137 || result.signal === 'SIGKILL',
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/**
 * Run `salvage ARGS` and kill it (-9) right after its `nth` call (1-based) of any of `calls`,
 * counted over all its threads together (strace's own injection counts each thread on its own,
 * and Node writes files from a pool of threads). The kill lands a moment after that call, at a
 * point the test does not choose: a random point, for trials drawn by number.
 */
export async function runKilledAfter(
  args: ReadonlyArray<string>,
  calls: ReadonlyArray<string>,
  nth: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KillResult> {
  // The trace goes through a named pipe, apart from the command's own output.
  const folder = mkdtempSync(join(tmpdir(), 'salvage-kill-trace-'));
  const trace = join(folder, 'trace');
  execFileSync('mkfifo', [trace]);
  const child = spawn(
    'strace',
    ['-f', '-qq', '-o', trace, '-e', `trace=${calls.join(',')}`, process.execPath, CLI, ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const counted = new RegExp(`^\\d+\\s+(?:${calls.join('|')})\\(`);
  let seen = 0;
  let sent = false;
  createInterface({ input: createReadStream(trace) }).on('line', (line) => {
    if (sent || !counted.test(line) || ++seen < nth) return;
    sent = true;
    // The traced command is strace's only child.
    const command = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
    if (command) process.kill(Number(command.split(' ')[0]), 'SIGKILL');
  });
  const [status, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  rmSync(folder, { recursive: true, force: true });
  // Killed: the kill was sent and the command did not finish on its own first.
  const killed = sent && (status === 137 || signal === 'SIGKILL');
  return { killed, status: status ?? (signal ? 128 : null), stdout, stderr };
}
