/**
 * Named size limits, each with the reason it exists.
 *
 * A size field read from a file is never trusted to size an allocation on its own: these caps
 * turn a corrupt or hostile field into a `size-limit` error instead of an out-of-memory crash.
 */

/**
 * Bytes read per positional read while streaming an entry. Measured here on a 671 MB, 4-frame zstd
 * entry (best of 4; zstd -d: 880 MB/s): 256 KiB reads 341 MB/s, 1 MiB 426, 4 MiB 576, 8 MiB
 * 635–643 MB/s. Larger reads amortise each trip through the I/O and zlib thread pool.
 */
export const STREAM_CHUNK_BYTES = 8 * 1024 * 1024;

/** How far back from the end of a file to look for the end-of-central-directory record: 22-byte record + the largest possible zip comment. */
export const EOCD_SEARCH_BYTES = 22 + 0xffff;

/** Largest central directory we load at once. 10,000 samples take ~1 MB; 256 MiB means a corrupt offset, not a log. */
export const MAX_CENTRAL_DIRECTORY_BYTES = 256 * 1024 * 1024;

/** Largest entry we materialise as one string (summaries, headers, one sample). V8's string limit is ~512 MiB; beyond it a parse cannot succeed anyway. */
export const MAX_ENTRY_TEXT_BYTES = 512 * 1024 * 1024;

/** Largest JSON value of a `.json` log we parse at once (one sample, or the header fields). Same reason as MAX_ENTRY_TEXT_BYTES. */
export const MAX_JSON_VALUE_BYTES = MAX_ENTRY_TEXT_BYTES;

/** Bytes scanned per read while walking a `.json` log's structure. */
export const JSON_SCAN_CHUNK_BYTES = 1024 * 1024;

/**
 * Entries up to this size (compressed and decoded) are decoded in one call instead of streamed:
 * a 5,000-sample recovery spent most of its time waiting on per-entry stream round trips.
 */
export const WHOLE_DECODE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Largest sample JSON Copy puts on the clipboard. A clipboard of more is no use to paste anywhere
 * and costs the page its memory; beyond it the user exports or runs `salvage sample --json`.
 */
export const SAMPLE_COPY_LIMIT_BYTES = 32 * 1024 * 1024;
