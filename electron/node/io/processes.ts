import { readFileSync } from 'node:fs';

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

/** Clock ticks per second of /proc times (USER_HZ, 100 on every Linux Node runs on). */
const USER_HZ = 100;
let bootMs: number | null | undefined;

/** When a process started (ms since the epoch), from /proc; null where the OS does not say. */
export function processStartMs(pid: number): number | null {
  try {
    bootMs ??= Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]) * 1000;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; starttime is field 22.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(bootMs) && Number.isFinite(ticks)
      ? bootMs + (ticks * 1000) / USER_HZ
      : null;
  } catch {
    bootMs ??= null;
    return null;
  }
}

/**
 * Whether the process that made something at `createdMs` may still be running: its pid is alive
 * and (where the OS says when it started) it started no later than that. A pid reused by a later
 * process is not the maker.
 */
export function isMakerAlive(pid: number, createdMs: number): boolean {
  if (pid === process.pid) return true;
  if (!isProcessAlive(pid)) return false;
  const started = processStartMs(pid);
  return started === null || started <= createdMs + 1000;
}
