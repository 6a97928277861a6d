/**
 * Which segment (a run's sample, or a part of a growing one) each indexed text belongs to, kept in
 * memory so that a query maps thousands of matching rows to their runs without a lookup each.
 *
 * A segment owns the text rows [first, last]; rows are numbered by one counter that never goes
 * back, so segments are appended in order of `first` and a binary search finds a row's segment.
 * A few tens of bytes a segment: 200,000 samples take a few MB.
 */
export class SegmentMap {
  private ids: number[] = [];
  private firsts: number[] = [];
  private lasts: number[] = [];
  private runs: number[] = [];
  private readonly positions = new Map<number, number>();
  private removed = 0;

  /** Add a segment; its rows come after every segment's already here. */
  append(id: number, run: number, first: number, last: number): void {
    const at = this.ids.length;
    if (at > 0 && first < this.firsts[at - 1]!) throw new Error('segments out of order');
    this.ids.push(id);
    this.firsts.push(first);
    this.lasts.push(last);
    this.runs.push(run);
    this.positions.set(id, at);
  }

  /** The segment's rows end at `last` now (it grew). */
  extend(id: number, last: number): void {
    const at = this.positions.get(id);
    if (at !== undefined) this.lasts[at] = last;
  }

  remove(id: number): void {
    const at = this.positions.get(id);
    if (at === undefined) return;
    this.positions.delete(id);
    this.runs[at] = -1;
    this.removed += 1;
    // Compact once most of the arrays are holes.
    if (this.removed > 1024 && this.removed * 2 > this.ids.length) this.compact();
  }

  /** The segment holding text row `row`, or -1. */
  segmentOf(row: number): number {
    const at = this.positionOf(row);
    return at < 0 ? -1 : this.ids[at]!;
  }

  /** The run of the segment holding `row`, or -1. */
  runOf(row: number): number {
    const at = this.positionOf(row);
    return at < 0 ? -1 : this.runs[at]!;
  }

  /** The run of a segment, or -1 when it is gone. */
  runOfSegment(id: number): number {
    const at = this.positions.get(id);
    return at === undefined ? -1 : this.runs[at]!;
  }

  /** Rows [first, last] spanned by a run's segments (others' rows may lie between). */
  rangeOf(run: number): { first: number; last: number } | null {
    let first = Infinity;
    let last = -Infinity;
    for (let at = 0; at < this.ids.length; at++) {
      if (this.runs[at] !== run || this.lasts[at]! < this.firsts[at]!) continue;
      first = Math.min(first, this.firsts[at]!);
      last = Math.max(last, this.lasts[at]!);
    }
    return first <= last ? { first, last } : null;
  }

  get size(): number {
    return this.positions.size;
  }

  private positionOf(row: number): number {
    let low = 0;
    let high = this.firsts.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.firsts[middle]! <= row) low = middle + 1;
      else high = middle - 1;
    }
    // high: the last segment starting at or before `row` (of segments sharing a start, the empty
    // ones come first). Segments do not overlap, so if it does not hold `row`, none does.
    if (high < 0 || this.runs[high] === -1 || row > this.lasts[high]!) return -1;
    return high;
  }

  private compact(): void {
    const keep = (_: number, at: number): boolean => this.runs[at] !== -1;
    this.ids = this.ids.filter(keep);
    this.firsts = this.firsts.filter(keep);
    this.lasts = this.lasts.filter(keep);
    this.runs = this.runs.filter((run) => run !== -1);
    this.positions.clear();
    this.ids.forEach((id, at) => this.positions.set(id, at));
    this.removed = 0;
  }
}
