// A small, real file system for tests of a full disk and a read-only folder: a tmpfs of a few
// megabytes mounted on a temporary folder (it needs root, or a container that allows mounts).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let mountable: boolean | undefined;
/** Whether a tmpfs can be mounted here. */
export function canMountSmallDisk(): boolean {
  if (mountable !== undefined) return mountable;
  const probe = mkdtempSync(join(tmpdir(), 'salvage-mount-probe-'));
  mountable = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mountable) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return mountable;
}

export interface SmallDisk {
  readonly folder: string;
  /** Bytes still free. */
  free(): number;
  /** Fill the disk until only `bytes` (rounded to its blocks) stay free. */
  leave(bytes: number): void;
  /** Free what `leave` took. */
  unfill(): void;
  /** Make the file system read-only, or writable again. */
  readOnly(on: boolean): void;
  unmount(): void;
}

/** Mount a tmpfs of `bytes` on a new temporary folder. */
export function mountSmallDisk(bytes: number): SmallDisk {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0777`, 'tmpfs', folder]);
  const filler = join(folder, '.filler');
  const free = (): number => {
    const stats = statfsSync(folder);
    return stats.bavail * stats.bsize;
  };
  return {
    folder,
    free,
    leave(left) {
      rmSync(filler, { force: true });
      const take = free() - left;
      if (take > 0) writeFileSync(filler, Buffer.alloc(take));
    },
    unfill() {
      rmSync(filler, { force: true });
    },
    readOnly(on) {
      execFileSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, folder]);
    },
    unmount() {
      const held = openFilesUnder(folder);
      if (held.length > 0) console.log(`files still open on the small disk: ${held.join(', ')}`);
      spawnSync('umount', [folder]);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A folder inside the small disk. */
export function folderOn(disk: SmallDisk, name: string): string {
  const path = join(disk.folder, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Files this process holds open under `folder` (a leak would keep the disk busy). */
export function openFilesUnder(folder: string): string[] {
  const held: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${folder}/`)) held.push(target);
    } catch {
      // Closed meanwhile.
    }
  }
  return held;
}
