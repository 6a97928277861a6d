import { describe, expect, it } from 'vitest';
import { drawnRows, RowHeights } from './measuredWindow.ts';

/** Heights kept in a plain array, positions summed: what RowHeights must agree with. */
function plainStarts(heights: number[]): number[] {
  const starts = [0];
  for (const height of heights) starts.push(starts.at(-1)! + height);
  return starts;
}

function plainIndexAt(heights: number[], offset: number): number {
  const starts = plainStarts(heights);
  let index = 0;
  while (index + 1 < heights.length && starts[index + 1]! <= offset) index++;
  return index;
}

describe('RowHeights', () => {
  it('starts every row at its guessed height until measured', () => {
    const rows = new RowHeights(5, 40);
    expect([0, 1, 2, 3, 4, 5].map((index) => rows.start(index))).toEqual([
      0, 40, 80, 120, 160, 200,
    ]);
    expect(rows.total()).toBe(200);
    expect(rows.indexAt(0)).toBe(0);
    expect(rows.indexAt(39)).toBe(0);
    expect(rows.indexAt(40)).toBe(1);
    expect(rows.indexAt(10_000)).toBe(4);
  });

  it('agrees with a plain sum after measurements in any order, at any length', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const count of [1, 2, 3, 7, 64, 100, 1000]) {
      const rows = new RowHeights(count, 50);
      const heights = Array.from({ length: count }, () => 50);
      for (let step = 0; step < count * 3; step++) {
        const index = Math.floor(random() * count);
        const height = Math.round(random() * 300);
        expect(rows.set(index, height)).toBe(height - heights[index]!);
        heights[index] = height;
      }
      const starts = plainStarts(heights);
      for (let index = 0; index <= count; index++) expect(rows.start(index)).toBe(starts[index]);
      for (let probe = 0; probe < 50; probe++) {
        const offset = Math.floor(random() * (starts[count]! + 100));
        expect(rows.indexAt(offset)).toBe(plainIndexAt(heights, offset));
      }
    }
  });

  it('passes over rows measured at no height', () => {
    const rows = new RowHeights(4, 10);
    rows.set(1, 0);
    rows.set(2, 0);
    expect(rows.indexAt(10)).toBe(3);
    expect(rows.start(3)).toBe(10);
  });

  it('keeps the heights of the rows at the same places when the list grows or shrinks', () => {
    const rows = new RowHeights(3, 20);
    rows.set(0, 100);
    rows.set(2, 5);
    const longer = rows.withCount(5, 20);
    expect([0, 1, 2, 3, 4].map((index) => longer.height(index))).toEqual([100, 20, 5, 20, 20]);
    expect(longer.total()).toBe(165);
    const shorter = rows.withCount(1, 20);
    expect(shorter.total()).toBe(100);
    expect(new RowHeights(0, 20).indexAt(50)).toBe(0);
  });
});

describe('drawnRows', () => {
  it('draws the rows in view and `overscan` more each side, each at its start', () => {
    const rows = new RowHeights(100, 10);
    rows.set(20, 200);
    // Offset 195..295 shows rows 19 (ends 200) to 20 (200..400) — row 20 fills the view.
    expect(drawnRows(rows, 195, 100, 2)).toEqual([
      { index: 17, start: 170 },
      { index: 18, start: 180 },
      { index: 19, start: 190 },
      { index: 20, start: 200 },
      { index: 21, start: 400 },
      { index: 22, start: 410 },
    ]);
  });

  it('stops at both ends and draws nothing without a viewport or rows', () => {
    const rows = new RowHeights(3, 10);
    expect(drawnRows(rows, 0, 1000, 5).map((row) => row.index)).toEqual([0, 1, 2]);
    expect(drawnRows(rows, 0, 0, 5)).toEqual([]);
    expect(drawnRows(new RowHeights(0, 10), 0, 500, 5)).toEqual([]);
  });
});
