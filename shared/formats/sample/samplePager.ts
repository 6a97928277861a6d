import type { ByteSource } from '../bytes/byteSource.ts';
import { isJsonObject, parseInspectJsonBytes, type JsonValue } from '../json/inspectJson.ts';
import { decodeStringContent, StringContentDecoder } from '../json/jsonStrings.ts';
import { SalvageError } from '../../util/errors.ts';
import { BlockCache } from './blockCache.ts';
import {
  materializeRange,
  tooDeep,
  type Materialized,
  type TextBudget,
  type TextLimits,
} from './materialize.ts';
import type {
  DeferredList,
  EventRows,
  JsonPath,
  OutlinePage,
  PageItem,
  PooledList,
  SampleField,
  SampleOverview,
  SamplePage,
  StringSlice,
  Truncation,
} from './pageTypes.ts';
import type { RootMember, SampleIndex } from './sampleIndex.ts';
import type { SpanList } from './spanList.ts';
import { parseStringRef } from './stringRef.ts';
import { poolSlices } from '../inspect-eval/sampleResolve.ts';
import { objectMembers } from './objectMembers.ts';
import { inspectJsonLength, KNOWN_MIN_CHARS, stringLength } from './jsonLength.ts';
import { getOwn, setOwn } from '../../util/records.ts';

export interface PagerLimits extends TextLimits {
  /** Characters of JSON one answer (a page, the overview, a field) aims to stay under. */
  readonly pageChars: number;
  /** Items one page may hold, whatever their size. */
  readonly maxPageItems: number;
  /** Top-level fields up to this size come with the overview; larger ones on request. */
  readonly smallFieldBytes: number;
  /** Outline nodes and event rows one answer may hold. */
  readonly maxRows: number;
  /** UTF-16 units one string slice may hold: a longer string comes in several. */
  readonly maxSliceChars: number;
  /** Pool items a model event's list may resolve inline (more are deferred to their own pages). */
  readonly maxInlinePoolItems: number;
  /**
   * Bytes of pool items a model event's list may resolve inline. The transcript shows a model
   * call's input and API request folded, so a page carries them only when small; larger ones
   * come when the fold opens (an agent's call repeats its whole window: 97% of a page otherwise).
   */
  readonly maxInlinePoolBytes: number;
}

/**
 * Inspect View caps long text at 250,000 characters; a page aims at 2 MB of JSON, a few screens
 * of transcript, far below what made the old whole-sample view freeze.
 */
export const DEFAULT_PAGER_LIMITS: PagerLimits = {
  maxStringChars: 250_000,
  previewChars: 1_000,
  pageChars: 2_000_000,
  maxPageItems: 500,
  smallFieldBytes: 1024 * 1024,
  maxRows: 10_000,
  // 8 MB of text an answer: a 30 MB tool output is read in a few, the main process's memory
  // holding one slice, not the whole string twice over.
  maxSliceChars: 4 * 1024 * 1024,
  maxInlinePoolItems: 200,
  maxInlinePoolBytes: 32 * 1024,
};

const ATTACHMENT_PREFIX = 'attachment://';
/** The attachment reference of Inspect logs written before `attachment://` (2024). */
const LEGACY_PREFIX = 'tc://';
/**
 * Characters of attachment text kept for reuse across pages (4 MB at most): a model call's
 * window of recent attachments fits, and its neighbours share most of it.
 */
const ATTACHMENT_CACHE_CHARS = 2 * 1024 * 1024;
/**
 * Bytes of a long string decoded at a time: small enough that each decoded piece is a young
 * object V8 frees at once (pieces of 1 MiB went to the large-object space and stayed until a
 * full collection, growing the heap by the size of the strings read).
 */
const STRING_READ_BYTES = 64 * 1024;
/**
 * Largest value parsed whole by parseInspectJson. Its text is one string; up to here it is a
 * young object freed at once, where a 250 KB one lands in V8's large-object space and stays
 * until a full collection (pages of such items grew the heap by 100 MB).
 */
const FAST_PARSE_BYTES = 64 * 1024;
/** Outline nodes the overview carries (a tree's first screens); the rest come by page. */
const OVERVIEW_OUTLINE_NODES = 1000;
/** Long strings read slice by slice at once. */
const MAX_CURSORS = 16;
const QUOTE = 0x22;

type List = 'messages' | 'events';

