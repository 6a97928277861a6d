import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMakerAlive } from './processes.ts';

/**
 * What a killed run leaves behind, and its removal by a later run. Every temporary name Salvage
 * makes carries its process id and the time it was made, so a later run can tell a leftover (its
 * maker is dead) from another run's work in progress (never touched).
 */

/** The temporary file an atomic write of `target` goes through: `.NAME.salvage-PID-TIME.tmp` beside it. */
export function temporaryFileName(target: string): string {
  return `.${basename(target)}.salvage-${process.pid}-${Date.now()}.tmp`;
}

const TEMPORARY_FILE = /^\..+\.salvage-(\d+)-(\d+)\.tmp$/;

/**
 * Remove the temporary files of atomic writes in `folder` whose process is gone (a run killed
 * mid-write). Best effort: a file that cannot be removed stays. Returns the paths removed.
 */
export function sweepTemporaryFiles(folder: string): string[] {
  const removed: string[] = [];
  for (const name of listNames(folder)) {
    const match = TEMPORARY_FILE.exec(name);
    if (!match || isMakerAlive(Number(match[1]), Number(match[2]))) continue;
    if (remove(join(folder, name), false)) removed.push(join(folder, name));
  }
  return removed;
}

/** The prefix of a private temporary folder (for mkdtemp): `BASE-PID-TIME-`. */
export function temporaryFolderPrefix(base: string): string {
  return `${base}-${process.pid}-${Date.now()}-`;
}

/** mkdtemp's six random characters, of a folder made before names carried their maker (kept a day). */
const LEGACY_SUFFIX = /^[A-Za-z0-9]{6}$/;
const LEGACY_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Remove the private temporary folders named `BASE-PID-TIME-XXXXXX` in `folder` whose process is
 * gone (a recovery killed while it read its private copy of a buffer database), and those of
 * older Salvage versions (`BASE-XXXXXX`) untouched for a day. Returns the paths removed.
 */
export function sweepTemporaryFolders(folder: string, base: string): string[] {
  const removed: string[] = [];
  const pattern = new RegExp(
    `^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)-(\\d+)-[A-Za-z0-9]{6}$`,
  );
  for (const name of listNames(folder)) {
    if (!name.startsWith(`${base}-`)) continue;
    const path = join(folder, name);
    const match = pattern.exec(name);
    const stale = match
      ? !isMakerAlive(Number(match[1]), Number(match[2]))
      : LEGACY_SUFFIX.test(name.slice(base.length + 1)) && olderThan(path, LEGACY_AGE_MS);
    if (stale && remove(path, true)) removed.push(path);
  }
  return removed;
}

function listNames(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

function remove(path: string, folder: boolean): boolean {
  try {
    if (folder !== statSync(path).isDirectory()) return false;
    rmSync(path, { recursive: folder, force: true });
    return true;
  } catch {
    return false;
  }
}
