import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeUnder } from './runRow.ts';

describe('a row placed under the folder listed', () => {
  it('says what path.relative and path.resolve say, for plain paths and any other', () => {
    const cases: Array<[string, string]> = [
      ['/runs', '/runs/batch-1/run.eval'],
      ['/runs/', '/runs/run.eval'],
      ['/', '/run.eval'],
      ['/runs', '/runs/.hidden/../run.eval'],
      ['/runs', '/runs/.hidden/run.eval'],
      ['/runs', '/runs/a/./run.eval'],
      ['/runs', '/runs/a/..'],
      ['/runs', '/runs/a/.'],
      ['/.runs', '/.runs/..run.eval'],
      ['/runs', '/runs//double/run.eval'],
      ['/runs/./a', '/runs/a/run.eval'],
      ['/runs', '/other/run.eval'],
      ['/runs', '/runs'],
      ['runs', 'runs/run.eval'],
      ['/runs', '/runs-2/run.eval'],
    ];
    for (const [root, path] of cases) {
      expect(placeUnder(root, path), `${root} ${path}`).toEqual({
        path: relative(root, path) || path,
        location: resolve(path),
      });
    }
  });
});