interface Resolved {
  value: JsonValue;
  truncations: Truncation[];
}

/**
 * Serves an indexed sample a page at a time: items parsed from their bytes, message/call pools
 * and attachments resolved for the page only, long strings cut (and fetched on request).
 *
 * Resolution follows resolveSample / readChunkedSample (shared/formats/inspect-eval) item by
 * item, so a page equals the same slice of the whole-sample reader's result.
 */
export class SamplePager {
  readonly index: SampleIndex;
  private readonly bytes: ByteSource;
  private readonly limits: PagerLimits;
  /** Recently resolved attachment texts, least recently used first. */
  private readonly attachments = new Map<string, string>();
  /** Their JSON lengths, for measuring pages. */
  private readonly lengths = new Map<string, number>();
  /** Where the last slice of a long string ended (UTF-16 units, bytes), by ref. */
  private readonly cursors = new Map<string, { units: number; byte: number }>();
  private cachedChars = 0;

  constructor(index: SampleIndex, bytes: ByteSource, limits: PagerLimits = DEFAULT_PAGER_LIMITS) {
    this.index = index;
    this.bytes = new BlockCache(bytes);
    this.limits = limits;
  }

  async overview(): Promise<SampleOverview> {
    const index = this.index;
    const fields: Record<string, JsonValue> = {};
    const truncations: Truncation[] = [];
    const largeFields: Array<{ key: string; bytes: number }> = [];
    const budget: TextBudget = { remaining: this.limits.pageChars };
    for (const member of this.fieldMembers()) {
      const bytes = member.end - member.start;
      if (bytes > this.limits.smallFieldBytes) {
        largeFields.push({ key: member.key, bytes });
        continue;
      }
      const resolved = await this.resolvedValue(
        member.start,
        member.end,
        budget,
        `Field "${member.key}"`,
      );
      setOwn(fields, member.key, resolved.value);
      for (const cut of resolved.truncations) truncations.push(prefixed(cut, [member.key]));
    }
    if (
      index.layout === 'chunked' &&
      !this.fieldMembers().some((member) => member.key === 'metadata')
    ) {
      // readChunkedSample's default for a sample without metadata.json.
      fields.metadata = {};
    }
    const kinds: Record<string, number> = {};
    for (let event = 0; event < index.events.count; event++) {
      const kind = index.kinds[index.eventKinds.get(event)]!;
      setOwn(kinds, kind, (getOwn(kinds, kind) ?? 0) + 1);
    }
    return {
      layout: index.layout,
      bytes: index.size,
      messages: { count: index.messages.count, bytes: index.messages.bytes },
      events: { count: index.events.count, bytes: index.events.bytes, kinds },
      attachments: { count: index.attachments.size, bytes: index.attachmentSpans.bytes },
      pools: { messages: index.poolMessages.count, calls: index.poolCalls.count },
      fields,
      truncations,
      largeFields,
      outline: this.outline(0, OVERVIEW_OUTLINE_NODES),
    };
  }

  messages(start: number, count: number): Promise<SamplePage> {
    return this.page('messages', start, count);
  }

  events(start: number, count: number): Promise<SamplePage> {
    return this.page('events', start, count);
  }

  outline(start: number, count: number): OutlinePage {
    const nodes = this.index.outline;
    const [from, to] = this.window(start, count, nodes.length);
    return { start: from, nodes: nodes.slice(from, to), total: nodes.length };
  }

  eventRows(start: number, count: number): EventRows {
    const index = this.index;
    const [from, to] = this.window(start, count, index.events.count);
    const kinds: string[] = [];
    const nodes: number[] = [];
    for (let event = from; event < to; event++) {
      kinds.push(index.kinds[index.eventKinds.get(event)]!);
      nodes.push(index.eventNodes.get(event));
    }
    return { start: from, kinds, nodes, total: index.events.count };
  }

  /** A top-level field, resolved, long strings cut as in a page. */
  async field(key: string): Promise<SampleField> {
    const member = this.fieldMembers().findLast((candidate) => candidate.key === key);
    if (!member && key === 'metadata' && this.index.layout === 'chunked') {
      return { key, value: {}, truncations: [] };
    }
    if (!member) {
      throw new SalvageError('entry-not-found', `The sample has no top-level field "${key}".`);
    }
    const budget: TextBudget = { remaining: this.limits.pageChars };
    const resolved = await this.resolvedValue(member.start, member.end, budget, `Field "${key}"`);
    return { key, value: resolved.value, truncations: resolved.truncations };
  }

