/** Little-endian field access into a byte array, as zip structures are laid out. */
export class LittleEndianView {
  private readonly view: DataView;
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /** A 64-bit field as a JS number; values beyond 2^53 are not offsets or sizes of a real file. */
  u64(offset: number): number {
    const low = this.view.getUint32(offset, true);
    const high = this.view.getUint32(offset + 4, true);
    return high * 0x1_0000_0000 + low;
  }
}

/** Concatenate byte chunks into one array. */
export function concatBytes(chunks: ReadonlyArray<Uint8Array>): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
