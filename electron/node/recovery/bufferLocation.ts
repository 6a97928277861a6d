import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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

/** The folder name of a log directory's buffers: sha256 of its URI (`file:///abs/dir`, no trailing slash). */
export function logDirHash(logPath: string): string {
  const uri = pathToFileURL(dirname(resolve(logPath))).href.replace(/[/\\]+$/, '');
  return createHash('sha256').update(uri).digest('hex');
}

/** A buffer database candidate: `<log file name>.<pid>.db`. */
export interface DatabaseCandidate {
  readonly path: string;
  readonly pid: number;
  readonly modified: number;
}

/**
 * Buffer databases of a log, from Inspect's data directory or an override.
 *
 * `bufferDir` may name the data directory, its `samplebuffer` folder, the hashed folder, or any
 * folder holding the copied `<log>.<pid>.db` files (a buffer brought over from another machine).
 */
export function findDatabaseCandidates(logPath: string, bufferDir?: string): DatabaseCandidate[] {
  const hash = logDirHash(logPath);
  const roots = bufferDir
    ? [join(bufferDir, 'samplebuffer', hash), join(bufferDir, hash), bufferDir]
    : [join(inspectDataDir(), 'samplebuffer', hash)];
  const prefix = `${basename(logPath)}.`;
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const found: DatabaseCandidate[] = [];
    for (const name of readdirSync(root)) {
      const match = /^(\d+)\.db$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
      if (!match) continue;
      const path = join(root, name);
      found.push({ path, pid: Number(match[1]), modified: statSync(path).mtimeMs });
    }
    if (found.length > 0) return found.sort((a, b) => b.modified - a.modified);
  }
  return [];
}

/** True when a process with this pid runs on this machine (EPERM: it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The `--log-shared` filestore of a log: `<log dir>/.buffer/<name without .eval>/`, when its manifest exists. */
export function findFilestore(logPath: string): string | null {
  const folder = join(
    dirname(resolve(logPath)),
    '.buffer',
    basename(logPath).replace(/\.eval$/, ''),
  );
  return existsSync(join(folder, 'manifest.json')) ? folder : null;
}