  /** `length` UTF-16 units of a cut string from `start`, reading no further than needed. */
  async string(ref: string, start: number, length: number): Promise<StringSlice> {
    const span = parseStringRef(ref, this.bytes.size);
    if ((await this.bytes.read(span.start, 1))[0] !== QUOTE) {
      throw new SalvageError(
        'invalid-arguments',
        `"${ref}" does not refer to a string of this sample.`,
      );
    }
    const from = Math.max(0, start);
    const wanted = Math.min(Math.max(0, length), this.limits.maxSliceChars);
    // A character offset has no byte offset without decoding up to it: resume from the start of
    // the last piece the previous slice of this string decoded when that is not past `from`
    // (reading a long string slice after slice then costs each byte about once; from where that
    // slice ended, always past the next slice's start, every slice decoded the string again from
    // its first byte: a 30 MiB string in 8 slices decoded 150 MB).
    const cursor = this.cursors.get(ref);
    const resume = cursor && cursor.units <= from ? cursor : { units: 0, byte: span.start + 1 };
    const decoder = new StringContentDecoder('A string of the sample');
    const parts: string[] = [];
    let seen = resume.units;
    let kept = 0;
    const take = (text: string): void => {
      const skip = Math.max(0, from - seen);
      seen += text.length;
      if (skip >= text.length || kept >= wanted) return;
      const piece = text.slice(skip, skip + wanted - kept);
      parts.push(piece);
      kept += piece.length;
    };
    const end = span.end - 1;
    for (let position = resume.byte; position < end; position += STRING_READ_BYTES) {
      const read = Math.min(STRING_READ_BYTES, end - position);
      // Where this piece's text starts: its bytes, and those an earlier piece held back.
      const pieceStart = { units: seen, byte: position - decoder.pending };
      take(decoder.push(await this.bytes.read(position, read)));
      // Stop once the slice is full; the whole length is then unknown. The next slice starts
      // inside this piece (or at its end), so it resumes from the piece's start.
      if (kept >= wanted && seen > from + wanted) {
        this.remember(ref, pieceStart);
        return { text: parts.join(''), start: from, length: null };
      }
    }
    take(decoder.finish());
    return { text: parts.join(''), start: from, length: seen };
  }

  private remember(ref: string, cursor: { units: number; byte: number }): void {
    this.cursors.delete(ref);
    this.cursors.set(ref, cursor);
    if (this.cursors.size > MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value!);
  }

  /**
   * Items `start`… of a model event's input (`list` 'input') or provider request messages
   * ('call'), for a list its page deferred: each a pool item, attachments resolved.
   */
  async pooled(event: number, list: PooledList, start: number, count: number): Promise<SamplePage> {
    const index = this.index;
    if (
      !(event >= 0 && event < index.events.count) ||
      index.kinds[index.eventKinds.get(event)] !== 'model'
    ) {
      throw new SalvageError(
        'invalid-arguments',
        `Event ${event + 1} of this sample is not a model event.`,
      );
    }
    const what = `Event ${event + 1} of the sample`;
    const pool = list === 'input' ? index.poolMessages : index.poolCalls;
    const positions = poolPositions(pool, await this.eventRefs(event, list, what));
    return this.pageOf(positions.length, start, count, async (position, budget) => {
      const at = positions[position]!;
      const item = await this.value(
        pool.start(at),
        pool.end(at),
        budget,
        `${what} (pool item ${at})`,
      );
      const truncations = item.truncations;
      const value = await this.resolveAttachments(item.value, budget, truncations);
      return { index: position, value, bytes: pool.length(at), truncations, deferred: [] };
    });
  }

  private page(list: List, start: number, count: number): Promise<SamplePage> {
    const spans = list === 'messages' ? this.index.messages : this.index.events;
    return this.pageOf(spans.count, start, count, (position, budget) =>
      this.item(list, spans, position, budget),
    );
  }

