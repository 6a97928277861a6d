import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../formats/json/inspectJson.ts';
import {
  contentText,
  eventDepths,
  eventSummary,
  spansHolding,
  transcriptTree,
  treeFromOutline,
  visibleRows,
  type TranscriptNode,
  type TranscriptSpan,
} from './transcript.ts';

describe('transcript', () => {
  it('nests events by their spans, and by begin / end steps in older logs', () => {
    const spans: JsonObject[] = [
      { event: 'span_begin', id: 'a', name: 'solvers' },
      { event: 'span_begin', id: 'b', parent_id: 'a', name: 'generate' },
      { event: 'model', span_id: 'b' },
      { event: 'span_end', id: 'b', span_id: 'b' },
      { event: 'score', span_id: 'a' },
      { event: 'span_end', id: 'a', span_id: 'a' },
      { event: 'info' },
    ];
    expect(eventDepths(spans)).toEqual([0, 1, 2, 1, 1, 0, 0]);
    const steps: JsonObject[] = [
      { event: 'step', action: 'begin', name: 'solver' },
      { event: 'model' },
      { event: 'step', action: 'end', name: 'solver' },
      { event: 'score' },
    ];
    expect(eventDepths(steps)).toEqual([0, 1, 0, 0]);
  });

  it('says what a model call and a tool call did', () => {
    expect(
      eventSummary({
        event: 'model',
        model: 'openai/gpt-4o',
        input: [{ role: 'user', content: 'hi' }],
        output: {
          choices: [
            {
              message: {
                role: 'assistant',
                content: [{ type: 'text', text: 'Let me look.' }],
                tool_calls: [{ function: 'bash', arguments: { cmd: 'ls' } }],
              },
            },
          ],
        },
      }),
    ).toBe('openai/gpt-4o ← 1 message\n→ Let me look.\nbash({"cmd":"ls"})');
    expect(
      eventSummary({
        event: 'tool',
        function: 'bash',
        arguments: { cmd: 'ls' },
        result: 'a.txt',
        error: { message: 'timeout' },
      }),
    ).toBe('bash({"cmd":"ls"}) → a.txt [error: timeout]');
    expect(
      eventSummary({
        event: 'logger',
        message: { level: 'warning', message: 'disk nearly full', filename: 'task.py' },
      }),
    ).toBe('warning: disk nearly full');
    expect(
      contentText([
        { type: 'image', image: 'data:' },
        { type: 'text', text: 'x' },
      ]),
    ).toBe('[image]\nx');
  });
});

describe('one line for every event kind Inspect writes', () => {
  it.each<[JsonObject, string]>([
    [
      { event: 'score_edit', score_name: 'match', edit: { value: 'C', explanation: 'regraded' } },
      'match → C — regraded',
    ],
    [
      {
        event: 'approval',
        decision: 'reject',
        approver: 'policy',
        call: { function: 'bash' },
        explanation: 'rm -rf',
      },
      'reject bash by policy — rm -rf',
    ],
    [{ event: 'input', input: 'yes', input_ansi: 'yes' }, 'yes'],
    [{ event: 'interrupt', interrupted: 'model', source: 'user' }, 'model interrupted by user'],
    [
      { event: 'subtask', name: 'search', events: [{ event: 'info' }], result: { hits: 2 } },
      'search (1 event) → {"hits":2}',
    ],
    [{ event: 'anchor', anchor_id: 'a1' }, 'a1'],
    [{ event: 'branch', from_anchor: 'a1' }, 'from a1'],
    [
      { event: 'compaction', type: 'summary', tokens_before: 9000, tokens_after: 1200 },
      'summary: 9000 → 1200 tokens',
    ],
    [
      { event: 'checkpoint', checkpoint_id: 3, turn: 7, trigger: 'turn' },
      'checkpoint 3 at turn 7 (turn)',
    ],
  ])('%j', (event, summary) => {
    expect(eventSummary(event)).toBe(summary);
  });
});

