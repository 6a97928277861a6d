import { describe, expect, it } from 'vitest';
import { inView, rowWindow, scrollTopFor } from './rowWindow.ts';

const ROW = 30;
const HEADER = 32;

describe('the window of rows a table draws', () => {
  it('draws the rows in view below the header, and the overscan each side', () => {
    const top = inView({ scrollTop: 0, height: 300, headerHeight: HEADER }, ROW);
    expect(top).toEqual({ top: 0, rows: 11 });
    expect(rowWindow(top, 100_000, 4)).toEqual({ first: 0, end: 15 });
    // Scrolled so that row 100 is the first under the header.
    const middle = inView(
      { scrollTop: HEADER + 100 * ROW, height: 300, headerHeight: HEADER },
      ROW,
    );
    expect(middle.top).toBe(100);
    expect(rowWindow(middle, 100_000, 4)).toEqual({ first: 96, end: 115 });
  });

  it('never draws rows that do not exist, nor none while scrolled past the end', () => {
    const view = inView(
      { scrollTop: HEADER + 5_000 * ROW, height: 300, headerHeight: HEADER },
      ROW,
    );
    // The filter has just left 3 rows: the browser will scroll back, the rows are drawn now.
    expect(rowWindow(view, 3, 4)).toEqual({ first: 0, end: 3 });
    expect(rowWindow(view, 0, 4)).toEqual({ first: 0, end: 0 });
    // A hidden table (no height) draws nothing.
    expect(rowWindow(inView({ scrollTop: 0, height: 0, headerHeight: 0 }, ROW), 50, 4)).toEqual({
      first: 0,
      end: 0,
    });
  });

  it('scrolls as little as it can to bring a row into view below the header', () => {
    const viewport = { scrollTop: 0, height: 300, headerHeight: HEADER };
    // Row 3 is in view already.
    expect(scrollTopFor(3, viewport, ROW)).toBe(0);
    // Row 50 below: it becomes the last row in view.
    expect(scrollTopFor(50, viewport, ROW)).toBe(HEADER + 51 * ROW - 300);
    // Row 10 above: it becomes the first row under the header.
    expect(scrollTopFor(10, { ...viewport, scrollTop: 5_000 }, ROW)).toBe(10 * ROW);
  });
});
