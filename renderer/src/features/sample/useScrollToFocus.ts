import { useEffect, useRef, type RefObject } from 'react';
import { READER_INPUTS, type MeasuredWindow } from '../../lib/measuredWindow.ts';
import { useStore } from '../../state/useStore.ts';

/** How long after a jump the row is kept in view while the rows above it load and are measured. */
const SETTLE_MS = 3000;

/**
 * Bring row `row` into view when it becomes the focus (a find, a deep link, a search hit), and
 * again as pages arrive and the rows above it are measured: their first guessed heights would
 * otherwise leave it far from view (a long system prompt above a user's message). Stops once the
 * reader scrolls, clicks or types in the list, or after a few seconds.
 */
export function useScrollToFocus(
  scrollToIndex: MeasuredWindow['scrollToIndex'],
  row: number | null,
  scroller: RefObject<HTMLDivElement | null>,
): void {
  const version = useStore((state) => state.sampleVersion);
  const pending = useRef<{ row: number; since: number } | null>(null);
  useEffect(() => {
    pending.current = row === null ? null : { row, since: performance.now() };
  }, [row]);
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const stop = (): void => {
      pending.current = null;
    };
    for (const kind of READER_INPUTS) element.addEventListener(kind, stop, { passive: true });
    return () => {
      for (const kind of READER_INPUTS) element.removeEventListener(kind, stop);
    };
  });
  useEffect(() => {
    const jump = pending.current;
    if (!jump || performance.now() - jump.since > SETTLE_MS) return;
    scrollToIndex(jump.row);
  }, [row, version, scrollToIndex]);
}
