/** Zip compression methods Inspect writes: stored, raw DEFLATE, Zstandard. */
export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;
export const METHOD_ZSTD = 93;

/** One central-directory record, with ZIP64 values already applied. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  /** Position in the central directory (0-based); later duplicates of a name win. */
  readonly index: number;
}

/** The parsed central directory of an archive. */
export interface ZipDirectory {
  /** Every record in directory order, duplicates included. */
  readonly entries: ReadonlyArray<ZipEntry>;
  /** Name → entry, the last duplicate winning (as Inspect and its viewer resolve names). */
  readonly byName: ReadonlyMap<string, ZipEntry>;
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  readonly zip64: boolean;
}
