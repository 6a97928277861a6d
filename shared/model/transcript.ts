import {
  isJsonObject,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../formats/json/inspectJson.ts';

/**
 * Reading a sample's transcript (its `events`) as people do: how deep each event sits in the
 * nesting of spans, and a one-line account of what it did. Shared by the sample view and the
 * Markdown export, so both tell the same story.
 */

/** How deep lists are read as text; deeper ones (only a hostile log has them) are shown as JSON. */
export const MAX_TEXT_NESTING = 64;

/** Message content as text: strings as they are, content parts by their text, others by type. */
export function contentText(content: JsonValue | undefined, depth = 0): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || depth >= MAX_TEXT_NESTING) return stringifyInspectJson(content);
  return (content as JsonValue[])
    .map((part) => {
      if (!isJsonObject(part)) return contentText(part, depth + 1);
      if (typeof part.text === 'string') return part.text;
      if (typeof part.reasoning === 'string') return `[reasoning] ${part.reasoning}`;
      return `[${contentText(part.type, depth + 1)}]`;
    })
    .join('\n');
}

/** `name(arguments)` for each tool call an assistant message makes. */
export function toolCallsText(message: JsonObject): string[] {
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as JsonValue[]) : [];
  return calls
    .filter(isJsonObject)
    .map((call) => `${contentText(call.function)}(${stringifyInspectJson(call.arguments ?? {})})`);
}

/**
 * The nesting depth of each event: Inspect's spans (`span_begin` with `id` and `parent_id`,
 * other events naming theirs in `span_id`), or the older `step` events with `action`
 * begin / end. An event outside every span is at depth 0.
 */
export function eventDepths(events: ReadonlyArray<JsonObject>): number[] {
  const spanDepth = new Map<string, number>();
  let stepDepth = 0;
  return events.map((event) => {
    if (event.event === 'span_begin' && typeof event.id === 'string') {
      const parent = typeof event.parent_id === 'string' ? spanDepth.get(event.parent_id) : -1;
      const depth = (parent ?? -1) + 1;
      spanDepth.set(event.id, depth);
      return depth;
    }
    if (event.event === 'step') {
      if (event.action === 'end') stepDepth = Math.max(0, stepDepth - 1);
      const depth = stepDepth;
      if (event.action === 'begin') stepDepth += 1;
      return depth;
    }
    if (typeof event.span_id === 'string') {
      const depth = spanDepth.get(event.span_id);
      if (depth !== undefined) return event.event === 'span_end' ? depth : depth + 1;
    }
    return stepDepth;
  });
}

/** One line (or a few) saying what an event did. */
export function eventSummary(event: JsonObject): string {
  switch (event.event) {
    case 'model': {
      const output = isJsonObject(event.output) ? event.output : {};
      const choices = Array.isArray(output.choices) ? (output.choices as JsonValue[]) : [];
      const first = choices[0];
      const message = isJsonObject(first) && isJsonObject(first.message) ? first.message : null;
      const answer = message
        ? [contentText(message.content), ...toolCallsText(message)].filter(Boolean).join('\n')
        : event.pending
          ? '(pending)'
          : '';
      const inputs = Array.isArray(event.input) ? event.input.length : 0;
      return `${contentText(event.model)} ← ${inputs} message${inputs === 1 ? '' : 's'}\n→ ${answer}`;
    }
    case 'tool': {
      const error = isJsonObject(event.error)
        ? ` [error: ${contentText(event.error.message)}]`
        : '';
      return `${contentText(event.function)}(${stringifyInspectJson(event.arguments ?? {})}) → ${contentText(event.result)}${error}`;
    }
    case 'score':
      return isJsonObject(event.score)
        ? [contentText(event.score.value), contentText(event.score.explanation)]
            .filter(Boolean)
            .join(' — ')
        : '';
    case 'error':
      return isJsonObject(event.error) ? contentText(event.error.message) : '';
    case 'sandbox': {
      const what = [contentText(event.action), contentText(event.cmd ?? event.file)]
        .filter(Boolean)
        .join(' ');
      const output = contentText(event.output).trim();
      return `${what} → ${contentText(event.result)}${output ? `\n${output}` : ''}`;
    }
    case 'span_begin':
    case 'step':
      return [contentText(event.type), contentText(event.name)].filter(Boolean).join(' ');
    case 'sample_limit':
    case 'info':
      return contentText(event.message ?? event.data);
    case 'logger': {
      // Its message is Python's log record ({level, message, filename, …}), not text.
      const record = isJsonObject(event.message) ? event.message : {};
      return `${contentText(record.level)}: ${contentText(record.message)}`;
    }
    case 'score_edit': {
      const edit = isJsonObject(event.edit) ? event.edit : {};
      return [
        `${contentText(event.score_name)} → ${contentText(edit.value)}`,
        contentText(edit.explanation),
      ]
        .filter(Boolean)
        .join(' — ');
    }
    case 'approval': {
      const call = isJsonObject(event.call) ? event.call : {};
      const explanation = contentText(event.explanation);
      return `${contentText(event.decision)} ${contentText(call.function)} by ${contentText(event.approver)}${explanation ? ` — ${explanation}` : ''}`;
    }
    case 'input':
      return contentText(event.input);
    case 'interrupt':
      return `${contentText(event.interrupted)} interrupted by ${contentText(event.source)}`;
    case 'subtask': {
      const events = Array.isArray(event.events) ? event.events.length : 0;
      return `${contentText(event.name)} (${events} event${events === 1 ? '' : 's'}) → ${stringifyInspectJson(event.result ?? null)}`;
    }
    case 'anchor':
      return contentText(event.anchor_id);
    case 'branch':
      return `from ${contentText(event.from_anchor)}`;
    case 'compaction':
      return [
        contentText(event.type),
        typeof event.tokens_before === 'number' && typeof event.tokens_after === 'number'
          ? `${event.tokens_before} → ${event.tokens_after} tokens`
          : '',
      ]
        .filter(Boolean)
        .join(': ');
    case 'checkpoint':
      return `checkpoint ${contentText(event.checkpoint_id)} at turn ${contentText(event.turn)} (${contentText(event.trigger)})`;
    default:
      return '';
  }
}

