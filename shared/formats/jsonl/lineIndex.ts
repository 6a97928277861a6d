import type { ByteSource } from '../bytes/byteSource.ts';
import { LINE_CHUNK_BYTES } from './lineReader.ts';

const NEWLINE = 0x0a;

/**
 * Byte offsets of a JSONL log's lines, built incrementally, so that record N is one positional
 * read and a huge log opens at once: `extendTo` indexes only as far as the records asked for,
 * a chunk at a time (8 bytes a line).
 */
export class LineIndex {
  private readonly source: ByteSource;
  /** Start offset of every complete line found so far; `starts[count]` is where the next begins. */
  private starts = new Float64Array(1024);
  private found = 0;
  private scanned = 0;

  constructor(source: ByteSource) {
    this.source = source;
  }

  /** Complete lines indexed so far. */
  get count(): number {
    return this.found;
  }

  /** True when every byte has been indexed. */
  get complete(): boolean {
    return this.scanned >= this.source.size;
  }

  /** Index until `lines` complete lines are known or the log ends; returns how many are known. */
  async extendTo(lines: number): Promise<number> {
    while (this.found < lines && this.scanned < this.source.size) {
      const length = Math.min(LINE_CHUNK_BYTES, this.source.size - this.scanned);
      const chunk = await this.source.read(this.scanned, length);
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
        this.push(this.scanned + at + 1);
      }
      this.scanned += length;
    }
    return this.found;
  }

  /** Where the first `lines` complete lines end (the offset after their last newline). */
  endOf(lines: number): number {
    return lines === 0 ? 0 : this.starts[Math.min(lines, this.found) - 1]!;
  }

  /** The log's size in bytes. */
  get size(): number {
    return this.source.size;
  }

  /** Index the whole log. */
  async build(): Promise<number> {
    return this.extendTo(Number.POSITIVE_INFINITY);
  }

  /** The bytes of complete line `index` (0-based), without its newline. */
  async line(index: number): Promise<Uint8Array> {
    if ((await this.extendTo(index + 1)) <= index)
      throw new RangeError(`The log has no complete line ${index + 1}.`);
    const start = index === 0 ? 0 : this.starts[index - 1]!;
    const end = this.starts[index]! - 1;
    return this.source.read(start, end - start);
  }

  /**
   * The bytes of complete lines `first` .. `first + count - 1` (as many as exist), read with one
   * positional read per `maxBytes` of log instead of one per line.
   */
  async lines(first: number, count: number, maxBytes = LINE_CHUNK_BYTES): Promise<Uint8Array[]> {
    const known = Math.min(first + count, await this.extendTo(first + count));
    const lines: Uint8Array[] = [];
    let line = first;
    while (line < known) {
      const start = line === 0 ? 0 : this.starts[line - 1]!;
      // Lines whose bytes fit in one read (always at least one line, however long).
      let last = line;
      while (last + 1 < known && this.starts[last + 1]! - start <= maxBytes) last++;
      const bytes = await this.source.read(start, this.starts[last]! - start);
      for (let at = line; at <= last; at++) {
        const from = (at === 0 ? 0 : this.starts[at - 1]!) - start;
        lines.push(bytes.subarray(from, this.starts[at]! - 1 - start));
      }
      line = last + 1;
    }
    return lines;
  }

  private push(nextStart: number): void {
    if (this.found === this.starts.length) {
      const grown = new Float64Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.found++] = nextStart;
  }
}
