import type { ByteSource } from '../bytes/byteSource.ts';
import { LittleEndianView } from '../bytes/littleEndian.ts';
import { isSalvageError } from '../../util/errors.ts';
import type { Codecs } from './codecs.ts';
import { readEntryChunks } from './entryReader.ts';
import type { ZipDirectory, ZipEntry } from './zipEntry.ts';

import { LOCAL_HEADER_BYTES, LOCAL_HEADER_SIGNATURE } from './centralDirectory.ts';

const ZIP64_EXTRA_TAG = 0x0001;
const utf8 = new TextDecoder('utf-8');

import type { LostEntry } from '../../model/recovery.ts';

export type { LostEntry };

export interface LocalScan {
  /** Entries whose bytes are complete and whose CRC matches, as a directory (last duplicate wins). */
  readonly directory: ZipDirectory;
  readonly lost: ReadonlyArray<LostEntry>;
}

/**
 * Salvage an archive whose central directory is gone: walk its local file headers from the
 * start, keep every entry whose bytes are all present and decode to the CRC its header records,
 * and list the ones that are not. Each candidate is verified by a full streamed decode.
 */
export async function scanLocalHeaders(source: ByteSource, codecs: Codecs): Promise<LocalScan> {
  const entries: ZipEntry[] = [];
  const lost: LostEntry[] = [];
  let offset = 0;
  while (offset + LOCAL_HEADER_BYTES <= source.size) {
    const header = new LittleEndianView(await source.read(offset, LOCAL_HEADER_BYTES));
    if (header.u32(0) !== LOCAL_HEADER_SIGNATURE) break;
    const flags = header.u16(6);
    const method = header.u16(8);
    const crc32 = header.u32(14);
    let compressedSize = header.u32(18);
    let uncompressedSize = header.u32(22);
    const nameLength = header.u16(26);
    const extraLength = header.u16(28);
    if (offset + LOCAL_HEADER_BYTES + nameLength + extraLength > source.size) {
      lost.push({ name: '(unnamed)', offset, reason: 'the local header itself was cut off' });
      break;
    }
    const variable = await source.read(offset + LOCAL_HEADER_BYTES, nameLength + extraLength);
    const name = utf8.decode(variable.subarray(0, nameLength));
    const extra = new LittleEndianView(variable.subarray(nameLength));
    for (let e = 0; e + 4 <= extra.length;) {
      const tag = extra.u16(e);
      const size = extra.u16(e + 2);
      if (tag === ZIP64_EXTRA_TAG) {
        let field = e + 4;
        if (uncompressedSize === 0xffffffff && field + 8 <= e + 4 + size) {
          uncompressedSize = extra.u64(field);
          field += 8;
        }
        if (compressedSize === 0xffffffff && field + 8 <= e + 4 + size)
          compressedSize = extra.u64(field);
      }
      e += 4 + size;
    }
    if (flags & 0x8) {
      lost.push({
        name,
        offset,
        reason: 'its sizes are in a data descriptor, which the scan cannot trust',
      });
      break;
    }
    const dataEnd = offset + LOCAL_HEADER_BYTES + nameLength + extraLength + compressedSize;
    if (dataEnd > source.size) {
      lost.push({
        name,
        offset,
        reason: `only ${source.size - (dataEnd - compressedSize)} of its ${compressedSize} bytes were written`,
      });
      break;
    }
    const entry: ZipEntry = {
      name,
      method,
      flags,
      crc32,
      compressedSize,
      uncompressedSize,
      localHeaderOffset: offset,
      index: entries.length,
    };
    try {
      for await (const chunk of readEntryChunks(source, entry, codecs)) void chunk;
      entries.push(entry);
    } catch (error) {
      if (!isSalvageError(error)) throw error;
      lost.push({ name, offset, reason: error.message });
    }
    offset = dataEnd;
  }
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) byName.set(entry.name, entry);
  return {
    directory: {
      entries,
      byName,
      centralDirectoryOffset: offset,
      centralDirectorySize: 0,
      zip64: false,
    },
    lost,
  };
}