/** The input messages of a model event, as `role: text` lines. */
export function modelInputText(event: JsonObject): string[] {
  const input = Array.isArray(event.input) ? (event.input as JsonValue[]) : [];
  return input
    .filter(isJsonObject)
    .map((message) =>
      [
        `${contentText(message.role)}: ${contentText(message.content)}`,
        ...toolCallsText(message),
      ].join('\n  '),
    );
}

/**
 * A transcript as a tree: spans (Inspect's `span_begin`/`span_end`, or older `step` begin/end)
 * hold the events that ran inside them. Built without recursion, so a deep or long transcript
 * cannot overflow the stack; `span_end` and step-end events are folded into their span.
 */
export interface TranscriptSpan {
  readonly kind: 'span';
  /** The span's id (older steps get one: `step-<index>`). */
  readonly id: string;
  readonly name: string;
  readonly type: string;
  /** Index of the event that opened it. */
  readonly begin: number;
  /** Index of the event that closed it, or null when the transcript ends inside it. */
  end: number | null;
  readonly children: TranscriptNode[];
}

export type TranscriptNode = TranscriptSpan | { readonly kind: 'event'; readonly index: number };

/** What the tree needs of an event: its kind and its place among spans. */
export interface EventHead {
  readonly event?: JsonValue;
  readonly id?: JsonValue;
  readonly parent_id?: JsonValue;
  readonly span_id?: JsonValue;
  readonly action?: JsonValue;
  readonly name?: JsonValue;
  readonly type?: JsonValue;
}

export function transcriptTree(events: ReadonlyArray<EventHead>): TranscriptNode[] {
  const root: TranscriptNode[] = [];
  const spans = new Map<string, TranscriptSpan>();
  // Older logs nest by begin/end steps; newer ones name their span.
  const steps: TranscriptSpan[] = [];
  const text = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : '');
  const into = (spanId: string): TranscriptNode[] =>
    spans.get(spanId)?.children ?? steps.at(-1)?.children ?? root;
  events.forEach((event, index) => {
    if (event.event === 'span_begin' && typeof event.id === 'string') {
      const span: TranscriptSpan = {
        kind: 'span',
        id: event.id,
        name: text(event.name),
        type: text(event.type),
        begin: index,
        end: null,
        children: [],
      };
      into(text(event.parent_id)).push(span);
      spans.set(event.id, span);
      return;
    }
    if (event.event === 'span_end') {
      const span = spans.get(text(event.id) || text(event.span_id));
      if (span) {
        span.end = index;
        return;
      }
    }
    if (event.event === 'step') {
      if (event.action === 'end') {
        const span = steps.pop();
        if (span) span.end = index;
        return;
      }
      if (event.action === 'begin') {
        const span: TranscriptSpan = {
          kind: 'span',
          id: `step-${index}`,
          name: text(event.name),
          type: text(event.type),
          begin: index,
          end: null,
          children: [],
        };
        into(text(event.span_id)).push(span);
        steps.push(span);
        return;
      }
    }
    into(text(event.span_id)).push({ kind: 'event', index });
  });
  return root;
}

