import { useEffect, useRef } from 'react';
import { isJsonObject } from '../../../../shared/formats/json/inspectJson.ts';
import { useMeasuredWindow } from '../../lib/measuredWindow.ts';
import { useStore } from '../../state/useStore.ts';
import { ItemScope } from './ItemScope.tsx';
import { MessageView } from './MessageView.tsx';
import { useScrollToFocus } from './useScrollToFocus.ts';

/** A guess at a message's height before it is drawn and measured. */
const ESTIMATED_HEIGHT = 140;

/**
 * The conversation, however long: only the messages in view are drawn, their pages asked for as
 * they come into view. A find or a deep link scrolls to its message.
 */
export function MessagesList({ count }: { count: number }) {
  const reader = useStore((state) => state.sampleReader);
  useStore((state) => state.sampleVersion);
  const focus = useStore((state) => state.sampleFocus);
  const scroller = useRef<HTMLDivElement>(null);
  // Messages are often taller than the screen: one beyond each edge is a screen or more, and
  // each one drawn off screen is laid out and shaped for nothing (bench:sample's page memory).
  const list = useMeasuredWindow(scroller, count, ESTIMATED_HEIGHT, 1);
  const items = list.rows;
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    reader?.want('messages', first, last + 1);
  }, [reader, first, last]);
  const focused = focus?.list === 'messages' ? focus.index : null;
  useScrollToFocus(list.scrollToIndex, focused, scroller);
  if (count === 0) return <p className="muted sample-pane">No messages.</p>;
  return (
    <div className="item-scroller" ref={scroller} role="list" aria-label="Messages">
      <div style={{ height: list.totalHeight, position: 'relative' }}>
        {items.map((item) => {
          const page = reader?.item('messages', item.index);
          return (
            <div
              key={item.index}
              data-index={item.index}
              ref={list.measure}
              role="listitem"
              className={`item-row${item.index === focused ? ' focused' : ''}`}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                transform: `translateY(${item.start}px)`,
              }}
            >
              {page && isJsonObject(page.value) ? (
                <ItemScope item={page} event={null}>
                  <MessageView message={page.value} index={item.index} />
                </ItemScope>
              ) : (
                <p className="muted loading-row">Loading message {item.index + 1}…</p>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
