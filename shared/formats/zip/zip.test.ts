import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { describe, expect, it } from 'vitest';
import { CountingByteSource, MemoryByteSource } from '../bytes/byteSource.ts';
import { readCentralDirectory } from './centralDirectory.ts';
import { readEntryBytes, readEntryText } from './entryReader.ts';
import { crc32 } from './crc32.ts';
import {
  MemoryZipSink,
  ZipWriter,
  type EntryOptions,
} from '../../../electron/node/zip/zipWriter.ts';
import { nodeZlibCodecs } from '../../../electron/node/codecs/nodeZlibCodecs.ts';
import { fixture, fixtureFiles } from '../../../test/support/fixtures.ts';
import { SalvageError } from '../../util/errors.ts';

const codecs = nodeZlibCodecs();
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function buildZip(
  entries: Array<[string, string, EntryOptions?]>,
  options: { comment?: string; forceZip64End?: boolean } = {},
): Promise<Uint8Array> {
  const sink = new MemoryZipSink();
  const writer = new ZipWriter(sink);
  for (const [name, content, entryOptions] of entries)
    await writer.add(name, text(content), entryOptions);
  await writer.finish(options);
  return sink.bytes();
}

async function expectKind(promise: Promise<unknown>, kind: string): Promise<SalvageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SalvageError);
  expect((error as SalvageError).kind).toBe(kind);
  return error as SalvageError;
}

/** yauzl's view of a zip: the cross-check for our central-directory reader. */
function yauzlEntries(
  bytes: Uint8Array,
): Promise<Array<{ name: string; crc: number; size: number }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      Buffer.from(bytes),
      { lazyEntries: true, decodeStrings: true },
      (error, zip) => {
        if (error) return reject(error);
        const entries: Array<{ name: string; crc: number; size: number }> = [];
        zip.on('entry', (entry: yauzl.Entry) => {
          entries.push({ name: entry.fileName, crc: entry.crc32, size: entry.uncompressedSize });
          zip.readEntry();
        });
        zip.on('end', () => resolve(entries));
        zip.on('error', reject);
        zip.readEntry();
      },
    );
  });
}

