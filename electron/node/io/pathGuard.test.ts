import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { resolveInside } from './pathGuard.ts';

const root = mkdtempSync(join(tmpdir(), 'salvage-guard-'));
const opened = join(root, 'opened');
afterAll(() => rmSync(root, { recursive: true, force: true }));

mkdirSync(join(opened, '..data'), { recursive: true });
mkdirSync(join(opened, '...'), { recursive: true });
mkdirSync(join(root, 'opened-sibling'));
writeFileSync(join(opened, '..data', 'run.eval'), 'x');
writeFileSync(join(opened, '...', 'run.eval'), 'x');
writeFileSync(join(root, 'opened-sibling', 'run.eval'), 'x');
writeFileSync(join(root, 'secret.json'), 'x');
symlinkSync(join(root, 'secret.json'), join(opened, 'link.json'));

async function verdict(path: string): Promise<string> {
  try {
    await resolveInside(path, [opened]);
    return 'inside';
  } catch (error) {
    return isSalvageError(error) ? error.kind : 'untyped';
  }
}

describe('the path guard compares path segments, not text', () => {
  it('a subfolder named ..data or ... is inside (it was refused as outside)', async () => {
    expect(await verdict(join(opened, '..data', 'run.eval'))).toBe('inside');
    expect(await verdict(join(opened, '...', 'run.eval'))).toBe('inside');
  });

  it('a sibling whose name starts like the folder, a link out and a .. are outside', async () => {
    expect(await verdict(join(root, 'opened-sibling', 'run.eval'))).toBe('outside-opened-folders');
    expect(await verdict(join(opened, 'link.json'))).toBe('outside-opened-folders');
    expect(await verdict(join(opened, '..', 'secret.json'))).toBe('outside-opened-folders');
  });
});