/** A row of the tree as shown: a span's head or an event, at its depth. */
export interface TranscriptRow {
  readonly node: TranscriptNode;
  readonly depth: number;
}

/** The rows of the tree with the spans in `collapsed` folded, in order (no recursion). */
export function visibleRows(
  tree: ReadonlyArray<TranscriptNode>,
  collapsed: ReadonlySet<string>,
): TranscriptRow[] {
  const rows: TranscriptRow[] = [];
  const stack: Array<{ nodes: ReadonlyArray<TranscriptNode>; at: number; depth: number }> = [
    { nodes: tree, at: 0, depth: 0 },
  ];
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    if (frame.at >= frame.nodes.length) {
      stack.pop();
      continue;
    }
    const node = frame.nodes[frame.at++]!;
    rows.push({ node, depth: frame.depth });
    if (node.kind === 'span' && !collapsed.has(node.id) && node.children.length > 0)
      stack.push({ nodes: node.children, at: 0, depth: frame.depth + 1 });
  }
  return rows;
}

/** The spans that hold event `index`, outermost first: what must unfold to show it. */
export function spansHolding(tree: ReadonlyArray<TranscriptNode>, index: number): string[] {
  const path: string[] = [];
  let level: ReadonlyArray<TranscriptNode> = tree;
  for (;;) {
    const span = level.find(
      (node): node is TranscriptSpan =>
        node.kind === 'span' &&
        node.begin <= index &&
        (node.end === null || node.end >= index) &&
        contains(node, index),
    );
    if (!span) return path;
    path.push(span.id);
    level = span.children;
  }
}

function contains(span: TranscriptSpan, index: number): boolean {
  const stack: TranscriptNode[] = [...span.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'event') {
      if (node.index === index) return true;
    } else {
      if (node.begin === index) return true;
      // One by one: a span can hold more children than a call's arguments may number.
      for (const child of node.children) stack.push(child);
    }
  }
  return span.begin === index || span.end === index;
}

/** What the tree needs of an outline node of the paged reader (shared/formats/sample). */
export interface OutlineHead {
  readonly parent: number;
  readonly name: string | null;
  readonly type: string | null;
  readonly begin: number;
  readonly end: number;
  readonly first: number;
}

/** Events that open or close a span: folded into the span's row, not rows of their own. */
const SPAN_MARKS = new Set(['span_begin', 'span_end', 'step']);

/**
 * The same tree as `transcriptTree`, from the paged reader's index instead of the events: its
 * outline (spans and steps, each with its parent) and each event's kind and outline node. No
 * event needs to be read to draw the tree; span ids are the outline's positions.
 */
export function treeFromOutline(
  outline: ReadonlyArray<OutlineHead>,
  kinds: ReadonlyArray<string>,
  nodes: ReadonlyArray<number>,
): TranscriptNode[] {
  const root: TranscriptNode[] = [];
  const spans = outline.map((node, index): TranscriptSpan => ({
    kind: 'span',
    id: String(index),
    name: node.name ?? '',
    type: node.type ?? '',
    begin: node.begin >= 0 ? node.begin : node.first,
    end: node.end >= 0 ? node.end : null,
    children: [],
  }));
  const startingAt = new Map<number, number[]>();
  spans.forEach((span, index) => {
    const list = startingAt.get(span.begin);
    if (list) list.push(index);
    else startingAt.set(span.begin, [index]);
  });
  const childrenOf = (node: number): TranscriptNode[] =>
    node >= 0 && node < spans.length ? spans[node]!.children : root;
  for (let index = 0; index < kinds.length; index++) {
    for (const span of startingAt.get(index) ?? [])
      childrenOf(outline[span]!.parent).push(spans[span]!);
    if (SPAN_MARKS.has(kinds[index]!)) continue;
    childrenOf(nodes[index] ?? -1).push({ kind: 'event', index });
  }
  return root;
}