  /** Items from `start` until `count`, the end, or the page's budget, whichever comes first. */
  private async pageOf(
    total: number,
    start: number,
    count: number,
    fetch: (position: number, budget: TextBudget) => Promise<PageItem>,
  ): Promise<SamplePage> {
    const [from, to] = this.window(start, Math.min(count, this.limits.maxPageItems), total);
    const items: PageItem[] = [];
    let used = 0;
    let next = from;
    for (; next < to && used < this.limits.pageChars; next++) {
      const budget: TextBudget = { remaining: this.limits.pageChars - used };
      const item = await fetch(next, budget);
      const size = inspectJsonLength(item, this.lengths);
      // An item that would not fit whole waits for the next page, where it comes first.
      if (items.length > 0 && (budget.squeezed || used + size > this.limits.pageChars)) break;
      items.push(item);
      used += size;
    }
    return { start: from, items, next: next < total ? next : null, total };
  }

  /** A model event's `input_refs` (list 'input') or `call.call_refs` ('call'), read alone. */
  private async eventRefs(event: number, list: PooledList, what: string): Promise<JsonValue[]> {
    const spans = this.index.events;
    const members = await objectMembers(this.bytes, spans.start(event), spans.end(event));
    let refs = list === 'input' ? members?.get('input_refs') : undefined;
    if (list === 'call') {
      const call = members?.get('call');
      refs = call
        ? (await objectMembers(this.bytes, call.start, call.end))?.get('call_refs')
        : undefined;
    }
    if (!refs) return [];
    const value = parseInspectJsonBytes(
      await this.bytes.read(refs.start, refs.end - refs.start),
      what,
    );
    return Array.isArray(value) ? (value as JsonValue[]) : [];
  }

  private async item(
    list: List,
    spans: SpanList,
    position: number,
    budget: TextBudget,
  ): Promise<PageItem> {
    const what = `${list === 'messages' ? 'Message' : 'Event'} ${position + 1} of the sample`;
    const start = spans.start(position);
    const end = spans.end(position);
    const parsed = await this.value(start, end, budget, what);
    let value = parsed.value;
    const truncations = parsed.truncations;
    const deferred: DeferredList[] = [];
    if (list === 'events') {
      const uuids = this.index.uuids;
      if (uuids && position < uuids.count && isJsonObject(value)) {
        // The chunked layout keeps uuids apart; readChunkedSample puts each back first.
        const uuid = await this.value(uuids.start(position), uuids.end(position), budget, what);
        if (typeof uuid.value === 'string') value = { uuid: uuid.value, ...value };
      }
      if (isJsonObject(value) && value.event === 'model') {
        value = await this.expandPools(value, budget, truncations, deferred, what);
      }
    }
    const resolved = await this.resolveAttachments(value, budget, truncations);
    return { index: position, value: resolved, bytes: end - start, truncations, deferred };
  }

  /**
   * A model event's input (`input_refs` into the message pool) and provider call messages
   * (`call_refs` into the call pool) put back, as resolveSample's expandEventPools does.
   */
  private async expandPools(
    event: Record<string, JsonValue>,
    budget: TextBudget,
    truncations: Truncation[],
    deferred: DeferredList[],
    what: string,
  ): Promise<Record<string, JsonValue>> {
    const index = this.index;
    if (Array.isArray(event.input_refs)) {
      const positions = poolPositions(index.poolMessages, event.input_refs as JsonValue[]);
      event.input = await this.poolList(
        index.poolMessages,
        positions,
        budget,
        truncations,
        deferred,
        ['input'],
        'input',
        what,
      );
      delete event.input_refs;
    }
    const call = isJsonObject(event.call) ? (event.call as Record<string, JsonValue>) : undefined;
    if (call && Array.isArray(call.call_refs)) {
      const key = typeof call.call_key === 'string' ? call.call_key : 'messages';
      const request: Record<string, JsonValue> = isJsonObject(call.request)
        ? { ...call.request }
        : {};
      const positions = poolPositions(index.poolCalls, call.call_refs as JsonValue[]);
      const list = await this.poolList(
        index.poolCalls,
        positions,
        budget,
        truncations,
        deferred,
        ['call', 'request', key],
        'call',
        what,
      );
      setOwn(request, key, list);
      call.request = request;
      delete call.call_refs;
      delete call.call_key;
    }
    return event;
  }