describe('the transcript as a tree', () => {
  const events: JsonObject[] = [
    { event: 'sample_init' },
    { event: 'span_begin', id: 'a', name: 'solvers', type: 'solvers' },
    { event: 'span_begin', id: 'b', parent_id: 'a', name: 'generate' },
    { event: 'model', span_id: 'b' },
    { event: 'tool', span_id: 'b' },
    { event: 'span_end', id: 'b', span_id: 'b' },
    { event: 'span_end', id: 'a', span_id: 'a' },
    { event: 'score' },
  ];

  it('puts each event in its span, folding the span ends in', () => {
    const tree = transcriptTree(events);
    expect(tree.map((node) => (node.kind === 'span' ? `span ${node.id}` : node.index))).toEqual([
      0,
      'span a',
      7,
    ]);
    const a = tree[1] as TranscriptSpan;
    expect(a).toMatchObject({ begin: 1, end: 6, name: 'solvers' });
    const b = a.children[0] as TranscriptSpan;
    expect(b.children).toEqual([
      { kind: 'event', index: 3 },
      { kind: 'event', index: 4 },
    ]);
  });

  it('shows rows with collapsed spans folded, and finds what holds an event', () => {
    const tree = transcriptTree(events);
    const rows = (collapsed: string[]) =>
      visibleRows(tree, new Set(collapsed)).map(({ node, depth }) =>
        node.kind === 'span' ? `${depth}:${node.id}` : `${depth}:${node.index}`,
      );
    expect(rows([])).toEqual(['0:0', '0:a', '1:b', '2:3', '2:4', '0:7']);
    expect(rows(['b'])).toEqual(['0:0', '0:a', '1:b', '0:7']);
    expect(rows(['a'])).toEqual(['0:0', '0:a', '0:7']);
    expect(spansHolding(tree, 4)).toEqual(['a', 'b']);
    expect(spansHolding(tree, 7)).toEqual([]);
  });

  it('nests older begin/end steps, and survives a transcript 100,000 spans deep', () => {
    const steps = transcriptTree([
      { event: 'step', action: 'begin', name: 'solver' },
      { event: 'model' },
      { event: 'step', action: 'end', name: 'solver' },
    ]);
    expect(steps).toMatchObject([{ kind: 'span', name: 'solver', children: [{ index: 1 }] }]);
    const deep: JsonObject[] = Array.from({ length: 100_000 }, (_, index) => ({
      event: 'span_begin',
      id: `s${index}`,
      ...(index === 0 ? {} : { parent_id: `s${index - 1}` }),
    }));
    const rows = visibleRows(transcriptTree(deep), new Set());
    expect(rows).toHaveLength(100_000);
    expect(rows.at(-1)!.depth).toBe(99_999);
  });
});

describe('the tree from the paged reader’s index', () => {
  it('is the tree of the events, without reading them', () => {
    const events: JsonObject[] = [
      { event: 'sample_init' },
      { event: 'span_begin', id: 'a', name: 'solvers' },
      { event: 'span_begin', id: 'b', parent_id: 'a', name: 'generate' },
      { event: 'model', span_id: 'b' },
      { event: 'span_end', id: 'b', span_id: 'b' },
      { event: 'score', span_id: 'a' },
      { event: 'span_end', id: 'a', span_id: 'a' },
    ];
    const outline = [
      { parent: -1, name: 'solvers', type: null, begin: 1, end: 6, first: 1 },
      { parent: 0, name: 'generate', type: null, begin: 2, end: 4, first: 2 },
    ];
    const kinds = events.map((event) => event.event as string);
    const nodes = [-1, 0, 1, 1, 1, 0, 0];
    const shape = (tree: ReadonlyArray<TranscriptNode>): unknown =>
      tree.map((node) =>
        node.kind === 'span' ? { span: node.name, children: shape(node.children) } : node.index,
      );
    expect(shape(treeFromOutline(outline, kinds, nodes))).toEqual(shape(transcriptTree(events)));
  });

  it('holds a span of 200,000 turns (more children than a call may take as arguments)', () => {
    const turns = 200_000;
    // A root span (events 0 and 4 * turns + 1) holding a span per turn of three events.
    const outline = [
      { parent: -1, name: 'solvers', type: null, begin: 0, end: 3 * turns + 1, first: 0 },
    ];
    const kinds = ['span_begin'];
    const nodes = [0];
    for (let turn = 0; turn < turns; turn++) {
      outline.push({
        parent: 0,
        name: `turn ${turn}`,
        type: null,
        begin: kinds.length,
        end: kinds.length + 2,
        first: kinds.length,
      });
      kinds.push('span_begin', 'model', 'span_end');
      nodes.push(turn + 1, turn + 1, turn + 1);
    }
    kinds.push('span_end');
    nodes.push(0);
    const tree = treeFromOutline(outline, kinds, nodes);
    const root = tree[0]!;
    expect(root.kind === 'span' && root.children).toHaveLength(turns);
    expect(visibleRows(tree, new Set())).toHaveLength(1 + 2 * turns);
    // The last turn's model call sits in the root span and its own turn span.
    expect(spansHolding(tree, kinds.length - 3)).toEqual(['0', String(turns)]);
  });
});
