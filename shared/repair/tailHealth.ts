import type { ByteSource } from '../formats/bytes/byteSource.ts';

const NEWLINE = 0x0a;
/** Bytes read per step when walking back from the end to the previous newline. */
export const TAIL_BLOCK_BYTES = 64 * 1024;

/** Where a JSONL log's last line starts, when the log does not end with a newline. */
export interface TailLocation {
  /** Offset of the first byte after the last `\n` (0 when there is none). */
  readonly lastLineStart: number;
  readonly size: number;
}

/**
 * Health check of a JSONL log's end. A log that ends in `\n` is healthy after reading one byte,
 * whatever its size; only otherwise is the tail read, backwards in blocks, to the previous `\n`.
 * Returns null for a healthy (or empty) log.
 */
export async function findUnterminatedTail(source: ByteSource): Promise<TailLocation | null> {
  if (source.size === 0) return null;
  const last = await source.read(source.size - 1, 1);
  if (last[0] === NEWLINE) return null;
  let end = source.size - 1;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_BLOCK_BYTES);
    const block = await source.read(start, end - start);
    const newline = block.lastIndexOf(NEWLINE);
    if (newline !== -1) return { lastLineStart: start + newline + 1, size: source.size };
    end = start;
  }
  return { lastLineStart: 0, size: source.size };
}
