/** How long a slice of idle work may run where the browser gives no idle deadline. */
const FALLBACK_SLICE_MS = 8;

/**
 * Run `step` while the page is idle, again and again until it returns true (its work is done).
 * Each call gets `timeUp`, which says when to stop and yield to the page (a keystroke, a frame).
 * Returns a cancel function, for an effect's cleanup: work for rows that changed is dropped.
 */
export function whenIdle(step: (timeUp: () => boolean) => boolean): () => void {
  let cancelled = false;
  let handle = 0;
  const idle = typeof requestIdleCallback === 'function';
  const schedule = (): void => {
    handle = idle
      ? requestIdleCallback((deadline) => run(() => deadline.timeRemaining() <= 1))
      : setTimeout(() => {
          const end = performance.now() + FALLBACK_SLICE_MS;
          run(() => performance.now() >= end);
        }, 0);
  };
  const run = (timeUp: () => boolean): void => {
    if (!cancelled && !step(timeUp)) schedule();
  };
  schedule();
  return () => {
    cancelled = true;
    if (idle) cancelIdleCallback(handle);
    else clearTimeout(handle);
  };
}
