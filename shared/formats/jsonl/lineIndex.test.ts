import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CountingByteSource, MemoryByteSource } from '../bytes/byteSource.ts';
import { FileByteSource } from '../../../electron/node/io/fileByteSource.ts';
import { LineIndex } from './lineIndex.ts';
import { LINE_CHUNK_BYTES } from './lineReader.ts';

const line = (index: number): string =>
  JSON.stringify({ id: index, text: `row ${index} \u2028 naïve`, reward: index % 2 });

describe('line index', () => {
  it('reads any record by number, indexing only as far as asked', async () => {
    const text =
      Array.from({ length: 50_000 }, (_, index) => line(index)).join('\n') + '\n' + '{"torn';
    const bytes = new TextEncoder().encode(text);
    const source = new CountingByteSource(new MemoryByteSource(bytes));
    const index = new LineIndex(source);
    expect(new TextDecoder().decode(await index.line(3))).toBe(line(3));
    expect(source.reads).toBe(2); // one chunk to index, one read of the record
    for (const probe of [0, 1, 4_999, 31_337, 49_999]) {
      expect(new TextDecoder().decode(await index.line(probe))).toBe(line(probe));
    }
    expect(await index.build()).toBe(50_000);
    await expect(index.line(50_000)).rejects.toThrow(RangeError);
  });

  it('reads a run of lines in few reads, a line longer than a read alone, the torn tail never', async () => {
    const long = JSON.stringify({ id: 'long', text: 'x'.repeat(5_000) });
    const rows = [line(0), line(1), long, line(3), line(4)];
    const bytes = new TextEncoder().encode(rows.join('\n') + '\n{"torn');
    const source = new CountingByteSource(new MemoryByteSource(bytes));
    const index = new LineIndex(source);
    await index.build();
    const before = source.reads;
    const decoded = (await index.lines(0, 10, 1_000)).map((row) => new TextDecoder().decode(row));
    expect(decoded).toEqual(rows);
    // [0, 1], [long], [3, 4]: three reads for five lines.
    expect(source.reads - before).toBe(3);
    expect((await index.lines(3, 1)).map((row) => new TextDecoder().decode(row))).toEqual([
      rows[3],
    ]);
    expect(await index.lines(5, 10)).toEqual([]);
    expect(index.endOf(5)).toBe(bytes.length - '{"torn'.length);
  });

  it('opens the first records of a multi-GB log reading one chunk', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'salvage-index-'));
    try {
      const path = join(folder, 'results.jsonl');
      const head = Array.from({ length: 100 }, (_, index) => line(index)).join('\n') + '\n';
      writeFileSync(path, head);
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, 4 * 1024 ** 3); // the rest: 4 GiB, sparse
      writeSync(fd, Buffer.from('\n'), 0, 1, 4 * 1024 ** 3 - 1);
      closeSync(fd);
      const file = await FileByteSource.open(path);
      const source = new CountingByteSource(file);
      const index = new LineIndex(source);
      expect(new TextDecoder().decode(await index.line(99))).toBe(line(99));
      // Opening read one chunk and the record, not the 4 GiB behind them.
      expect(source.bytesRead).toBeLessThanOrEqual(LINE_CHUNK_BYTES + 1000);
      expect(index.complete).toBe(false);
      await file.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
