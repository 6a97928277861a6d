import type { OutlineNode } from './pageTypes.ts';

/** The few fields of an event the outline needs (captured by the indexer as it scans). */
export interface EventFacts {
  kind: string;
  /** Milliseconds since the epoch, NaN when absent. */
  time: number;
  spanId: string | null;
  id: string | null;
  parentId: string | null;
  name: string | null;
  type: string | null;
  action: string | null;
}

type MutableNode = { -readonly [K in keyof OutlineNode]: OutlineNode[K] };

/**
 * Builds the transcript's tree from events as they are indexed, in one pass: spans by their ids
 * (`span_begin` / `span_end`, `parent_id`; every event names its span in `span_id`) and legacy
 * steps by nesting (`step` events with `action` begin / end and no span ids).
 */
export class OutlineBuilder {
  private readonly nodes: MutableNode[] = [];
  private readonly spans = new Map<string, number>();
  /** Open legacy steps, innermost last. */
  private readonly steps: number[] = [];

  /** Record event `index` and return its node (-1 for none). */
  add(index: number, bytes: number, facts: EventFacts): number {
    let node = -1;
    if (facts.kind === 'span_begin' && facts.id !== null) {
      node = this.span(facts.id);
      const span = this.nodes[node]!;
      span.name = facts.name;
      span.type = facts.type;
      span.begin = index;
      span.startedAt = finite(facts.time);
      if (facts.parentId !== null) span.parent = this.span(facts.parentId);
    } else if (facts.kind === 'span_end' && facts.id !== null) {
      node = this.span(facts.id);
      this.nodes[node]!.end = index;
      this.nodes[node]!.endedAt = finite(facts.time);
    } else if (facts.kind === 'step' && facts.action === 'begin') {
      const outer = this.steps.at(-1) ?? (facts.spanId !== null ? this.span(facts.spanId) : -1);
      node = this.create(`step-${index}`, 'step');
      const step = this.nodes[node]!;
      Object.assign(step, { parent: outer, name: facts.name, type: facts.type, begin: index });
      step.startedAt = finite(facts.time);
      this.steps.push(node);
    } else if (facts.kind === 'step' && facts.action === 'end') {
      // The innermost open step of that name; steps left open inside it end with it.
      for (let depth = this.steps.length - 1; depth >= 0; depth--) {
        const step = this.nodes[this.steps[depth]!]!;
        if (step.name === facts.name) {
          node = this.steps[depth]!;
          step.end = index;
          step.endedAt = finite(facts.time);
          this.steps.length = depth;
          break;
        }
      }
    }
    if (node === -1) {
      node = facts.spanId !== null ? this.span(facts.spanId) : (this.steps.at(-1) ?? -1);
    }
    if (node !== -1) {
      const owner = this.nodes[node]!;
      owner.events += 1;
      owner.bytes += bytes;
      if (index < owner.first) owner.first = index;
      if (index > owner.last) owner.last = index;
    }
    return node;
  }

  /** The tree with counts, bytes and first/last events summed over descendants. */
  finish(): OutlineNode[] {
    const nodes = this.nodes;
    const depth = nodes.map(() => -1);
    const depthOf = (start: number): void => {
      // Walk up iteratively, marking the chain (-2); a parent cycle (a corrupt log) is cut where
      // it closes.
      const chain: number[] = [];
      let at = start;
      while (at !== -1 && depth[at] === -1) {
        depth[at] = -2;
        chain.push(at);
        at = nodes[at]!.parent;
      }
      let level = -1;
      if (at !== -1 && depth[at] === -2) nodes[chain.at(-1)!]!.parent = -1;
      else if (at !== -1) level = depth[at]!;
      for (let i = chain.length - 1; i >= 0; i--) depth[chain[i]!] = ++level;
    };
    nodes.forEach((_node, index) => depthOf(index));
    const deepestFirst = nodes.map((_node, index) => index).sort((a, b) => depth[b]! - depth[a]!);
    for (const index of deepestFirst) {
      const node = nodes[index]!;
      for (const edge of [node.begin, node.end]) {
        if (edge < 0) continue;
        node.first = Math.min(node.first, edge);
        node.last = Math.max(node.last, edge);
      }
      if (node.parent === -1) continue;
      const parent = nodes[node.parent]!;
      parent.events += node.events;
      parent.bytes += node.bytes;
      parent.first = Math.min(parent.first, node.first);
      parent.last = Math.max(parent.last, node.last);
    }
    for (const node of nodes) if (node.first === Number.POSITIVE_INFINITY) node.first = -1;
    return nodes;
  }

  private span(id: string): number {
    const known = this.spans.get(id);
    if (known !== undefined) return known;
    const node = this.create(id, 'span');
    this.spans.set(id, node);
    return node;
  }

  private create(id: string, kind: 'span' | 'step'): number {
    this.nodes.push({
      id,
      parent: -1,
      kind,
      name: null,
      type: null,
      begin: -1,
      end: -1,
      first: Number.POSITIVE_INFINITY,
      last: -1,
      events: 0,
      bytes: 0,
      startedAt: null,
      endedAt: null,
    });
    return this.nodes.length - 1;
  }
}

function finite(time: number): number | null {
  return Number.isFinite(time) ? time : null;
}
