import { useEffect, useMemo, useRef, useState } from 'react';
import { useScrollToFocus } from './useScrollToFocus.ts';
import { isJsonObject } from '../../../../shared/formats/json/inspectJson.ts';
import {
  spansHolding,
  treeFromOutline,
  visibleRows,
  type TranscriptNode,
  type TranscriptSpan,
} from '../../../../shared/model/transcript.ts';
import { formatDuration } from '../../../../shared/util/format.ts';
import { useMeasuredWindow } from '../../lib/measuredWindow.ts';
import { useStore } from '../../state/useStore.ts';
import { EventBody, EventHead } from './EventView.tsx';
import { ItemScope } from './ItemScope.tsx';
import { TranscriptOutline } from './TranscriptOutline.tsx';

const ESTIMATED_HEIGHT = 72;

/** Spans folded at first: set-up that a reader rarely wants before the model's work. */
function foldedAtFirst(tree: ReadonlyArray<TranscriptNode>): Set<string> {
  const folded = new Set<string>();
  const stack = [...tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind !== 'span') continue;
    if (/^(init|sandbox)/i.test(node.type) || /^(init|setup)$/i.test(node.name))
      folded.add(node.id);
    // One by one: a span can hold more children than a call's arguments may number.
    for (const child of node.children) stack.push(child);
  }
  return folded;
}

/** Every span of the tree, with its depth, in order: the outline beside the transcript. */
function spansOf(
  tree: ReadonlyArray<TranscriptNode>,
): Array<{ span: TranscriptSpan; depth: number }> {
  return visibleRows(tree, new Set())
    .filter((row): row is { node: TranscriptSpan; depth: number } => row.node.kind === 'span')
    .map((row) => ({ span: row.node, depth: row.depth }));
}

/**
 * The transcript as a tree: spans are rows that fold, events sit inside them, compact until
 * opened. Drawn from the sample's index (kinds, times, spans of every event) without reading the
 * events; each event's page is asked for as it comes into view. An outline of the spans beside
 * it jumps to one; a find or a deep link unfolds the spans around its event and scrolls to it.
 */
