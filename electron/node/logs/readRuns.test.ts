import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, fixtureFiles } from '../../../test/support/fixtures.ts';
import { describeRun, readRunFiles } from './readRuns.ts';

const DEMO = fileURLToPath(new URL('../../../demo/logs/', import.meta.url));
let root: string;
/** The Inspect logs of the fixtures and the demo, copied under one folder. */
const logs: string[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'salvage-reads-'));
  cpSync(DEMO, join(root, 'demo'), { recursive: true });
  for (const name of readdirSync(join(root, 'demo')))
    if (/\.(eval|json)$/.test(name)) logs.push(join(root, 'demo', name));
  for (const [index, path] of fixtureFiles('.eval', '.json').entries()) {
    const copy = join(root, 'fixtures', `${index}-${basename(path)}`);
    cpSync(fixture(path), copy);
    logs.push(copy);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readRunFiles', () => {
  it('reads a chunk of logs, each small one into a buffer its reader reuses, as each alone reads', async () => {
    expect(logs.length).toBeGreaterThan(20);
    const read = await readRunFiles(
      logs.map((path) => ({ path, root, sniff: false, resume: null })),
    );
    // Read one by one, each with a buffer of its own: a row holding a view of a reused buffer
    // would show another log's bytes by now.
    const alone = await Promise.all(logs.map((path) => describeRun(path, root)));
    expect(read.map((result) => result.row)).toEqual(alone);
    expect(alone.filter((row) => row?.problem === null).length).toBeGreaterThan(15);
  });
});
