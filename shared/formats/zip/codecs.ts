/**
 * The decoders a zip reader needs, injected so shared/ stays free of Node and WASM.
 *
 * Node supplies native zlib (inflate, zstd, crc32); a portable set (zstd-codec + JS CRC) serves
 * runtimes without zstd in zlib. Both must produce identical bytes: tests prove it on every fixture.
 */
export interface Codecs {
  /** Short name for reports and benchmarks, e.g. "node:zlib". */
  readonly name: string;
  /** Raw DEFLATE (zip method 8), streamed. `expectedBytes` (the declared size) lets small entries use small buffers. */
  inflateRaw(input: AsyncIterable<Uint8Array>, expectedBytes?: number): AsyncIterable<Uint8Array>;
  /** Zstandard (zip method 93), streamed, one frame at a time: the zip reader splits multi-frame entries and calls this per frame. */
  zstdDecompress(
    input: AsyncIterable<Uint8Array>,
    expectedBytes?: number,
  ): AsyncIterable<Uint8Array>;
  /**
   * Decode one small, whole zstd frame or DEFLATE stream at once, on the calling thread: for the
   * many small entries of a log, a stream per entry costs more than the decoding. Optional.
   * Output beyond `expectedBytes` need not be produced: returning more than `expectedBytes`
   * bytes is enough for the reader to report the entry as corrupt.
   */
  decodeWhole?(method: 'deflate' | 'zstd', input: Uint8Array, expectedBytes: number): Uint8Array;
  /** CRC-32 (IEEE) of `data`, continuing from `previous` (0 to start). */
  crc32(data: Uint8Array, previous: number): number;
}
