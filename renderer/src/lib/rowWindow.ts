import { useLayoutEffect, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/*
 * The rows of a fixed-height table that are drawn: those in view and a few more each side.
 *
 * Written by hand rather than with @tanstack/react-virtual: that virtualizer measures every row
 * again whenever the row count changes, 5 to 10 ms at 100,000 rows, on every filter keystroke.
 * Rows of one height need only arithmetic (rows of varying height: measuredWindow.ts).
 */

/** Where a table's box is scrolled, and how much of it shows. */
export interface Viewport {
  readonly scrollTop: number;
  readonly height: number;
  /** The height above the first row (the sticky header). */
  readonly headerHeight: number;
}

/** The rows in view: the first (whatever the row count), and how many fit. */
export interface InView {
  readonly top: number;
  readonly rows: number;
}

/** The rows drawn: the first, and one past the last. */
export interface RowWindow {
  readonly first: number;
  readonly end: number;
}

export function inView(viewport: Viewport, rowHeight: number): InView {
  const top = Math.floor(Math.max(0, viewport.scrollTop - viewport.headerHeight) / rowHeight);
  // A row cut at either edge counts.
  const rows = viewport.height > 0 ? Math.ceil(viewport.height / rowHeight) + 1 : 0;
  return { top, rows };
}

/** The rows to draw out of `count`: those in view and `overscan` more each side. */
export function rowWindow(view: InView, count: number, overscan: number): RowWindow {
  if (view.rows === 0) return { first: 0, end: 0 };
  // Scrolled past the end (the rows have just been filtered): the browser will scroll back to
  // the last rows, so those are drawn now rather than none until it says so.
  const top = Math.min(view.top, Math.max(0, count - view.rows + 1));
  const first = Math.max(0, top - overscan);
  const end = Math.min(count, top + view.rows + overscan);
  return { first, end };
}

/**
 * The scroll position that brings row `index` into view below the header, scrolling as little as
 * it can (unchanged when the row is in view already).
 */
export function scrollTopFor(index: number, viewport: Viewport, rowHeight: number): number {
  const top = viewport.headerHeight + index * rowHeight;
  if (top < viewport.scrollTop + viewport.headerHeight) return top - viewport.headerHeight;
  const bottom = top + rowHeight;
  if (bottom > viewport.scrollTop + viewport.height) return bottom - viewport.height;
  return viewport.scrollTop;
}

function viewportOf(scroller: HTMLElement): Viewport {
  return {
    scrollTop: scroller.scrollTop,
    height: scroller.clientHeight,
    headerHeight: scroller.querySelector('thead')?.offsetHeight ?? 0,
  };
}

/**
 * The window of rows to draw in `scroller`, kept up to date as it scrolls and resizes (drawn
 * again only when the rows in view change), and a way to bring a row into view.
 */
export function useRowWindow(
  scroller: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan: number,
): RowWindow & { scrollToRow: (index: number) => void } {
  const [view, setView] = useState<InView>({ top: 0, rows: 0 });
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const update = (): void =>
      setView((current) => {
        const next = inView(viewportOf(element), rowHeight);
        return next.top === current.top && next.rows === current.rows ? current : next;
      });
    update();
    // Drawn before the frame the scroll shows, not after it (no blank rows while scrolling).
    const scrolled = (): void => flushSync(update);
    element.addEventListener('scroll', scrolled, { passive: true });
    const resized = new ResizeObserver(update);
    resized.observe(element);
    return () => {
      element.removeEventListener('scroll', scrolled);
      resized.disconnect();
    };
  }, [scroller, rowHeight]);
  const scrollToRow = (index: number): void => {
    const element = scroller.current;
    element?.scrollTo({ top: scrollTopFor(index, viewportOf(element), rowHeight) });
  };
  return { ...rowWindow(view, count, overscan), scrollToRow };
}
