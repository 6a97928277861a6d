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

/**
 * Largest header (`header.json`, `_journal/start.json`, a journal's config update) read. A header
 * is the eval's spec, plan, results and stats: kilobytes, growing by about 10 bytes a sample
 * for the spec's sample ids (a 1-million-sample eval: 10 MB). Listing a folder reads every
 * header, so a 17 KB archive declaring a 511 MiB header (of spaces) cost 16 s and 1.7 GB per
 * `ls`; capped by the declared size, it is refused before a byte is decoded.
 */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Largest JSON value of a `.json` log we parse at once (one sample, or the header fields). Same reason as MAX_ENTRY_TEXT_BYTES. */
export const MAX_JSON_VALUE_BYTES = MAX_ENTRY_TEXT_BYTES;

/**
 * Most pool references a sample's model events and messages may expand to (`input_refs`,
 * `call_refs`, `message_refs`): each is a pointer to a message already in memory, 8 bytes; a
 * 1,000-call agent run whose calls each see 2,000 messages takes 2 million. Ranges that repeat
 * the pool past this (128 MiB of pointers) are corrupt or hostile: a 1 MB list of `[0, 1000]`
 * would otherwise expand to 100 million.
 */
export const MAX_POOL_REFERENCES = 16 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects a JSON text may have. Inspect's own readers stop far
 * sooner (pydantic's JSON parser at 200 levels, Python's json at about 1,000), so no log is
 * deeper; a deeper text is refused before it is parsed: JSON.parse spends ~50 bytes a level, and
 * a 16 KB archive can inflate to 512 MiB of `[`. Every walk over parsed values is iterative or
 * depth-bounded as well, so what parses is safe to read, write and show.
 */
export const MAX_JSON_DEPTH = 10_000;

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
