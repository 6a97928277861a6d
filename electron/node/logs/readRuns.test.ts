import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, fixtureFiles } from '../../../test/support/fixtures.ts';
import { describeRun, readRunFiles } from './readRuns.ts';

const DEMO = fileURLToPath(new URL('../../../demo/logs/', import.meta.url));
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'salvage-reads-'));
  cpSync(DEMO, join(root, 'demo'), { recursive: true });
  for (const [index, path] of fixtureFiles('.eval', '.json').entries())
    cpSync(fixture(path), join(root, 'fixtures', `${index}-${path.split('/').at(-1)}`));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readRunFiles', () => {
  it('reads a chunk of logs, each small one into a buffer its reader reuses, as each alone reads', async () => {
    const paths = [
      ...fixtureFiles('.eval', '.json').map((path, index) =>
        join(root, 'fixtures', `${index}-${path.split('/').at(-1)}`),
      ),
      ...['.eval', '.json'].flatMap((extension) =>
        [
          '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval',
          '2025-05-12T20-28-26-04-00_security-guide.json',
          '2026-06-10T18-23-49+00-00_cp-ctf_ais-decoder.eval',
          '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval',
        ]
          .filter((name) => name.endsWith(extension))
          .map((name) => join(root, 'demo', name)),
      ),
    ];
    expect(paths.length).toBeGreaterThan(20);
    const read = await readRunFiles(
      paths.map((path) => ({ path, root, sniff: false, resume: null })),
    );
    // Read one by one, each with a buffer of its own: a row holding a view of a reused buffer
    // would show another log's bytes by now.
    const alone = await Promise.all(paths.map((path) => describeRun(path, root)));
    expect(read.map((result) => result.row)).toEqual(alone);
    expect(alone.filter((row) => row?.problem === null).length).toBeGreaterThan(15);
  });
});
