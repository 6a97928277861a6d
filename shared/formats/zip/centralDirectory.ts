import type { ByteSource } from '../bytes/byteSource.ts';
import { LittleEndianView } from '../bytes/littleEndian.ts';
import { SalvageError } from '../../util/errors.ts';
import { EOCD_SEARCH_BYTES, MAX_CENTRAL_DIRECTORY_BYTES } from '../../util/limits.ts';
import type { ZipDirectory, ZipEntry } from './zipEntry.ts';

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_BYTES = 56;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_BYTES = 46;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
/** A local file header's fixed part (its name and extra field follow). */
const LOCAL_HEADER_BYTES = 30;
const ZIP64_EXTRA_TAG = 0x0001;

const utf8 = new TextDecoder('utf-8');

interface EndRecord {
  readonly position: number;
  readonly entryCount: number;
  readonly directorySize: number;
  readonly directoryOffset: number;
  readonly zip64: boolean;
}

/**
 * Read an archive's central directory: a few positional reads, whatever the archive's size.
 *
 * The common case (no zip comment) costs one 22-byte read for the end record plus one read of
 * the directory itself; a comment or ZIP64 adds one or two more.
 */
export async function readCentralDirectory(source: ByteSource): Promise<ZipDirectory> {
  const end = await findEndRecord(source);
  if (end.directoryOffset + end.directorySize > end.position) {
    throw new SalvageError(
      'corrupt-zip',
      `The zip central directory points past its own end record (offset ${end.directoryOffset} + ${end.directorySize} bytes > ${end.position}); the archive is corrupt.`,
    );
  }
  if (end.directorySize > MAX_CENTRAL_DIRECTORY_BYTES) {
    throw new SalvageError(
      'size-limit',
      `The zip central directory claims ${end.directorySize} bytes, more than the ${MAX_CENTRAL_DIRECTORY_BYTES}-byte limit; the archive is corrupt.`,
    );
  }
  const bytes = await source.read(end.directoryOffset, end.directorySize);
  const entries = parseCentralDirectory(bytes, end.entryCount);
  refuseOverlaps(entries);
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) byName.set(entry.name, entry);
  return {
    entries,
    byName,
    centralDirectoryOffset: end.directoryOffset,
    centralDirectorySize: end.directorySize,
    zip64: end.zip64,
  };
}

async function findEndRecord(source: ByteSource): Promise<EndRecord> {
  if (source.size < EOCD_BYTES) await throwMissingDirectory(source);
  // Fast path: no zip comment, the record is the last 22 bytes.
  const tail = new LittleEndianView(await source.read(source.size - EOCD_BYTES, EOCD_BYTES));
  if (tail.u32(0) === EOCD_SIGNATURE && tail.u16(20) === 0) {
    return endRecordAt(source, source.size - EOCD_BYTES, tail);
  }
  const searchLength = Math.min(source.size, EOCD_SEARCH_BYTES);
  const searchStart = source.size - searchLength;
  const window = new LittleEndianView(await source.read(searchStart, searchLength));
  for (let i = searchLength - EOCD_BYTES; i >= 0; i--) {
    if (window.u32(i) !== EOCD_SIGNATURE) continue;
    const commentLength = window.u16(i + 20);
    // A record whose comment does not reach exactly to the end is a false match inside data.
    if (i + EOCD_BYTES + commentLength !== searchLength) continue;
    const record = new LittleEndianView(window.bytes.subarray(i, i + EOCD_BYTES));
    return endRecordAt(source, searchStart + i, record);
  }
  return throwMissingDirectory(source);
}

async function endRecordAt(
  source: ByteSource,
  position: number,
  record: LittleEndianView,
): Promise<EndRecord> {
  const entryCount = record.u16(10);
  const directorySize = record.u32(12);
  const directoryOffset = record.u32(16);
  const saturated =
    entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff;
  // Like Inspect, only look for ZIP64 when a field is saturated: compressed data can contain a
  // false locator signature right before the end record.
  if (!saturated) return { position, entryCount, directorySize, directoryOffset, zip64: false };

  const locatorPosition = position - ZIP64_LOCATOR_BYTES;
  if (locatorPosition < 0) throw zip64Missing();
  const locator = new LittleEndianView(await source.read(locatorPosition, ZIP64_LOCATOR_BYTES));
  if (locator.u32(0) !== ZIP64_LOCATOR_SIGNATURE) throw zip64Missing();
  const recordOffset = locator.u64(8);
  if (recordOffset + ZIP64_EOCD_BYTES > locatorPosition) throw zip64Missing();
  const zip64 = new LittleEndianView(await source.read(recordOffset, ZIP64_EOCD_BYTES));
  if (zip64.u32(0) !== ZIP64_EOCD_SIGNATURE) throw zip64Missing();
  return {
    position: recordOffset,
    entryCount: zip64.u64(32),
    directorySize: zip64.u64(40),
    directoryOffset: zip64.u64(48),
    zip64: true,
  };
}

function zip64Missing(): SalvageError {
  return new SalvageError(
    'corrupt-zip',
    'The zip end record says the archive is ZIP64, but its ZIP64 end record is missing or damaged.',
  );
}