describe('central directory', () => {
  it.each(fixtureFiles('.eval'))('lists %s exactly as yauzl does', async (path) => {
    const bytes = readFileSync(fixture(path));
    const directory = await readCentralDirectory(new MemoryByteSource(bytes));
    const expected = await yauzlEntries(bytes);
    expect(
      directory.entries.map((entry) => ({
        name: entry.name,
        crc: entry.crc32,
        size: entry.uncompressedSize,
      })),
    ).toEqual(expected);
  });

  it('reads the end record in one read when there is no comment', async () => {
    const bytes = await buildZip([['a.json', '{}']]);
    const source = new CountingByteSource(new MemoryByteSource(bytes));
    await readCentralDirectory(source);
    expect(source.reads).toBe(2); // end record + directory
  });

  it('finds the end record behind a zip comment', async () => {
    const bytes = await buildZip([['a.json', '{"a":1}']], {
      comment: 'PK\u0005\u0006 looks like a signature',
    });
    const source = new MemoryByteSource(bytes);
    const directory = await readCentralDirectory(source);
    expect(directory.entries.map((entry) => entry.name)).toEqual(['a.json']);
    expect(await readEntryText(source, directory.byName.get('a.json')!, codecs)).toBe('{"a":1}');
  });

  it('reads ZIP64 end records and ZIP64 local extras that differ from the central record', async () => {
    const bytes = await buildZip(
      [
        ['start.json', 'start', { method: 8 }],
        ['samples/1_epoch_1.json', 'x'.repeat(5000), { zip64LocalExtra: true }],
      ],
      { forceZip64End: true },
    );
    const source = new MemoryByteSource(bytes);
    const directory = await readCentralDirectory(source);
    expect(directory.zip64).toBe(true);
    const sample = directory.byName.get('samples/1_epoch_1.json')!;
    expect(await readEntryText(source, sample, codecs)).toBe('x'.repeat(5000));
  });

  it('resolves duplicate names to the last entry while keeping every record', async () => {
    const bytes = await buildZip([
      ['header.json', 'first'],
      ['other.json', 'other', { method: 0 }],
      ['header.json', 'second', { method: 8 }],
    ]);
    const source = new MemoryByteSource(bytes);
    const directory = await readCentralDirectory(source);
    expect(directory.entries).toHaveLength(3);
    expect(await readEntryText(source, directory.byName.get('header.json')!, codecs)).toBe(
      'second',
    );
  });

  it('parses ZIP64 extra fields of the central directory (sizes and offsets over 4 GiB)', async () => {
    // A central record with every 32-bit field saturated, values in the ZIP64 extra.
    const name = text('big.json');
    const record = new Uint8Array(46 + name.length + 28);
    const view = new DataView(record.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(10, 93, true);
    view.setUint32(20, 0xffffffff, true);
    view.setUint32(24, 0xffffffff, true);
    view.setUint16(28, name.length, true);
    view.setUint16(30, 28, true);
    view.setUint32(42, 0xffffffff, true);
    record.set(name, 46);
    const extra = 46 + name.length;
    view.setUint16(extra, 1, true);
    view.setUint16(extra + 2, 24, true);
    view.setBigUint64(extra + 4, 6_000_000_000n, true);
    view.setBigUint64(extra + 12, 5_000_000_000n, true);
    view.setBigUint64(extra + 20, 4_500_000_000n, true);
    const end = new Uint8Array(22);
    const endView = new DataView(end.buffer);
    endView.setUint32(0, 0x06054b50, true);
    endView.setUint16(8, 1, true);
    endView.setUint16(10, 1, true);
    endView.setUint32(12, record.length, true);
    endView.setUint32(16, 4, true);
    const bytes = new Uint8Array(4 + record.length + 22);
    bytes.set([0x50, 0x4b, 0x03, 0x04]);
    bytes.set(record, 4);
    bytes.set(end, 4 + record.length);
    const [entry] = (await readCentralDirectory(new MemoryByteSource(bytes))).entries;
    expect(entry).toMatchObject({
      uncompressedSize: 6_000_000_000,
      compressedSize: 5_000_000_000,
      localHeaderOffset: 4_500_000_000,
    });
  });
});

describe('typed errors for bad input', () => {
  it('says "not a zip" for other files', async () => {
    await expectKind(
      readCentralDirectory(new MemoryByteSource(text('{"version": 2, "status": "success"}'))),
      'not-a-zip',
    );
    await expectKind(readCentralDirectory(new MemoryByteSource(new Uint8Array())), 'not-a-zip');
  });

  it.each(fixtureFiles('.eval'))(
    'says "central directory missing" when %s is cut before its directory',
    async (path) => {
      const bytes = readFileSync(fixture(path));
      const directory = await readCentralDirectory(new MemoryByteSource(bytes));
      // Keep the first half of the entries' bytes: what a crash mid-write or a partial copy leaves.
      const cut = bytes.subarray(0, Math.max(40, Math.floor(directory.centralDirectoryOffset / 2)));
      const error = await expectKind(
        readCentralDirectory(new MemoryByteSource(cut)),
        'central-directory-missing',
      );
      expect(error.message).toMatch(/central directory is missing/);
    },
  );

  it('refuses an unsupported compression method by number', async () => {
    const bytes = await buildZip([['a.json', 'hello', { method: 0 }]]);
    const source = new MemoryByteSource(bytes);
    const entry = (await readCentralDirectory(source)).entries[0]!;
    const error = await expectKind(
      readEntryBytes(source, { ...entry, method: 12 }, codecs),
      'unsupported-compression',
    );
    expect(error.message).toContain('method 12');
  });

  it('detects a CRC mismatch even when the bytes decode', async () => {
    const bytes = await buildZip([['a.json', 'hello world', { method: 0 }]]);
    const corrupted = bytes.slice();
    const firstDataByte = 30 + 'a.json'.length;
    corrupted[firstDataByte] = corrupted[firstDataByte]! ^ 0x01;
    const source = new MemoryByteSource(corrupted);
    const entry = (await readCentralDirectory(source)).entries[0]!;
    await expectKind(readEntryBytes(source, entry, codecs), 'crc-mismatch');
  });

  it('detects a zstd entry whose frames were cut short', async () => {
    const bytes = await buildZip([['a.json', 'abc'.repeat(50_000), { frameInputBytes: 40_000 }]]);
    const source = new MemoryByteSource(bytes);
    const entry = (await readCentralDirectory(source)).entries[0]!;
    const short = { ...entry, compressedSize: entry.compressedSize - 10 };
    const error = await readEntryBytes(source, short, codecs).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SalvageError);
    expect(['corrupt-zip', 'size-mismatch']).toContain((error as SalvageError).kind);
  });

  it('stops a decoder that produces more than the declared size (no decompression bomb)', async () => {
    const bytes = await buildZip([['a.json', 'z'.repeat(1_000_000)]]);
    const source = new MemoryByteSource(bytes);
    const entry = (await readCentralDirectory(source)).entries[0]!;
    await expectKind(
      readEntryBytes(source, { ...entry, uncompressedSize: 1000 }, codecs),
      'size-mismatch',
    );
  });

  it('refuses a size field beyond the limit before allocating anything', async () => {
    const bytes = await buildZip([['a.json', 'small']]);
    const source = new CountingByteSource(new MemoryByteSource(bytes));
    const entry = (await readCentralDirectory(source)).entries[0]!;
    const readsBefore = source.reads;
    await expectKind(
      readEntryBytes(source, { ...entry, uncompressedSize: 2 ** 40 }, codecs),
      'size-limit',
    );
    expect(source.reads).toBe(readsBefore);
  });

  it('refuses entries whose bytes overlap, the trick of a small zip bomb (found by npm run fuzz, issue 15)', async () => {
    const zip = await buildZip([
      ['samples/1_epoch_1.json', '{"id": 1}'],
      ['samples/2_epoch_1.json', '{"id": 2}'],
    ]);
    const { centralDirectoryOffset } = await readCentralDirectory(new MemoryByteSource(zip));
    // The second central record pointed at the first entry's bytes, as a bomb lists one entry many times.
    const view = new DataView(zip.buffer, zip.byteOffset);
    let second = centralDirectoryOffset + 1;
    while (view.getUint32(second, true) !== 0x02014b50) second += 1;
    view.setUint32(second + 42, 0, true);
    const refused = await readCentralDirectory(new MemoryByteSource(zip)).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SalvageError);
    expect((refused as SalvageError).kind).toBe('corrupt-zip');
    expect((refused as SalvageError).message).toMatch(/overlap/);
  });

  it('rejects a directory that points past the end record', async () => {
    const bytes = await buildZip([['a.json', 'x']]);
    const corrupted = bytes.slice();
    const view = new DataView(corrupted.buffer);
    view.setUint32(corrupted.length - 22 + 16, corrupted.length, true);
    await expectKind(readCentralDirectory(new MemoryByteSource(corrupted)), 'corrupt-zip');
  });
});

describe('crc32', () => {
  it('matches zlib on every length up to 64 and on a large buffer', () => {
    const data = new Uint8Array(100_003).map((_, index) => (index * 7919) & 0xff);
    for (let length = 0; length <= 64; length++) {
      expect(crc32(data.subarray(0, length))).toBe(zlib.crc32(data.subarray(0, length)));
    }
    expect(crc32(data)).toBe(zlib.crc32(data));
    expect(crc32(data.subarray(500), crc32(data.subarray(0, 500)))).toBe(zlib.crc32(data));
  });
});
