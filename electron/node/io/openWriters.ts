import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import { basename } from 'node:path';

/** A process that holds a file open for writing. */
export interface FileWriter {
  readonly pid: number;
  readonly command: string;
}

/** A file modified this recently may still have a writer, where the OS cannot say for sure. */
const QUIET_MS = 2_000;
/** How much of a writer's command line an error message shows. */
const COMMAND_CHARS = 60;
/** `O_ACCMODE` bits of the open flags: 0 is read-only, 1 write-only, 2 read-write. */
const ACCESS_MODE = 0o3;

/**
 * What the OS says about a file's writers: the processes found, and whether every process could
 * be looked at (processes of other users cannot, unless we are root).
 */
export interface WriterReport {
  readonly writers: FileWriter[];
  readonly complete: boolean;
}

/**
 * Other processes that hold `path` open for writing, read from `/proc` (Linux), or `null` where
 * the OS does not expose open files this way. Files are matched by device and inode, so a writer
 * that opened the log by another path (a bind mount, a container) is found too. A writer that
 * opens the file after this returns is not seen: callers keep their own size and mtime checks.
 */
export async function findWriters(path: string): Promise<WriterReport | null> {
  const found = await findWritersOf([path]);
  return found && { writers: found.writers.get(path) ?? [], complete: found.complete };
}

/**
 * The writers of each of `paths` (keyed as given) from one pass over `/proc`, so that a listing
 * of many runs costs one scan; `null` where the OS cannot say.
 */
export async function findWritersOf(
  paths: ReadonlyArray<string>,
): Promise<{ writers: Map<string, FileWriter[]>; complete: boolean } | null> {
  let pids: string[];
  try {
    await stat('/proc/self/fdinfo');
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const wanted = new Map<string, string>();
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info) wanted.set(fileKey(info), path);
  }
  const writers = new Map<string, FileWriter[]>();
  let complete = true;
  if (wanted.size === 0) return { writers, complete };
  await Promise.all(
    pids
      .filter((pid) => Number(pid) !== process.pid)
      .map(async (pid) => {
        let found: Array<[string, FileWriter]>;
        try {
          found = await writesIn(pid, wanted);
        } catch (error) {
          // A process that ended meanwhile has nothing open; one we may not look at is unknown.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') complete = false;
          return;
        }
        for (const [key, writer] of found) {
          const path = wanted.get(key)!;
          writers.set(path, [...(writers.get(path) ?? []), writer]);
        }
      }),
  );
  return { writers, complete };
}

/**
 * Refuse, with who is writing, when another process may be writing `path` right now. Where the
 * OS cannot say for every process, a file modified in the last moments counts as in use too.
 */
export async function assertNoWriter(
  path: string,
  refuse: (why: string) => Error,
  find: (path: string) => Promise<WriterReport | null> = findWriters,
): Promise<void> {
  const report = await find(path);
  if (report && report.writers.length > 0) {
    const names = report.writers
      .map((writer) => `${writer.command} (pid ${writer.pid})`)
      .join(', ');
    throw refuse(`${names} ${report.writers.length === 1 ? 'has' : 'have'} it open for writing`);
  }
  if (!report?.complete) {
    const age = Date.now() - (await stat(path)).mtimeMs;
    if (age < QUIET_MS) throw refuse(`it was modified ${Math.round(age)} ms ago`);
  }
}

function fileKey(info: { dev: number; ino: number }): string {
  return `${info.dev}:${info.ino}`;
}

/** The wanted files process `pid` holds open for writing (read-only descriptors do not count). */
async function writesIn(
  pid: string,
  wanted: ReadonlyMap<string, string>,
): Promise<Array<[string, FileWriter]>> {
  const found: Array<[string, FileWriter]> = [];
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    // Sockets, pipes and anonymous inodes are not files; only paths are worth a stat.
    if (!link.startsWith('/')) continue;
    const info = await stat(`/proc/${pid}/fd/${fd}`).catch(() => null);
    const key = info && fileKey(info);
    if (!key || !wanted.has(key) || found.some(([seen]) => seen === key)) continue;
    const fdinfo = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const flags = /^flags:\s*([0-7]+)/m.exec(fdinfo);
    if (flags && (parseInt(flags[1]!, 8) & ACCESS_MODE) !== 0) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      found.push([key, { pid: Number(pid), command: commandLine(cmdline) }]);
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