  /**
   * The pool items at `positions`, each parsed on its own, or an empty list and a DeferredList
   * when they are too many or too large to come inline (see `maxInlinePoolBytes`).
   */
  private async poolList(
    pool: SpanList,
    positions: ReadonlyArray<number>,
    budget: TextBudget,
    truncations: Truncation[],
    deferred: DeferredList[],
    path: JsonPath,
    list: PooledList,
    what: string,
  ): Promise<JsonValue[]> {
    let bytes = 0;
    for (const at of positions) bytes += pool.length(at);
    const tooLarge =
      positions.length > this.limits.maxInlinePoolItems || bytes > this.limits.pageChars / 2;
    if (tooLarge || bytes > budget.remaining / 2) {
      // Too large for any page: deferred. Too large for what is left of this page: the item
      // moves to the next page (where it comes first, with the whole budget).
      if (!tooLarge) budget.squeezed = true;
      deferred.push({ path, list, count: positions.length, bytes });
      return [];
    }
    const before = budget.remaining;
    const cuts: Truncation[] = [];
    const out: JsonValue[] = [];
    for (const at of positions) {
      const item = await this.value(
        pool.start(at),
        pool.end(at),
        budget,
        `${what} (pool item ${at})`,
      );
      for (const cut of item.truncations) cuts.push(prefixed(cut, [...path, out.length]));
      out.push(item.value);
    }
    // Pool items refer to their long texts as attachments: the list's size is known once they
    // are counted in, and only then whether it is small enough to come inline.
    const resolved = bytes + this.attachmentBytes(out);
    if (resolved > this.limits.maxInlinePoolBytes) {
      budget.remaining = before;
      deferred.push({ path, list, count: positions.length, bytes: resolved });
      return [];
    }
    truncations.push(...cuts);
    return out;
  }

