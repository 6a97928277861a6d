import { readFileSync } from 'node:fs';

/**
 * A process's peak RSS in bytes: VmHWM from /proc (per address space; Linux's getrusage maxrss
 * survives exec, so a child of a big parent would report the parent's peak). Elsewhere, this
 * process's getrusage; another process's, 0.
 */
export function peakRss(pid: number | 'self' = 'self'): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux, or the process is gone.
  }
  return pid === 'self' ? process.resourceUsage().maxRSS * 1024 : 0;
}
