/**
 * A growable list of byte ranges [start, end) in typed arrays: 16 bytes an item however many
 * there are (hundreds of thousands of events cost a few MB, not a JS object each).
 */
export class SpanList {
  private starts = new Float64Array(64);
  private ends = new Float64Array(64);
  count = 0;
  /** Sum of the ranges' lengths. */
  bytes = 0;

  push(start: number, end: number): number {
    if (this.count === this.starts.length) {
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.bytes += end - start;
    return this.count++;
  }

  start(index: number): number {
    return this.starts[index]!;
  }

  end(index: number): number {
    return this.ends[index]!;
  }

  length(index: number): number {
    return this.ends[index]! - this.starts[index]!;
  }
}

/** A growable column of numbers beside a SpanList. */
export class NumberColumn<T extends Float64Array | Int32Array | Uint16Array> {
  private values: T;
  count = 0;

  constructor(values: T) {
    this.values = values;
  }

  push(value: number): void {
    if (this.count === this.values.length) this.values = grow(this.values);
    this.values[this.count++] = value;
  }

  get(index: number): number {
    return this.values[index]!;
  }

  set(index: number, value: number): void {
    this.values[index] = value;
  }
}

function grow<T extends Float64Array | Int32Array | Uint16Array>(values: T): T {
  const grown = new (values.constructor as new (length: number) => T)(values.length * 2);
  grown.set(values);
  return grown;
}