  /** Bytes of the attachments that `values` refer to (their texts as stored, JSON-escaped). */
  private attachmentBytes(values: ReadonlyArray<JsonValue>): number {
    const index = this.index;
    if (index.attachments.size === 0) return 0;
    let bytes = 0;
    const stack: JsonValue[] = [...values];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (typeof item === 'string') {
        const key = attachmentKey(item);
        const span = key === null ? undefined : index.attachments.get(key);
        if (span !== undefined) bytes += index.attachmentSpans.length(span);
      } else if (Array.isArray(item)) {
        for (const child of item as JsonValue[]) stack.push(child);
      } else if (isJsonObject(item)) {
        for (const child of Object.values(item)) stack.push(child);
      }
    }
    return bytes;
  }

  /** A value with its attachments resolved (fields). */
  private async resolvedValue(
    start: number,
    end: number,
    budget: TextBudget,
    what: string,
  ): Promise<Resolved> {
    const parsed = await this.value(start, end, budget, what);
    const value = await this.resolveAttachments(parsed.value, budget, parsed.truncations);
    return { value, truncations: parsed.truncations };
  }

  /**
   * The JSON value at [start, end). A small one that cannot hold a string to cut (fewer bytes
   * than characters allowed) goes through parseInspectJson, the reference reader and 10x faster;
   * the rest through the streaming materializer, which cuts strings without reading them whole.
   */
  private async value(
    start: number,
    end: number,
    budget: TextBudget,
    what: string,
  ): Promise<Materialized> {
    const length = end - start;
    if (length <= Math.min(FAST_PARSE_BYTES, this.limits.maxStringChars, budget.remaining)) {
      budget.remaining -= length;
      const bytes = await this.bytes.read(start, length);
      if (bytes[0] === QUOTE && bytes[length - 1] === QUOTE && length >= 2) {
        // A string alone (an attachment): decoded directly, without a parser's number checks.
        return { value: decodeStringContent(bytes.subarray(1, length - 1), what), truncations: [] };
      }
      try {
        return { value: parseInspectJsonBytes(bytes, what), truncations: [] };
      } catch (error) {
        // JSON.parse recurses: nesting too deep for it is refused like the materializer does.
        if (error instanceof RangeError) throw tooDeep(what);
        throw error;
      }
    }
    return materializeRange(this.bytes, start, end, this.limits, budget, what);
  }

  /**
   * Every `attachment://<key>` string replaced by the attachment's text (cut if long), as
   * resolveAttachments does over the whole sample. Walks with an explicit stack: an item may
   * nest deeper than the call stack allows.
   */
  private async resolveAttachments(
    value: JsonValue,
    budget: TextBudget,
    truncations: Truncation[],
  ): Promise<JsonValue> {
    const index = this.index;
    if (index.attachments.size === 0) return value;
    const holder: Record<string, JsonValue> = { value };
    // Each visited slot links to its parent's, so a path is built only for a cut attachment.
    interface Slot {
      readonly parent: Record<string, JsonValue> | JsonValue[];
      readonly slot: string | number;
      readonly up: Slot | null;
    }
    const found: Array<{ at: Slot; key: string }> = [];
    const stack: Slot[] = [{ parent: holder, slot: 'value', up: null }];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const item = (at.parent as Record<string | number, JsonValue>)[at.slot];
      if (typeof item === 'string') {
        const key = attachmentKey(item);
        if (key !== null && index.attachments.has(key)) found.push({ at, key });
      } else if (Array.isArray(item)) {
        const array = item as JsonValue[];
        for (let i = 0; i < array.length; i++) stack.push({ parent: array, slot: i, up: at });
      } else if (isJsonObject(item)) {
        const object = item as Record<string, JsonValue>;
        for (const key of Object.keys(object)) stack.push({ parent: object, slot: key, up: at });
      }
    }
    const pathOf = (at: Slot): JsonPath => {
      const path: Array<string | number> = [];
      for (let step: Slot | null = at; step !== null && step.up !== null; step = step.up) {
        path.push(step.slot);
      }
      return path.reverse();
    };
    for (const { at, key } of found) {
      const span = index.attachments.get(key)!;
      const start = index.attachmentSpans.start(span);
      const end = index.attachmentSpans.end(span);
      const text = await this.attachment(key, start, end, budget);
      // Only a string attachment replaces its reference (resolveAttachments keeps the rest).
      if (text === null) continue;
      (at.parent as Record<string | number, JsonValue>)[at.slot] = text.value;
      if (text.truncations.length > 0) {
        const path = pathOf(at);
        for (const cut of text.truncations) truncations.push(prefixed(cut, path));
      }
    }
    return holder.value!;
  }

  /**
   * An attachment's text (cut to the budget), or null when it is not a string. Whole texts are
   * kept in a small cache: a run's model calls refer to the same recent attachments again and
   * again (each call's input is the conversation so far).
   */
  private async attachment(
    key: string,
    start: number,
    end: number,
    budget: TextBudget,
  ): Promise<Materialized | null> {
    const cached = this.attachments.get(key);
    if (cached !== undefined && cached.length <= budget.remaining) {
      budget.remaining -= cached.length;
      this.attachments.delete(key);
      this.attachments.set(key, cached);
      return { value: cached, truncations: [] };
    }
    if ((await this.bytes.read(start, 1))[0] !== QUOTE) return null;
    const text = await this.value(start, end, budget, `Attachment ${key}`);
    if (text.truncations.length === 0 && typeof text.value === 'string') {
      this.attachments.set(key, text.value);
      if (text.value.length >= KNOWN_MIN_CHARS)
        this.lengths.set(text.value, stringLength(text.value));
      this.cachedChars += text.value.length;
      for (const [old, value] of this.attachments) {
        if (this.cachedChars <= ATTACHMENT_CACHE_CHARS) break;
        this.attachments.delete(old);
        this.lengths.delete(value);
        this.cachedChars -= value.length;
      }
    }
    return text;
  }

  /** Top-level fields: everything but the indexed lists, pools and attachments. */
  private fieldMembers(): RootMember[] {
    return this.index.members.filter(
      (member) =>
        member.role === 'field' &&
        !(this.index.layout === 'chunked' && member.key === 'message_refs'),
    );
  }

  private window(start: number, count: number, total: number): [number, number] {
    const from = Math.min(Math.max(0, Math.floor(start)), total);
    return [
      from,
      Math.min(total, from + Math.max(0, Math.min(Math.floor(count), this.limits.maxRows))),
    ];
  }
}

/** Pool positions of [start, end) ranges, read as every reader reads them (poolSlices). */
function poolPositions(pool: SpanList, ranges: ReadonlyArray<JsonValue>): number[] {
  const positions: number[] = [];
  for (const [from, to] of poolSlices(pool.count, ranges))
    for (let i = from; i < to; i++) positions.push(i);
  return positions;
}

function attachmentKey(text: string): string | null {
  if (text.startsWith(ATTACHMENT_PREFIX)) return text.slice(ATTACHMENT_PREFIX.length);
  return text.startsWith(LEGACY_PREFIX) ? text.slice(LEGACY_PREFIX.length) : null;
}

function prefixed(cut: Truncation, path: JsonPath): Truncation {
  return { ...cut, path: [...path, ...cut.path] };
}
