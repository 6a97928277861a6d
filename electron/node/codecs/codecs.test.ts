import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import { readCentralDirectory } from '../../../shared/formats/zip/centralDirectory.ts';
import { readEntryBytes } from '../../../shared/formats/zip/entryReader.ts';
import { METHOD_ZSTD } from '../../../shared/formats/zip/zipEntry.ts';
import { ZstdFrameSplitter } from '../../../shared/formats/zstd/frameSplitter.ts';
import { fixture, fixtureFiles, TS_MONO } from '../../../test/support/fixtures.ts';
import { nodeZlibCodecs } from './nodeZlibCodecs.ts';
import { portableCodecs } from './portableCodecs.ts';
import { MemoryZipSink, ZipWriter } from '../zip/zipWriter.ts';
import { WHOLE_DECODE_MAX_BYTES } from '../../../shared/util/limits.ts';

const native = nodeZlibCodecs();
const portable = portableCodecs();
/** Native codecs forced onto the streaming path that large entries take. */
const nativeStreaming = { ...native, decodeWhole: undefined };

describe('native and portable codecs', () => {
  it.each(fixtureFiles('.eval', '.zip'))(
    'decode every entry of %s to identical bytes',
    async (path) => {
      const source = new MemoryByteSource(readFileSync(fixture(path)));
      const directory = await readCentralDirectory(source);
      expect(directory.entries.length).toBeGreaterThan(0);
      for (const entry of directory.entries) {
        const fromNative = await readEntryBytes(source, entry, native);
        const fromPortable = await readEntryBytes(source, entry, portable);
        expect(fromNative.length).toBe(entry.uncompressedSize);
        expect(Buffer.compare(fromNative, fromPortable)).toBe(0);
      }
    },
  );

  it('decode the multi-frame fixture to the same bytes as its single-frame twin', async () => {
    const multi = new MemoryByteSource(
      readFileSync(fixture('synthetic/multiframe/ais-decoder_zstd_multiframe_64KiB.eval')),
    );
    const single = new MemoryByteSource(
      readFileSync(fixture(`${TS_MONO}/original/ais-decoder.eval`)),
    );
    const multiEntry = (await readCentralDirectory(multi)).byName.get('samples/1_epoch_1.json')!;
    const singleEntry = (await readCentralDirectory(single)).byName.get('samples/1_epoch_1.json')!;
    expect(multiEntry.method).toBe(METHOD_ZSTD);

    // The fixture really is multi-frame: six frames in the one entry.
    const dataOffset = multiEntry.localHeaderOffset + 30 + 'samples/1_epoch_1.json'.length;
    const splitter = new ZstdFrameSplitter();
    splitter.push(await multi.read(dataOffset, multiEntry.compressedSize));
    expect(splitter.frames).toBe(6);

    const reference = await readEntryBytes(single, singleEntry, native);
    for (const codecs of [native, nativeStreaming, portable]) {
      const decoded = await readEntryBytes(multi, multiEntry, codecs);
      expect(Buffer.compare(decoded, reference)).toBe(0);
    }
  });
});

describe('large entries', () => {
  it('stream through both decoders, frame by frame, to the bytes written', async () => {
    const text = Array.from(
      { length: 400_000 },
      (_, index) => `line ${index} ${(index * 7919) % 1000}`,
    ).join('\n');
    const bytes = new TextEncoder().encode(text);
    expect(bytes.length).toBeGreaterThan(WHOLE_DECODE_MAX_BYTES);
    const sink = new MemoryZipSink();
    const writer = new ZipWriter(sink);
    await writer.add('samples/big_epoch_1.json', chunked(bytes), { frameInputBytes: 1024 * 1024 });
    await writer.add('deflated.json', chunked(bytes), { method: 8 });
    await writer.finish();
    const source = new MemoryByteSource(sink.bytes());
    const directory = await readCentralDirectory(source);
    for (const entry of directory.entries) {
      for (const codecs of [native, portable]) {
        expect(Buffer.compare(await readEntryBytes(source, entry, codecs), bytes)).toBe(0);
      }
    }
  });
});

async function* chunked(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 300_000) {
    yield await Promise.resolve(bytes.subarray(offset, offset + 300_000));
  }
}
