import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { DeferredList, PageItem } from '../../../../shared/formats/sample/pageTypes.ts';
import { useStore } from '../../state/useStore.ts';
import { ItemScope } from './ItemScope.tsx';

/** Pooled items asked for at once: a late agent call's input can hold thousands of messages. */
const POOLED_PAGE = 50;

/**
 * A model event's pooled list too large for the event's page (a late call's whole conversation),
 * read a page at a time: the first when shown, the rest when asked for.
 */
export function PooledItems({
  event,
  deferred,
  render,
}: {
  event: number;
  deferred: DeferredList;
  render: (item: PageItem) => ReactNode;
}) {
  const reader = useStore((state) => state.sampleReader);
  const [items, setItems] = useState<PageItem[]>([]);
  const [next, setNext] = useState<number | null>(0);
  const [status, setStatus] = useState<'idle' | 'loading' | { readonly error: string }>('loading');
  const shown = useRef(true);

  const fetchFrom = (from: number): void => {
    if (!reader) return;
    reader.pooled(event, deferred.list, from, POOLED_PAGE).then(
      (page) => {
        if (!shown.current) return;
        setItems((before) => [...before, ...page.items]);
        setNext(page.items.length === 0 ? null : page.next);
        setStatus('idle');
      },
      (error: unknown) => {
        if (shown.current)
          setStatus({ error: error instanceof Error ? error.message : String(error) });
      },
    );
  };
  // The first page as soon as the list is shown; nothing lands after it is gone.
  useEffect(() => {
    shown.current = true;
    fetchFrom(0);
    return () => {
      shown.current = false;
    };
    // Once per list: `fetchFrom` reads this sample's reader.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [event, deferred.list]);
  const more = (from: number): void => {
    setStatus('loading');
    fetchFrom(from);
  };

  return (
    <>
      {items.map((item) => (
        <ItemScope key={item.index} item={item} event={event}>
          {render(item)}
        </ItemScope>
      ))}
      {status === 'loading' && <p className="muted">Loading…</p>}
      {typeof status === 'object' && <p className="tool-error">{status.error}</p>}
      {status === 'idle' && next !== null && next < deferred.count && (
        <button type="button" className="link" onClick={() => more(next)}>
          Show more ({items.length.toLocaleString()} of {deferred.count.toLocaleString()})
        </button>
      )}
    </>
  );
}