/**
 * Entries whose bytes overlap are never written by a zip writer; they are a bomb's trick: a few
 * kilobytes listing one highly compressed entry thousands of times make every reader that visits
 * each entry (a verified copy, a recovery) decode gigabytes. Each entry's local header and data
 * must end before the next entry's header begins (the header's name and extra fields, of unknown
 * length here, counted as empty: a lower bound, so a real archive never trips it).
 */
function refuseOverlaps(entries: ReadonlyArray<ZipEntry>): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const before = byOffset[i - 1]!;
    const after = byOffset[i]!;
    if (
      before.localHeaderOffset + LOCAL_HEADER_BYTES + before.compressedSize >
      after.localHeaderOffset
    )
      throw new SalvageError(
        'corrupt-zip',
        `The zip entries "${before.name}" and "${after.name}" overlap (at byte ${after.localHeaderOffset}): no zip writer makes such an archive (it is the trick of a zip bomb), so it is not read.`,
      );
  }
}

async function throwMissingDirectory(source: ByteSource): Promise<never> {
  const head = source.size >= 4 ? new LittleEndianView(await source.read(0, 4)) : null;
  if (head === null || head.u32(0) !== LOCAL_HEADER_SIGNATURE) {
    throw new SalvageError(
      'not-a-zip',
      source.size === 0
        ? 'The file is empty.'
        : 'This is not a zip archive (it does not start with a zip local file header), so it cannot be an Inspect .eval log.',
    );
  }
  throw new SalvageError(
    'central-directory-missing',
    'The zip central directory is missing: the end of the archive was cut off (a crash mid-write, a full disk or an incomplete copy). The entries before the cut can still be salvaged with `salvage recover`.',
  );
}

function parseCentralDirectory(bytes: Uint8Array, expectedCount: number): ZipEntry[] {
  const view = new LittleEndianView(bytes);
  const entries: ZipEntry[] = [];
  let offset = 0;
  while (offset + CENTRAL_HEADER_BYTES <= bytes.length) {
    if (view.u32(offset) !== CENTRAL_HEADER_SIGNATURE) break;
    const nameLength = view.u16(offset + 28);
    const extraLength = view.u16(offset + 30);
    const commentLength = view.u16(offset + 32);
    const recordEnd = offset + CENTRAL_HEADER_BYTES + nameLength + extraLength + commentLength;
    if (recordEnd > bytes.length) break;
    const nameStart = offset + CENTRAL_HEADER_BYTES;
    const name = utf8.decode(bytes.subarray(nameStart, nameStart + nameLength));
    let compressedSize = view.u32(offset + 20);
    let uncompressedSize = view.u32(offset + 24);
    let localHeaderOffset = view.u32(offset + 42);
    const extra = new LittleEndianView(
      bytes.subarray(nameStart + nameLength, nameStart + nameLength + extraLength),
    );
    // The ZIP64 extra holds, in this order, only the fields saturated in the fixed record.
    for (let e = 0; e + 4 <= extra.length;) {
      const tag = extra.u16(e);
      const size = extra.u16(e + 2);
      if (tag === ZIP64_EXTRA_TAG) {
        let field = e + 4;
        const fieldEnd = Math.min(extra.length, e + 4 + size);
        if (uncompressedSize === 0xffffffff && field + 8 <= fieldEnd) {
          uncompressedSize = extra.u64(field);
          field += 8;
        }
        if (compressedSize === 0xffffffff && field + 8 <= fieldEnd) {
          compressedSize = extra.u64(field);
          field += 8;
        }
        if (localHeaderOffset === 0xffffffff && field + 8 <= fieldEnd) {
          localHeaderOffset = extra.u64(field);
        }
      }
      e += 4 + size;
    }
    entries.push({
      name,
      flags: view.u16(offset + 8),
      method: view.u16(offset + 10),
      crc32: view.u32(offset + 16),
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      index: entries.length,
    });
    offset = recordEnd;
  }
  // The 16-bit count wraps past 65,535 entries in non-ZIP64 archives, so only a shortfall in
  // parsed records (not a larger number) means the directory is damaged.
  if (entries.length < expectedCount) {
    throw new SalvageError(
      'corrupt-zip',
      `The zip central directory is damaged: it lists ${expectedCount} entries but only ${entries.length} could be read.`,
    );
  }
  return entries;
}

/** Offset of an entry's compressed bytes: after its local header, whose extra field can differ from the central one. */
export async function entryDataOffset(source: ByteSource, entry: ZipEntry): Promise<number> {
  const header = new LittleEndianView(
    await source.read(entry.localHeaderOffset, LOCAL_HEADER_BYTES),
  );
  if (header.u32(0) !== LOCAL_HEADER_SIGNATURE) {
    throw new SalvageError(
      'corrupt-zip',
      `The local header of entry "${entry.name}" is missing at offset ${entry.localHeaderOffset}; the archive is corrupt.`,
    );
  }
  const dataOffset = entry.localHeaderOffset + LOCAL_HEADER_BYTES + header.u16(26) + header.u16(28);
  if (dataOffset + entry.compressedSize > source.size) {
    throw new SalvageError(
      'corrupt-zip',
      `Entry "${entry.name}" runs past the end of the file (needs ${entry.compressedSize} bytes at offset ${dataOffset}, file is ${source.size} bytes).`,
    );
  }
  return dataOffset;
}

export { LOCAL_HEADER_SIGNATURE, LOCAL_HEADER_BYTES, CENTRAL_HEADER_SIGNATURE };
