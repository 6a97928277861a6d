import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TranscriptSpan } from '../../../../shared/model/transcript.ts';

const ROW_HEIGHT = 22;

/**
 * The spans of a transcript beside it, each a link that unfolds and scrolls to it. Virtualized:
 * an agent's sample can hold tens of thousands of spans (a span per turn), too many to draw.
 */
export function TranscriptOutline({
  spans,
  onJump,
  onExpandAll,
  onCollapseAll,
}: {
  spans: ReadonlyArray<{ span: TranscriptSpan; depth: number }>;
  onJump: (span: TranscriptSpan) => void;
  onExpandAll: () => void;
  onCollapseAll: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: spans.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  return (
    <nav className="transcript-outline" aria-label="Outline">
      <div className="outline-actions">
        <button type="button" className="link" onClick={onExpandAll}>
          expand all
        </button>
        <button type="button" className="link" onClick={onCollapseAll}>
          collapse all
        </button>
      </div>
      <div className="outline-scroller" ref={scroller}>
        <ul style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const { span, depth } = spans[item.index]!;
            return (
              <li
                key={span.id}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`,
                  paddingLeft: depth * 12,
                }}
              >
                <button type="button" className="link" onClick={() => onJump(span)}>
                  {span.name || span.type || 'span'}
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </nav>
  );
}
