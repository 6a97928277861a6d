import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';

/** A process that holds a file open for writing. */
export interface FileWriter {
  readonly pid: number;
  readonly command: string;
}

/** A file modified this recently may still have a writer, where the OS cannot say. */
const QUIET_MS = 2_000;
/** How much of a writer's command line an error message shows. */
const COMMAND_CHARS = 60;
/** `O_ACCMODE` bits of the open flags: 0 is read-only, 1 write-only, 2 read-write. */
const ACCESS_MODE = 0o3;

/**
 * Other processes that hold `path` open for writing, read from `/proc` (Linux), or `null` where
 * the OS does not expose open files this way. Processes of other users are not visible, and a
 * writer that opens the file after this returns is not seen: callers keep their own size and
 * mtime checks as well.
 */
export async function findWriters(path: string): Promise<FileWriter[] | null> {
  let pids: string[];
  try {
    await stat('/proc/self/fdinfo');
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const target = await realpath(path);
  const found = await Promise.all(
    pids
      .filter((pid) => Number(pid) !== process.pid)
      .map((pid) => writerIn(pid, target).catch(() => null)),
  );
  return found.filter((writer): writer is FileWriter => writer !== null);
}

/** Refuse, with who is writing, when another process may be writing `path` right now. */
export async function assertNoWriter(
  path: string,
  refuse: (why: string) => Error,
  find: (path: string) => Promise<FileWriter[] | null> = findWriters,
): Promise<void> {
  const writers = await find(path);
  if (writers === null) {
    // No way to ask the OS: a file written in the last moments may still be in use.
    const age = Date.now() - (await stat(path)).mtimeMs;
    if (age < QUIET_MS) throw refuse(`it was modified ${Math.round(age)} ms ago`);
    return;
  }
  if (writers.length > 0) {
    const names = writers.map((writer) => `${writer.command} (pid ${writer.pid})`).join(', ');
    throw refuse(`${names} ${writers.length === 1 ? 'has' : 'have'} it open for writing`);
  }
}

async function writerIn(pid: string, target: string): Promise<FileWriter | null> {
  const fds = await readdir(`/proc/${pid}/fd`);
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (link !== target) continue;
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const flags = /^flags:\s*([0-7]+)/m.exec(info);
    if (flags && (parseInt(flags[1]!, 8) & ACCESS_MODE) !== 0) {
      const command = commandLine(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''));
      return { pid: Number(pid), command };
    }
  }
  return null;
}

/** `python3 -m verifiers.eval …` from a NUL-separated argv: short enough for one message. */
function commandLine(cmdline: string): string {
  const [program = '?', ...args] = cmdline.split('\0').filter((arg) => arg !== '');
  const text = [basename(program), ...args].join(' ');
  return text.length > COMMAND_CHARS ? `${text.slice(0, COMMAND_CHARS - 1)}…` : text;
}
