import { useLayoutEffect, useReducer, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/*
 * The rows of a list whose rows differ in height (messages, a transcript's events) that are
 * drawn: those in view and a few more each side, each row measured once it is drawn.
 *
 * Written by hand rather than with @tanstack/react-virtual: on every row it measures, that
 * virtualizer copies an array as long as the list (2.5 MB at the 300,000 events of a large
 * transcript), about 30 MB of garbage over bench:sample's 40 scrolls that the page carried until
 * V8's next full collection. Here the heights sit in typed arrays, positions come from a Fenwick
 * tree, and a measurement costs O(log n) and allocates nothing.
 */

/** The heights of a list's rows, guessed until measured, and where each row starts. */
export class RowHeights {
  readonly count: number;
  private readonly heights: Float64Array;
  /** Fenwick tree over `heights`: node i holds the sum of the heights of rows (i - lowbit(i), i]. */
  private readonly sums: Float64Array;

  constructor(count: number, estimate: number, known?: Float64Array) {
    this.count = count;
    this.heights = new Float64Array(count).fill(estimate);
    if (known) this.heights.set(known.subarray(0, Math.min(count, known.length)));
    this.sums = new Float64Array(count + 1);
    for (let node = 1; node <= count; node++) {
      const sum = this.sums[node]! + this.heights[node - 1]!;
      this.sums[node] = sum;
      const parent = node + (node & -node);
      if (parent <= count) this.sums[parent] = this.sums[parent]! + sum;
    }
  }

  /** The same rows' heights for a list now `count` long: rows at the same places keep theirs. */
  withCount(count: number, estimate: number): RowHeights {
    return new RowHeights(count, estimate, this.heights);
  }

  height(index: number): number {
    return this.heights[index]!;
  }

  /** Set a row's height; the change in height (0 when it had this height already). */
  set(index: number, height: number): number {
    const change = height - this.heights[index]!;
    if (change === 0) return 0;
    this.heights[index] = height;
    for (let node = index + 1; node <= this.count; node += node & -node)
      this.sums[node] = this.sums[node]! + change;
    return change;
  }

  /** Where row `index` starts: the heights of the rows above it (the total for `count`). */
  start(index: number): number {
    let sum = 0;
    for (let node = Math.min(index, this.count); node > 0; node -= node & -node)
      sum += this.sums[node]!;
    return sum;
  }

  total(): number {
    return this.start(this.count);
  }

  /** The row at `offset` from the top (the last row past the end, 0 when there are none). */
  indexAt(offset: number): number {
    let index = 0;
    let left = offset;
    for (let step = highestPowerOfTwo(this.count); step > 0; step >>= 1) {
      const node = index + step;
      if (node <= this.count && this.sums[node]! <= left) {
        index = node;
        left -= this.sums[node]!;
      }
    }
    return Math.max(0, Math.min(index, this.count - 1));
  }
}

function highestPowerOfTwo(value: number): number {
  let power = 1;
  while (power * 2 <= value) power *= 2;
  return value > 0 ? power : 0;
}

/** A row drawn: its index and where it starts. */
export interface DrawnRow {
  readonly index: number;
  readonly start: number;
}

/** The rows to draw for a viewport: those it shows, and `overscan` more each side. */
export function drawnRows(
  heights: RowHeights,
  scrollTop: number,
  viewHeight: number,
  overscan: number,
): DrawnRow[] {
  if (heights.count === 0 || viewHeight <= 0) return [];
  const first = Math.max(0, heights.indexAt(scrollTop) - overscan);
  const last = Math.min(heights.count - 1, heights.indexAt(scrollTop + viewHeight) + overscan);
  const rows: DrawnRow[] = [];
  let start = heights.start(first);
  for (let index = first; index <= last; index++) {
    rows.push({ index, start });
    start += heights.height(index);
  }
  return rows;
}

export interface MeasuredWindow {
  readonly rows: ReadonlyArray<DrawnRow>;
  readonly totalHeight: number;
  /** The ref of each drawn row's element (which carries `data-index`): measured as it changes. */
  readonly measure: (element: HTMLElement | null) => (() => void) | undefined;
  /** Scroll so that row `index` is at the top. */
  readonly scrollToIndex: (index: number) => void;
}

/** The reader's own moves in a list (scrolling, clicking, typing): a row scrolled to is let go. */
export const READER_INPUTS = ['wheel', 'touchstart', 'mousedown', 'keydown'] as const;

/**
 * What a list keeps for its life: its rows' heights, its scroller once drawn, and one observer
 * and one ref callback for every row (a new callback each render would have React detach and
 * attach every row again).
 */
class ListMeasurer {
  heights: RowHeights;
  private scroller: HTMLElement | null = null;
  /** The row last scrolled to, until the reader scrolls or clicks. */
  private pinned: number | null = null;
  /** The last scroll to `pinned` stopped short of it, at the end of the list as then drawn. */
  private cutShort = false;
  private readonly estimate: number;
  private readonly observer: ResizeObserver;

  constructor(estimate: number, measured: () => void) {
    this.estimate = estimate;
    this.heights = new RowHeights(0, estimate);
    this.observer = new ResizeObserver((entries) => {
      const rows = this.heights;
      const element = this.scroller;
      let changed = false;
      for (const entry of entries) {
        const target = entry.target as HTMLElement;
        const index = Number(target.dataset.index);
        if (!(index >= 0 && index < rows.count)) continue;
        const height = entry.borderBoxSize[0]?.blockSize ?? target.offsetHeight;
        const above = element !== null && rows.start(index) < element.scrollTop;
        const change = rows.set(index, height);
        if (change === 0) continue;
        changed = true;
        if (above && this.pinned === null) element.scrollTop += change;
      }
      if (!changed) return;
      // A row scrolled to stays at the top while the rows above it are measured.
      this.scrollToPinned();
      measured();
    });
  }

  /** The heights of a list of `count` rows (those of the rows at the same places kept). */
  fit(count: number): RowHeights {
    if (this.heights.count !== count) this.heights = this.heights.withCount(count, this.estimate);
    return this.heights;
  }

  readonly measure = (element: HTMLElement | null): (() => void) | undefined => {
    if (!element) return undefined;
    this.observer.observe(element);
    return () => this.observer.unobserve(element);
  };

  /** The reader moved: rows measured from now on keep what is in view in place instead. */
  readonly unpin = (): void => {
    this.pinned = null;
    this.cutShort = false;
  };

  readonly scrollToIndex = (index: number): void => {
    this.pinned = index;
    this.scrollToPinned();
  };

  /** Put the row scrolled to at the top. */
  private scrollToPinned(): void {
    const element = this.scroller;
    if (this.pinned === null || !element) return;
    const top = this.heights.start(Math.min(this.pinned, this.heights.count));
    element.scrollTop = top;
    this.cutShort = element.scrollTop < top - 1;
  }

  /**
   * After every render: a scroll to the pinned row cut short by the end of the list as it was
   * then drawn (the observer above runs before React draws the list's new height) is made again,
   * since nothing else would redo it. A scroll the reader made is never undone here.
   */
  readonly keepPinned = (): void => {
    if (this.cutShort) this.scrollToPinned();
  };

  /** The scroller the list is drawn in now (null while it is not drawn). */
  drawnIn(scroller: HTMLElement | null): void {
    this.scroller = scroller;
  }

  isDrawnIn(scroller: HTMLElement | null): boolean {
    return this.scroller === scroller;
  }

  stop(): void {
    this.observer.disconnect();
  }
}

/**
 * The window of rows of `count` to draw in `scroller`, kept up to date as it scrolls, resizes and
 * its rows are measured. A row above the view that turns out taller or shorter than guessed
 * moves the scroll position with it, so what the reader looks at stays put; a row scrolled to
 * stays at the top as the rows above it are measured, until the reader scrolls or clicks.
 */
export function useMeasuredWindow(
  scroller: RefObject<HTMLElement | null>,
  count: number,
  estimate: number,
  overscan: number,
): MeasuredWindow {
  const [, measured] = useReducer((version: number) => version + 1, 0);
  const [list] = useState(() => new ListMeasurer(estimate, measured));
  const [viewport, setViewport] = useState({ scrollTop: 0, height: 0 });

  // Watched from the first render that has the scroller (a view may draw it only once its data
  // is in), and again if it is replaced.
  const watched = useRef<(() => void) | null>(null);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (list.isDrawnIn(element) && watched.current) return;
    watched.current?.();
    watched.current = null;
    list.drawnIn(element);
    if (!element) return;
    const update = (): void =>
      setViewport((current) =>
        current.scrollTop === element.scrollTop && current.height === element.clientHeight
          ? current
          : { scrollTop: element.scrollTop, height: element.clientHeight },
      );
    update();
    // Drawn before the frame the scroll shows, not after it (no blank rows while scrolling).
    const scrolled = (): void => flushSync(update);
    element.addEventListener('scroll', scrolled, { passive: true });
    for (const input of READER_INPUTS)
      element.addEventListener(input, list.unpin, { passive: true });
    const resized = new ResizeObserver(update);
    resized.observe(element);
    watched.current = () => {
      element.removeEventListener('scroll', scrolled);
      for (const input of READER_INPUTS) element.removeEventListener(input, list.unpin);
      resized.disconnect();
    };
  });
  useLayoutEffect(
    () => () => {
      watched.current?.();
      watched.current = null;
      list.stop();
    },
    [list],
  );

  // After every render, once the list is drawn at its new height.
  useLayoutEffect(() => list.keepPinned());

  const heights = list.fit(count);
  return {
    rows: drawnRows(heights, viewport.scrollTop, viewport.height, overscan),
    totalHeight: heights.total(),
    measure: list.measure,
    scrollToIndex: list.scrollToIndex,
  };
}
