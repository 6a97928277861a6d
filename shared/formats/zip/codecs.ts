/**
 * The decoders a zip reader needs, injected so shared/ stays free of Node and WASM.
 *
 * Node supplies native zlib (inflate, zstd, crc32); a portable set (zstd-codec + JS CRC) serves
 * runtimes without zstd in zlib. Both must produce identical bytes: tests prove it on every fixture.
 */
export interface Codecs {
  /** Short name for reports and benchmarks, e.g. "node:zlib". */
  readonly name: string;
  /** Raw DEFLATE (zip method 8), streamed. */
  inflateRaw(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  /** Zstandard (zip method 93), streamed, one frame at a time: the zip reader splits multi-frame entries and calls this per frame. */
  zstdDecompress(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  /** CRC-32 (IEEE) of `data`, continuing from `previous` (0 to start). */
  crc32(data: Uint8Array, previous: number): number;
}
