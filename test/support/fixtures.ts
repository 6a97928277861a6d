import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's sibling shared/ folder (read-only fixtures, schemas and docs; CI has it too). */
export const SHARED_ROOT = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const INSPECT_FIXTURES = join(SHARED_ROOT, 'fixtures/inspect');

/** Absolute path of a fixture given relative to fixtures/inspect/. */
export function fixture(path: string): string {
  return join(INSPECT_FIXTURES, path);
}

/** Every file under fixtures/inspect/ with one of the given extensions, as paths relative to it. */
export function fixtureFiles(...extensions: string[]): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (extensions.some((extension) => name.endsWith(extension))) {
        found.push(relative(INSPECT_FIXTURES, path));
      }
    }
  };
  walk(INSPECT_FIXTURES);
  return found.sort();
}

export const REAL = 'real/inspect_ai/tests';
export const TS_MONO = 'real/ts-mono/apps/inspect/src/log_data/chunked/fixtures/logs';
