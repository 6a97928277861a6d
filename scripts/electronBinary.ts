import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Electron's binary, or why there is none, found without running the `electron` package's
 * index (which would try to download the binary: these machines cannot, and must not try).
 */
export function electronBinary(): { path: string | null; reason: string } {
  const packageDir = resolve(import.meta.dirname, '../node_modules/electron');
  const pathFile = join(packageDir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!existsSync(pathFile) && !override) {
    return {
      path: null,
      reason: 'no Electron binary here (node_modules/electron was installed without its binary)',
    };
  }
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = override ? join(override, name) : join(packageDir, 'dist', name);
  return existsSync(binary)
    ? { path: binary, reason: '' }
    : { path: null, reason: `no Electron binary here (${binary} is missing)` };
}

/** Why a window cannot open here (no display on Linux), or null. */
export function missingDisplay(): string | null {
  if (process.platform !== 'linux') return null;
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY
    ? null
    : 'no display (DISPLAY is unset)';
}
