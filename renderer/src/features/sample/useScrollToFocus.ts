import { useEffect } from 'react';
import type { MeasuredWindow } from '../../lib/measuredWindow.ts';

/**
 * Bring row `row` to the top when it becomes the focus (a find, a deep link, a search hit). The
 * list keeps it there while the rows above it load and are measured, until the reader scrolls,
 * clicks or types in it (`useMeasuredWindow`'s pin).
 */
export function useScrollToFocus(
  scrollToIndex: MeasuredWindow['scrollToIndex'],
  row: number | null,
): void {
  useEffect(() => {
    if (row !== null) scrollToIndex(row);
  }, [row, scrollToIndex]);
}
