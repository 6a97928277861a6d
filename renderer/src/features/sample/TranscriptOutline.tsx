import { useRef } from 'react';
import { useRowWindow } from '../../lib/rowWindow.ts';
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
  const { first, end } = useRowWindow(scroller, spans.length, ROW_HEIGHT, 10);
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
        <ul style={{ height: spans.length * ROW_HEIGHT, position: 'relative' }}>
          {spans.slice(first, end).map(({ span, depth }, offset) => {
            return (
              <li
                key={span.id}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${(first + offset) * ROW_HEIGHT}px)`,
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
