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
  const found = await findWritersOf([path]);
  return found && (found.get(path) ?? []);
}

/**
 * The writers of each of `paths` (keyed as given) from one pass over `/proc`, so that a listing
 * of many runs costs one scan; `null` where the OS cannot say.
 */
export async function findWritersOf(
  paths: ReadonlyArray<string>,
): Promise<Map<string, FileWriter[]> | null> {
  let pids: string[];
  try {
    await stat('/proc/self/fdinfo');
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const wanted = new Map<string, string>();
  for (const path of paths) {
    const real = await realpath(path).catch(() => null);
    if (real !== null) wanted.set(real, path);
  }
  const result = new Map<string, FileWriter[]>();
  if (wanted.size === 0) return result;
  await Promise.all(
    pids
      .filter((pid) => Number(pid) !== process.pid)
      .map(async (pid) => {
        for (const [real, writer] of await writesIn(pid, wanted).catch(() => [])) {
          const key = wanted.get(real)!;
          result.set(key, [...(result.get(key) ?? []), writer]);
        }
      }),
  );
  return result;
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

/** The wanted files process `pid` holds open for writing (read-only descriptors do not count). */
async function writesIn(
  pid: string,
  wanted: ReadonlyMap<string, string>,
): Promise<Array<[string, FileWriter]>> {
  const found: Array<[string, FileWriter]> = [];
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (!wanted.has(link) || found.some(([real]) => real === link)) continue;
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const flags = /^flags:\s*([0-7]+)/m.exec(info);
    if (flags && (parseInt(flags[1]!, 8) & ACCESS_MODE) !== 0) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      found.push([link, { pid: Number(pid), command: commandLine(cmdline) }]);
    }
  }
  return found;
}

/** `python3 -m verifiers.eval …` from a NUL-separated argv: short enough for one message. */
function commandLine(cmdline: string): string {
  const [program = '?', ...args] = cmdline.split('\0').filter((arg) => arg !== '');
  const text = [basename(program), ...args].join(' ');
  return text.length > COMMAND_CHARS ? `${text.slice(0, COMMAND_CHARS - 1)}…` : text;
}
