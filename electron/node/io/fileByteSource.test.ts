import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileByteSource, WHOLE_BELOW } from './fileByteSource.ts';

let folder: string;
const bytes = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, index) => (index * 31 + seed) & 0xff);

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'salvage-source-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('FileByteSource with a lent buffer', () => {
  it("reads a small file into the caller's buffer, as views of it", async () => {
    const path = join(folder, 'small.eval');
    writeFileSync(path, bytes(1000, 1));
    const lent = new Uint8Array(WHOLE_BELOW);
    const source = await FileByteSource.open(path, lent);
    try {
      const read = await source.read(100, 50);
      expect(read.buffer).toBe(lent.buffer);
      expect(read).toEqual(bytes(1000, 1).subarray(100, 150));
    } finally {
      await source.close();
    }
  });

  it('reads the next file into the same buffer, and the earlier views then show its bytes', async () => {
    const lent = new Uint8Array(WHOLE_BELOW);
    const first = join(folder, 'first.eval');
    const second = join(folder, 'second.eval');
    writeFileSync(first, bytes(500, 2));
    writeFileSync(second, bytes(500, 3));
    const one = await FileByteSource.open(first, lent);
    const view = await one.read(0, 500);
    expect(view).toEqual(bytes(500, 2));
    await one.close();
    const two = await FileByteSource.open(second, lent);
    expect(await two.read(0, 500)).toEqual(bytes(500, 3));
    await two.close();
    // Why the contract says no view may outlive close: the buffer is the next file's now.
    expect(view).toEqual(bytes(500, 3));
  });

  it('leaves the buffer alone for a file it cannot hold or a file not read whole', async () => {
    const lent = new Uint8Array(64);
    const small = join(folder, 'over-lent.eval');
    writeFileSync(small, bytes(100, 4));
    const own = await FileByteSource.open(small, lent);
    const read = await own.read(0, 100);
    expect(read.buffer).not.toBe(lent.buffer);
    expect(read).toEqual(bytes(100, 4));
    await own.close();

    const large = join(folder, 'large.eval');
    writeFileSync(large, bytes(WHOLE_BELOW + 10, 5));
    const big = new Uint8Array(2 * WHOLE_BELOW);
    const ranged = await FileByteSource.open(large, big);
    const tail = await ranged.read(WHOLE_BELOW, 10);
    expect(tail.buffer).not.toBe(big.buffer);
    expect(tail).toEqual(bytes(WHOLE_BELOW + 10, 5).subarray(WHOLE_BELOW));
    await ranged.close();
  });

  it('opens an empty file as an empty source', async () => {
    const path = join(folder, 'empty.eval');
    writeFileSync(path, '');
    const source = await FileByteSource.open(path, new Uint8Array(16));
    expect(source.size).toBe(0);
    expect(await source.read(0, 0)).toEqual(new Uint8Array(0));
    await source.close();
  });
});
