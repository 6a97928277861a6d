// A real .eval made larger by one incompressible sample entry written first: the same header,
// summaries and directory at any size, for proving that what opening a log costs does not follow
// its size.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MemoryByteSource } from '../../shared/formats/bytes/byteSource.ts';
import {
  entryDataOffset,
  readCentralDirectory,
} from '../../shared/formats/zip/centralDirectory.ts';
import { readRange } from '../../shared/formats/zip/entryReader.ts';
import { METHOD_STORED } from '../../shared/formats/zip/zipEntry.ts';
import { MemoryZipSink, ZipWriter } from '../../electron/node/zip/zipWriter.ts';

export async function paddedEval(log: string, paddingBytes: number): Promise<Uint8Array> {
  const source = new MemoryByteSource(readFileSync(log));
  const directory = await readCentralDirectory(source);
  const sink = new MemoryZipSink();
  const writer = new ZipWriter(sink);
  const text = randomBytes(Math.ceil((paddingBytes * 3) / 4)).toString('base64');
  await writer.add(
    'samples/padding_epoch_1.json',
    new TextEncoder().encode(JSON.stringify({ id: 'padding', epoch: 1, padding: text })),
    { method: METHOD_STORED },
  );
  for (const entry of directory.entries) {
    const offset = await entryDataOffset(source, entry);
    await writer.addRaw(entry.name, entry, readRange(source, offset, entry.compressedSize));
  }
  await writer.finish();
  return sink.bytes();
}
