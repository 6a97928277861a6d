import type { KeyboardEvent } from 'react';

/**
 * Keyboard navigation through a list of focusable rows: ArrowDown/j and ArrowUp/k move the focus
 * to the next or previous row matching `selector`, Enter opens the focused one.
 */
export function handleRowKeys(
  event: KeyboardEvent<HTMLElement>,
  selector: string,
  open: () => void,
): void {
  // Keys meant for a control inside the row (a Recover button) are the control's.
  if (event.target !== event.currentTarget) return;
  const key = event.key;
  if (key === 'Enter') {
    event.preventDefault();
    open();
    return;
  }
  const down = key === 'ArrowDown' || key === 'j';
  const up = key === 'ArrowUp' || key === 'k';
  if (!down && !up) return;
  event.preventDefault();
  let sibling = down
    ? event.currentTarget.nextElementSibling
    : event.currentTarget.previousElementSibling;
  while (sibling && !sibling.matches(selector))
    sibling = down ? sibling.nextElementSibling : sibling.previousElementSibling;
  if (sibling instanceof HTMLElement) {
    sibling.focus();
    sibling.scrollIntoView({ block: 'nearest' });
  }
}
