import type { JsonValue } from '../json/inspectJson.ts';

/**
 * What the paged sample channels answer: a sample opened once and then read a page at a time,
 * with long strings cut and fetched on demand. The renderer never receives more than it shows.
 */

/** Keys and array indexes from an item's root to one of its values. */
export type JsonPath = ReadonlyArray<string | number>;

/** A string that an answer carries cut short; `ref` fetches it whole or a slice of it. */
export interface Truncation {
  /** Where the cut string is inside the item (or field) it came with. */
  readonly path: JsonPath;
  /** Hand to `salvage:sample:string`. */
  readonly ref: string;
  /** Size of the whole string as stored: its UTF-8 bytes with JSON escapes, quotes excluded. */
  readonly bytes: number;
  /** UTF-16 units of it carried in the answer. */
  readonly shown: number;
}

/** One message or event, pools and attachments resolved. */
export interface PageItem {
  /** Position in the sample's messages or events (or in a pooled list). */
  readonly index: number;
  readonly value: JsonValue;
  /** Bytes the item takes in the log (decoded, before pools and attachments are resolved). */
  readonly bytes: number;
  readonly truncations: ReadonlyArray<Truncation>;
  /** Pooled lists of a model event too large for the page: empty here, paged on request. */
  readonly deferred: ReadonlyArray<DeferredList>;
}

/**
 * A model event's input (from `input_refs`) or provider request messages (from `call_refs`)
 * left out of its page because it would not fit: an agent's model call carries the whole
 * conversation so far, thousands of messages late in a long run. The value at `path` is an empty
 * list; `salvage:sample:pooled` pages its `count` items.
 */
export interface DeferredList {
  readonly path: JsonPath;
  readonly list: PooledList;
  readonly count: number;
  /** Bytes of its items as stored (before attachments are resolved). */
  readonly bytes: number;
}

/** `input`: a model event's input messages; `call`: its provider request's messages. */
export type PooledList = 'input' | 'call';

export const POOLED_LISTS: ReadonlyArray<PooledList> = ['input', 'call'];

export interface SamplePage {
  readonly start: number;
  readonly items: ReadonlyArray<PageItem>;
  /** Where the next page starts, or null after the last item. */
  readonly next: number | null;
  readonly total: number;
}

/**
 * A node of the transcript's outline: a span (`span_begin`…`span_end`, linked by `parent_id`) or
 * a legacy step (`step` begin/end). Indexes are positions in the sample's events.
 */
export interface OutlineNode {
  readonly id: string;
  /** Index of the parent node in the outline, or -1 at the top. */
  readonly parent: number;
  readonly kind: 'span' | 'step';
  readonly name: string | null;
  readonly type: string | null;
  /** The begin / end event, -1 when the log has none (a span cut short by a crash). */
  readonly begin: number;
  readonly end: number;
  /** First and last event inside the node, descendants included. */
  readonly first: number;
  readonly last: number;
  /** Events inside the node and their bytes in the log, descendants included. */
  readonly events: number;
  readonly bytes: number;
  /** Times of the begin / end events, in milliseconds since the epoch. */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
}

export interface OutlinePage {
  readonly start: number;
  readonly nodes: ReadonlyArray<OutlineNode>;
  readonly total: number;
}

/**
 * Compact rows of the event index, for a virtualised transcript without reading any event: what
 * the transcript's tree needs of every event and nothing more (the page keeps them for all of a
 * sample's events, 300,000 and more).
 */
export interface EventRows {
  readonly start: number;
  readonly kinds: ReadonlyArray<string>;
  /** Outline node of each event (index into the outline), -1 for none. */
  readonly nodes: ReadonlyArray<number>;
  readonly total: number;
}

/** A top-level field too large for the summary, read on demand (strings cut as in pages). */
export interface SampleField {
  readonly key: string;
  readonly value: JsonValue;
  readonly truncations: ReadonlyArray<Truncation>;
}

/**
 * A slice of one string, in UTF-16 units: at most 4,194,304 of them an answer (ask again from
 * `start + text.length` for more; reading on from where a slice ended costs no re-reading).
 */
export interface StringSlice {
  readonly text: string;
  readonly start: number;
  /** The whole string's length, known once a fetch has reached its end; null otherwise. */
  readonly length: number | null;
}

export type SampleLayoutKind = 'monolith' | 'chunked' | 'json' | 'jsonl';

/** What opening a sample answers: counts, the small fields, the start of the outline. */
export interface SampleOverview {
  readonly layout: SampleLayoutKind;
  /** Bytes of the sample as stored (decoded). */
  readonly bytes: number;
  readonly messages: { readonly count: number; readonly bytes: number };
  readonly events: {
    readonly count: number;
    readonly bytes: number;
    /** Events of each kind (`model`, `tool`, `span_begin`…). */
    readonly kinds: Readonly<Record<string, number>>;
  };
  readonly attachments: { readonly count: number; readonly bytes: number };
  readonly pools: { readonly messages: number; readonly calls: number };
  /** Top-level fields up to a size (id, epoch, input, target, scores, metadata, output…), resolved. */
  readonly fields: Readonly<Record<string, JsonValue>>;
  readonly truncations: ReadonlyArray<Truncation>;
  /** Top-level fields left out of `fields` for their size: read them with `salvage:sample:field`. */
  readonly largeFields: ReadonlyArray<{ readonly key: string; readonly bytes: number }>;
  readonly outline: OutlinePage;
}

export interface OpenedSample {
  /** Names this open sample in the other calls until it is closed (or expires). */
  readonly handle: string;
  readonly overview: SampleOverview;
}
