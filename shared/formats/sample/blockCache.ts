import type { ByteSource } from '../bytes/byteSource.ts';

/** Bytes of one cached block. */
const BLOCK_BYTES = 256 * 1024;
/** Blocks kept: 4 MiB, about a page of events and the pool items and attachments they use. */
const MAX_BLOCKS = 16;

/**
 * A small LRU block cache over a ByteSource. A page reads many small neighbouring items (and the
 * pool messages and attachments they refer to); through whole blocks that is a few reads of the
 * spill file instead of hundreds. Reads larger than a block go straight through.
 */
export class BlockCache implements ByteSource {
  private readonly inner: ByteSource;
  private readonly blocks = new Map<number, Promise<Uint8Array>>();

  constructor(inner: ByteSource) {
    this.inner = inner;
  }

  get size(): number {
    return this.inner.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const first = Math.floor(offset / BLOCK_BYTES);
    const last = Math.floor((offset + length - 1) / BLOCK_BYTES);
    if (length === 0 || length > BLOCK_BYTES || last > first + 1) {
      return this.inner.read(offset, length);
    }
    if (first === last) {
      const block = await this.block(first);
      const at = offset - first * BLOCK_BYTES;
      return block.subarray(at, at + length);
    }
    const [head, tail] = await Promise.all([this.block(first), this.block(last)]);
    const out = new Uint8Array(length);
    const at = offset - first * BLOCK_BYTES;
    out.set(head.subarray(at), 0);
    out.set(tail.subarray(0, length - (head.length - at)), head.length - at);
    return out;
  }

  private block(number: number): Promise<Uint8Array> {
    let block = this.blocks.get(number);
    if (block) {
      // Most recently used last.
      this.blocks.delete(number);
    } else {
      const start = number * BLOCK_BYTES;
      block = this.inner.read(start, Math.min(BLOCK_BYTES, this.inner.size - start));
      // A failed read must not stay cached.
      block.catch(() => this.blocks.delete(number));
    }
    this.blocks.set(number, block);
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    return block;
  }
}
