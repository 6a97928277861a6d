import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../io/fileErrors.ts';

/** A token: 24 random bytes as hex. */
const TOKEN = /^[0-9a-f]{48}$/;

/**
 * The access token of web mode, kept in Salvage's data directory (`serve-token`, readable by
 * the user only) so that a bookmarked deep link keeps working across restarts; `rotate` makes a
 * new one (`salvage serve --new-token`), and every earlier link stops working.
 */
export function serveToken(dataDir: string, rotate = false): string {
  const path = join(dataDir, 'serve-token');
  if (!rotate) {
    try {
      const kept = readFileSync(path, 'utf8').trim();
      if (TOKEN.test(kept)) return kept;
    } catch {
      // None yet (or unreadable): a new one.
    }
  }
  const token = randomBytes(24).toString('hex');
  try {
    mkdirSync(dataDir, { recursive: true });
    // Written whole and private before it is in place: never readable by others, never half.
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    throw fileError(error, path, 'write');
  }
  return token;
}