export function TranscriptView({ total }: { total: number }) {
  const reader = useStore((state) => state.sampleReader);
  useStore((state) => state.sampleVersion);
  const focus = useStore((state) => state.sampleFocus);
  const index = reader?.events ?? null;
  useEffect(() => {
    void reader?.loadIndex(total);
  }, [reader, total]);
  const tree = useMemo(
    () => (reader && index ? treeFromOutline(reader.outline, index.kinds, index.nodes) : null),
    [reader, index],
  );
  const [collapsed, setCollapsed] = useState<Set<string> | null>(null);
  const folded = useMemo(
    () => collapsed ?? (tree ? foldedAtFirst(tree) : new Set<string>()),
    [collapsed, tree],
  );
  const rows = useMemo(() => (tree ? visibleRows(tree, folded) : []), [tree, folded]);
  const outline = useMemo(() => (tree ? spansOf(tree) : []), [tree]);
  const scroller = useRef<HTMLDivElement>(null);
  // Few beyond each edge: each event drawn off screen is laid out for nothing (page memory).
  const list = useMeasuredWindow(scroller, rows.length, ESTIMATED_HEIGHT, 2);
  const items = list.rows;
  // The events in view: their pages are asked for.
  const shownEvents = items
    .map((item) => rows[item.index]?.node)
    .filter((node): node is { kind: 'event'; index: number } => node?.kind === 'event')
    .map((node) => node.index);
  const low = shownEvents.length > 0 ? Math.min(...shownEvents) : 0;
  const high = shownEvents.length > 0 ? Math.max(...shownEvents) : -1;
  useEffect(() => {
    if (high >= 0) reader?.want('events', low, high + 1);
  }, [reader, low, high]);

  // A find or a deep link: unfold what holds the event, then scroll to it.
  const focused = focus?.list === 'events' ? focus.index : null;
  // Once per focus, while drawing (not in an effect: no frame drawn folded first); the reader may
  // fold the span again afterwards.
  const [unfoldedFor, setUnfoldedFor] = useState<{ focused: number; tree: unknown } | null>(null);
  if (focused !== null && tree && (unfoldedFor?.focused !== focused || unfoldedFor.tree !== tree)) {
    setUnfoldedFor({ focused, tree });
    const holding = spansHolding(tree, focused);
    if (holding.some((id) => folded.has(id))) {
      const next = new Set(folded);
      for (const id of holding) next.delete(id);
      setCollapsed(next);
    }
  }
  const focusedRow = useMemo(() => {
    const row = rows.findIndex((item) => item.node.kind === 'event' && item.node.index === focused);
    return focused === null || row < 0 ? null : row;
  }, [rows, focused]);
  useScrollToFocus(list.scrollToIndex, focusedRow, scroller);

  const toggle = (id: string): void => {
    const next = new Set(folded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  const jumpTo = (span: TranscriptSpan): void => {
    if (!tree) return;
    const holding = spansHolding(tree, span.begin);
    const next = new Set(folded);
    for (const id of holding) if (id !== span.id) next.delete(id);
    setCollapsed(next);
    requestAnimationFrame(() => {
      const row = visibleRows(tree, next).findIndex((item) => item.node === span);
      if (row >= 0) list.scrollToIndex(row);
    });
  };

  if (total === 0) return <p className="muted sample-pane">No events in this sample.</p>;
  if (!tree || !index || !reader)
    return <p className="muted sample-pane">Reading the transcript’s index…</p>;
  return (
    <div className="transcript">
      <TranscriptOutline
        spans={outline}
        onJump={jumpTo}
        onExpandAll={() => setCollapsed(new Set())}
        onCollapseAll={() => setCollapsed(new Set(outline.map(({ span }) => span.id)))}
      />
      <div className="item-scroller" ref={scroller} aria-label="Transcript">
        <div style={{ height: list.totalHeight, position: 'relative' }}>
          {items.map((item) => {
            const row = rows[item.index]!;
            const node = row.node;
            return (
              <div
                key={item.index}
                data-index={item.index}
                ref={list.measure}
                className={`item-row tree-row${node.kind === 'event' && node.index === focused ? ' focused' : ''}`}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  transform: `translateY(${item.start}px)`,
                  paddingLeft: 8 + row.depth * 18,
                }}
              >
                {node.kind === 'span' ? (
                  <SpanRow
                    span={node}
                    folded={folded.has(node.id)}
                    onToggle={() => toggle(node.id)}
                  />
                ) : (
                  <EventRow index={node.index} />
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function SpanRow({
  span,
  folded,
  onToggle,
}: {
  span: TranscriptSpan;
  folded: boolean;
  onToggle: () => void;
}) {
  const reader = useStore((state) => state.sampleReader);
  const node = reader?.outline[Number(span.id)];
  const seconds =
    node?.startedAt != null && node.endedAt != null ? (node.endedAt - node.startedAt) / 1000 : null;
  return (
    <button
      type="button"
      className={`span-row span-type-${span.type || 'span'}`}
      aria-expanded={!folded}
      onClick={onToggle}
    >
      <span className="span-toggle">{folded ? '▸' : '▾'}</span>
      <strong>{span.name || span.type || 'span'}</strong>
      {span.type && span.type !== span.name && <span className="muted">{span.type}</span>}
      {node && <span className="muted">{node.events} events</span>}
      {seconds !== null && <span className="muted">{formatDuration(seconds)}</span>}
      {span.end === null && <span className="tag tag-error">not closed</span>}
    </button>
  );
}

function EventRow({ index }: { index: number }) {
  const reader = useStore((state) => state.sampleReader);
  const item = reader?.item('events', index);
  const kind = reader?.events?.kinds[index] ?? 'event';
  if (!item || !isJsonObject(item.value)) {
    return (
      <div className="event">
        <EventHead event={{ event: kind }} index={index} />
        <p className="muted loading-row">Loading…</p>
      </div>
    );
  }
  return (
    <div className={`event event-${kind}`} data-event={index}>
      <ItemScope item={item} event={index}>
        <EventHead event={item.value} index={index} />
        <EventBody event={item.value} />
      </ItemScope>
    </div>
  );
}
