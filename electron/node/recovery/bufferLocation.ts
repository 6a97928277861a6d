import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isProcessAlive, processStartMs } from '../io/processes.ts';
import { isS3Url, s3Parent } from '../s3/s3Url.ts';
import type { InspectRecoverySource } from '../../../shared/model/run.ts';

export { isProcessAlive };

/** Inspect's user data directory (platformdirs `user_data_path("inspect_ai")`). */
export function inspectDataDir(): string {
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library/Application Support/inspect_ai');
    case 'win32':
      // platformdirs: %LOCALAPPDATA%\<appauthor>\<appname>, appauthor defaulting to appname (unconfirmed).
      return join(
        process.env.LOCALAPPDATA ?? join(homedir(), 'AppData/Local'),
        'inspect_ai',
        'inspect_ai',
      );
    default:
      return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'inspect_ai');
  }
}

/**
 * The folder name of a log directory's buffers: sha256 of its URI (`file:///abs/dir` or
 * `s3://bucket/prefix`, no trailing slash).
 */
export function logDirHash(logPath: string): string {
  const uri = isS3Url(logPath)
    ? s3Parent(logPath)
    : pathToFileURL(dirname(resolve(logPath))).href.replace(/[/\\]+$/, '');
  return createHash('sha256').update(uri).digest('hex');
}

/** A buffer database candidate: `<log file name>.<pid>.db`. */
export interface DatabaseCandidate {
  readonly path: string;
  readonly pid: number;
  readonly modified: number;
}

/**
 * How far a `--buffer-dir` search by name goes: folders deep below the given one, and folders
 * read in all (a user pointing at their home folder gets an answer in a second or two, not a scan
 * of the disk).
 */
export const BUFFER_SEARCH_LIMITS = { depth: 6, folders: 20_000 } as const;
/** Folders a buffer database is never in, skipped by the search. */
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

/**
 * Buffer databases of a log, newest first, from Inspect's data directory or from `bufferDir`.
 *
 * `bufferDir` may name Inspect's data directory (or the XDG data folder above it), its
 * `samplebuffer` folder, the hashed folder, or any folder holding copied `<log>.<pid>.db` files,
 * however deep (within {@link BUFFER_SEARCH_LIMITS}): after a buffer is copied from another
 * machine or unpacked elsewhere, its hashed folder no longer matches the log's folder, so the
 * database is found by its file name.
 */
export function findDatabaseCandidates(logPath: string, bufferDir?: string): DatabaseCandidate[] {
  const hash = logDirHash(logPath);
  const name = basename(logPath);
  if (!bufferDir) return candidatesIn(join(inspectDataDir(), 'samplebuffer', hash), name);
  for (const root of [
    join(bufferDir, 'inspect_ai', 'samplebuffer', hash),
    join(bufferDir, 'samplebuffer', hash),
    join(bufferDir, hash),
    bufferDir,
  ]) {
    const found = candidatesIn(root, name);
    if (found.length > 0) return found;
  }
  return searchByName(bufferDir, name);
}

/** `<name>.<pid>.db` files directly in `folder`, newest first. */
function candidatesIn(folder: string, name: string): DatabaseCandidate[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => !entry.isDirectory())
    .flatMap((entry) => candidate(folder, entry.name, name))
    .sort((a, b) => b.modified - a.modified);
}

function candidate(folder: string, file: string, name: string): DatabaseCandidate[] {
  if (!file.startsWith(`${name}.`)) return [];
  const match = /^(\d+)\.db$/.exec(file.slice(name.length + 1));
  if (!match) return [];
  const path = join(folder, file);
  return [{ path, pid: Number(match[1]), modified: statSync(path).mtimeMs }];
}

/** Breadth first below `root`, within the limits; the shallowest folder holding the log's database wins. */
function searchByName(root: string, name: string): DatabaseCandidate[] {
  let level = [root];
  let visited = 0;
  for (let depth = 0; depth <= BUFFER_SEARCH_LIMITS.depth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      if (++visited > BUFFER_SEARCH_LIMITS.folders) return [];
      const found = candidatesIn(folder, name);
      if (found.length > 0) return found;
      let entries: Dirent[] = [];
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        // A folder we may not read holds nothing we can use.
      }
      for (const entry of entries) {
        // Symbolic links are not followed: a loop would cost the whole budget.
        if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name))
          next.push(join(folder, entry.name));
      }
    }
    level = next;
  }
  return [];
}

/**
 * True when the buffer database's writer may still run: its pid is alive and, where the OS says
 * when that process started (Linux), it started before the database's last write. A pid reused by
 * a later process (after a reboot, or for a database copied from another machine) is not the
 * writer.
 */
export function isWriterAlive(candidate: DatabaseCandidate): boolean {
  if (!isProcessAlive(candidate.pid)) return false;
  const started = processStartMs(candidate.pid);
  if (started === null) return true;
  const wal = `${candidate.path}-wal`;
  const lastWrite = Math.max(candidate.modified, existsSync(wal) ? statSync(wal).mtimeMs : 0);
  return started <= lastWrite;
}

/**
 * The `--log-shared` filestore of a log: `<log dir>/.buffer/<log name without its extension>/`,
 * when its manifest exists.
 */
export function findFilestore(logPath: string): string | null {
  const name = basename(logPath);
  const folder = join(
    dirname(resolve(logPath)),
    '.buffer',
    name.slice(0, name.length - extname(name).length),
  );
  return existsSync(join(folder, 'manifest.json')) ? folder : null;
}

/** Why a log cannot be recovered: running, finished, or nothing to recover from. */
export type RecoveryState =
  | { readonly state: 'recoverable'; readonly source: InspectRecoverySource }
  | { readonly state: 'running'; readonly pid: number }
  | { readonly state: 'none' };

/** Cheap check for listings: is this started log running, recoverable, or neither? */
export function recoveryState(log: string, truncated: boolean, bufferDir?: string): RecoveryState {
  const candidates = findDatabaseCandidates(log, bufferDir);
  const alive = candidates.find(isWriterAlive);
  if (alive) return { state: 'running', pid: alive.pid };
  if (candidates.length > 0) return { state: 'recoverable', source: 'database' };
  if (findFilestore(log)) return { state: 'recoverable', source: 'filestore' };
  return truncated ? { state: 'recoverable', source: 'truncated-archive' } : { state: 'none' };
}
