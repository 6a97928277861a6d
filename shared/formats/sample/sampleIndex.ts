import {
  PeekKeys,
  SKIP,
  TOP,
  type JsonKind,
  type JsonScanHandler,
  type JsonScanner,
} from '../json/jsonScanner.ts';
import { isoMillis } from './isoTime.ts';
import { SalvageError } from '../../util/errors.ts';
import { getOwn } from '../../util/records.ts';
import { OutlineBuilder, type EventFacts } from './outlineBuilder.ts';
import type { OutlineNode, SampleLayoutKind } from './pageTypes.ts';
import { NumberColumn, SpanList } from './spanList.ts';
import { poolSlices } from '../inspect-eval/sampleResolve.ts';

/**
 * The index of one sample, built in one scan of its decoded bytes: where each message, event,
 * pool item and attachment lies, each event's kind, time and outline node, and the outline.
 * Memory is a few tens of bytes per item, whatever the sample's size; the items themselves stay
 * in the bytes (memory, a spill file or the `.json` log) and are read a page at a time.
 */
export interface SampleIndex {
  readonly layout: SampleLayoutKind;
  /** Size of the byte space the offsets refer to. */
  readonly size: number;
  /** The sample's top-level members in order, with the role the indexer gave each. */
  readonly members: ReadonlyArray<RootMember>;
  readonly messages: SpanList;
  /** Role of each message (index into `roles`), for lists that show who spoke. */
  readonly messageRoles: NumberColumn<Uint16Array>;
  readonly roles: ReadonlyArray<string>;
  readonly events: SpanList;
  readonly eventKinds: NumberColumn<Uint16Array>;
  readonly kinds: ReadonlyArray<string>;
  /** Outline node of each event, -1 for none. */
  readonly eventNodes: NumberColumn<Int32Array>;
  readonly outline: ReadonlyArray<OutlineNode>;
  /** `events_data.messages` (or the legacy top-level `message_pool`) and `events_data.calls`. */
  readonly poolMessages: SpanList;
  readonly poolCalls: SpanList;
  /** Attachment key (hash, or position in the chunked layout) → index into `attachmentSpans`. */
  readonly attachments: ReadonlyMap<string, number>;
  readonly attachmentSpans: SpanList;
  /** Chunked layout: the events' uuids (events/uuids.json), by position. */
  readonly uuids: SpanList | null;
}

export type MemberRole = 'messages' | 'events' | 'pools' | 'attachments' | 'field';

export interface RootMember {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly role: MemberRole;
}

/** What a scanned part of a sample holds (a monolith entry is one Root part). */
export const Part = {
  /** A whole sample object (monolith entry, a `.json` log's sample, chunked sample.json). */
  Root: 1,
  /** Chunked messages/N.json: an array of pool messages. */
  PoolMessages: 2,
  /** Chunked calls/N.json. */
  PoolCalls: 3,
  /** Chunked events/N.json. */
  Events: 4,
  /** Chunked attachments/N.json: texts referenced as `attachment://<position>`. */
  AttachmentList: 5,
  /** Chunked events/uuids.json. */
  Uuids: 6,
  /** Chunked metadata.json: the value of the `metadata` field. */
  Metadata: 7,
} as const;
export type Part = (typeof Part)[keyof typeof Part];

// Roles of tracked values.
const ROOT = 1;
const MESSAGES = 2;
const MESSAGE = 3;
const EVENTS = 4;
const EVENT = 5;
const EVENTS_DATA = 6;
const POOL_MESSAGES = 7;
const POOL_CALLS = 8;
const ATTACHMENTS = 9;
const ATTACHMENT_LIST = 10;
const UUIDS = 11;
const REFS = 13;
const REF = 14;
const METADATA = 15;
/** The 2024 shape: `transcript: {events, content}` (content holds the attachments). */
const TRANSCRIPT = 16;

const PART_ROLE: Record<Part, number> = {
  [Part.Root]: ROOT,
  [Part.PoolMessages]: POOL_MESSAGES,
  [Part.PoolCalls]: POOL_CALLS,
  [Part.Events]: EVENTS,
  [Part.AttachmentList]: ATTACHMENT_LIST,
  [Part.Uuids]: UUIDS,
  [Part.Metadata]: METADATA,
};

/** Event members the outline needs, read while the event is skipped; the rest is not read. */
const EVENT_FACTS: ReadonlyArray<Exclude<keyof EventFacts, 'time'> | 'time'> = [
  'kind',
  'time',
  'spanId',
  'id',
  'parentId',
  'name',
  'type',
  'action',
];
const EVENT_KEYS = new PeekKeys([
  'event',
  'timestamp',
  'span_id',
  'id',
  'parent_id',
  'name',
  'type',
  'action',
]);
const MESSAGE_KEYS = new PeekKeys(['role']);
/** Events whose ids and names the outline reads. */
const OUTLINE_KINDS = new Set(['span_begin', 'span_end', 'step']);

/** The scanner's handler that builds a SampleIndex. Feed it parts through a JsonScanner each. */
export class SampleIndexer implements JsonScanHandler {
  /** The scanner feeding this indexer (set before the first push): raw captures are read from it. */
  scanner!: JsonScanner;
  private readonly layout: SampleLayoutKind;
  private part: Part = Part.Root;
  private partRole = ROOT;
  private readonly members: RootMember[] = [];
  private readonly messages = new SpanList();
  private readonly messageRoles = new NumberColumn(new Uint16Array(64));
  private readonly poolRoles = new NumberColumn(new Uint16Array(64));
  private readonly roles = new Table();
  private readonly events = new SpanList();
  private readonly eventKinds = new NumberColumn(new Uint16Array(64));
  private readonly kinds = new Table();
  private readonly eventNodes = new NumberColumn(new Int32Array(64));
  private readonly outline = new OutlineBuilder();
  private readonly poolMessages = new SpanList();
  private readonly poolCalls = new SpanList();
  private readonly attachments = new Map<string, number>();
  private readonly attachmentSpans = new SpanList();
  private uuids: SpanList | null = null;
  private messageRefs: number[][] | null = null;
  private ref: number[] = [];
  private role: string | null = null;
  private facts: EventFacts = emptyFacts();
  private size = 0;
  /** The sample's lists met so far (see claim). */
  private readonly claimed = new Set<string>();

  constructor(layout: SampleLayoutKind) {
    this.layout = layout;
  }

  /**
   * A list of the sample given twice (a key repeated, or both the 2024 `transcript` and the
   * member it replaces) is refused: the whole-sample reader keeps the last as JSON.parse does,
   * where this index would hold both, so the two views would differ (found by the fuzz harness,
   * sample-pager/harden2-761: a repeated "events" paged 21 events, read whole 14). Inspect
   * writes each once.
   */
  private claim(list: string): void {
    if (this.claimed.has(list)) throw twice(list, 'another member');
    this.claimed.add(list);
  }

  /** The next bytes scanned are a part of this kind (a chunked sample has several). */
  beginPart(part: Part): void {
    this.part = part;
    this.partRole = PART_ROLE[part];
    if (part === Part.Uuids) this.uuids ??= new SpanList();
  }

  enter(parentRole: number, key: string | null, _index: number, kind: JsonKind): number {
    switch (parentRole) {
      case TOP: {
        const expected =
          this.partRole === ROOT ? 'object' : this.partRole === METADATA ? kind : 'array';
        if (kind !== expected) {
          throw new SalvageError(
            'not-an-inspect-log',
            this.partRole === ROOT
              ? 'The sample is not a JSON object.'
              : `A part of the chunked sample is a JSON ${kind} where an array belongs.`,
          );
        }
        return this.partRole === METADATA ? SKIP : this.partRole;
      }
      case ROOT:
        if (key !== null && SUPPLIED_BY_PARTS.has(key) && this.layout === 'chunked') {
          // readChunkedSample replaces these with what the parts hold.
          if (key === 'transcript') throw twice('transcript', 'the chunks of a chunked sample');
          return SKIP;
        }
        for (const list of (key === null ? null : getOwn(ROOT_LISTS, key)) ?? []) this.claim(list);
        if (kind === 'array') {
          if (key === 'messages') return MESSAGES;
          if (key === 'events') return EVENTS;
          if (key === 'message_pool') return POOL_MESSAGES;
          if (key === 'message_refs' && this.layout === 'chunked') return REFS;
        } else if (kind === 'object') {
          if (key === 'events_data') return EVENTS_DATA;
          if (key === 'attachments') return ATTACHMENTS;
          if (key === 'transcript') return TRANSCRIPT;
        }
        return SKIP;
      case TRANSCRIPT:
        // Read as Inspect migrates it: its events are the sample's, its content the attachments.
        if (key === 'events' || key === 'content') this.claim(`transcript.${key}`);
        if (kind === 'array' && key === 'events') return EVENTS;
        if (kind === 'object' && key === 'content') return ATTACHMENTS;
        return SKIP;
      case MESSAGES:
      case POOL_MESSAGES:
        if (kind !== 'object') return SKIP;
        this.role = null;
        this.scanner.peekKeys = MESSAGE_KEYS;
        return MESSAGE;
      case EVENTS:
        if (kind !== 'object') return SKIP;
        // Skipped at full speed, its few facts read on the way (tracking each member of
        // hundreds of thousands of events cost 10x the scan).
        this.facts = emptyFacts();
        this.scanner.peekKeys = EVENT_KEYS;
        return EVENT;
      case EVENTS_DATA:
        if (key === 'messages' || key === 'calls') this.claim(`pool ${key}`);
        if (kind === 'array' && key === 'messages') return POOL_MESSAGES;
        if (kind === 'array' && key === 'calls') return POOL_CALLS;
        return SKIP;
      case REFS:
        if (kind === 'array') {
          this.ref = [];
          return REF;
        }
        return SKIP;
      default:
        return SKIP;
    }
  }

  leave(
    role: number,
    parentRole: number,
    key: string | null,
    _index: number,
    start: number,
    end: number,
    text: string | null,
  ): void {
    if (end > this.size) this.size = end;
    switch (parentRole) {
      case TOP:
        if (this.partRole === METADATA) {
          this.members.push({ key: 'metadata', start, end, role: 'field' });
        }
        return;
      case ROOT:
        this.members.push({ key: key!, start, end, role: memberRole(role) });
        return;
      case MESSAGES:
        this.messages.push(start, end);
        this.messageRoles.push(this.roles.id(role === MESSAGE ? this.role : null));
        this.role = null;
        return;
      case POOL_MESSAGES:
        this.poolMessages.push(start, end);
        this.poolRoles.push(this.roles.id(role === MESSAGE ? this.role : null));
        this.role = null;
        return;
      case EVENTS: {
        const facts = role === EVENT ? this.facts : emptyFacts();
        const index = this.events.push(start, end);
        this.eventKinds.push(this.kinds.id(facts.kind));
        this.eventNodes.push(this.outline.add(index, end - start, facts));
        return;
      }
      case POOL_CALLS:
        this.poolCalls.push(start, end);
        return;
      case ATTACHMENTS:
        this.attachments.set(key!, this.attachmentSpans.push(start, end));
        return;
      case ATTACHMENT_LIST:
        this.attachments.set(
          String(this.attachmentSpans.count),
          this.attachmentSpans.push(start, end),
        );
        return;
      case UUIDS:
        this.uuids!.push(start, end);
        return;
      case REFS:
        if (role === REF) (this.messageRefs ??= []).push(this.ref);
        return;
      case REF:
        // Beyond 2^53 the whole-sample reader holds a big integer, which no range takes.
        if (text !== null) this.ref.push(Number.isSafeInteger(Number(text)) ? Number(text) : NaN);
        return;
      default:
        return;
    }
  }

  peek(role: number, key: number, raw: Uint8Array, from: number, to: number): void {
    if (role === MESSAGE) {
      this.role = this.scanner.text(raw, from, to);
      return;
    }
    const fact = EVENT_FACTS[key]!;
    const facts = this.facts;
    // The timestamp is parsed from its bytes, never made a string.
    if (fact === 'time') facts.time = isoMillis(raw, from, to);
    else if (fact === 'kind' || fact === 'spanId' || OUTLINE_KINDS.has(facts.kind)) {
      facts[fact] = this.scanner.text(raw, from, to);
    } else if (facts.kind === 'unknown') {
      // `event` not seen yet (Inspect writes it before these): keep them in case.
      facts[fact] = this.scanner.text(raw, from, to);
    }
    // Otherwise an id or name of a tool or model event: not the outline's, not decoded.
  }

  finish(): SampleIndex {
    if (this.layout === 'chunked') this.chunkedMessages();
    return {
      layout: this.layout,
      size: this.size,
      members: this.members,
      messages: this.messages,
      messageRoles: this.messageRoles,
      roles: this.roles.names,
      events: this.events,
      eventKinds: this.eventKinds,
      kinds: this.kinds.names,
      eventNodes: this.eventNodes,
      outline: this.outline.finish(),
      poolMessages: this.poolMessages,
      poolCalls: this.poolCalls,
      attachments: this.attachments,
      attachmentSpans: this.attachmentSpans,
      uuids: this.uuids,
    };
  }

  /**
   * A chunked sample's messages are slices of its message pool (`message_refs` in sample.json),
   * or the whole pool without refs, as readChunkedSample reads them.
   */
  private chunkedMessages(): void {
    const pool = this.poolMessages;
    const take = (position: number): void => {
      this.messages.push(pool.start(position), pool.end(position));
      this.messageRoles.push(this.poolRoles.get(position));
    };
    if (this.messageRefs === null) {
      for (let position = 0; position < pool.count; position++) take(position);
      return;
    }
    for (const [from, to] of poolSlices(pool.count, this.messageRefs))
      for (let position = from; position < to; position++) take(position);
  }
}

/**
 * The lists of the sample each root member gives: a `transcript` object gives the events and
 * the attachments (as Inspect migrates it), the legacy `message_pool` the pool `events_data`
 * holds now. Looked up as own members (getOwn): a member named `valueOf` is no list.
 */
const ROOT_LISTS: Readonly<Record<string, ReadonlyArray<string>>> = {
  messages: ['messages'],
  events: ['events'],
  attachments: ['attachments'],
  transcript: ['events', 'attachments'],
  message_pool: ['pool messages'],
  events_data: ['events_data'],
  message_refs: ['message_refs'],
};
/** Root members of a chunked sample's shell that its parts replace. */
const SUPPLIED_BY_PARTS = new Set([
  'messages',
  'events',
  'attachments',
  'message_pool',
  'events_data',
  'transcript',
]);

function twice(list: string, other: string): SalvageError {
  return new SalvageError(
    'invalid-json',
    `The sample gives its ${list} twice (a repeated key, or ${other}); Inspect writes each once, and which one counts is unclear, so it is not shown.`,
  );
}

function memberRole(role: number): MemberRole {
  switch (role) {
    case MESSAGES:
      return 'messages';
    case EVENTS:
    case TRANSCRIPT:
      return 'events';
    case EVENTS_DATA:
    case POOL_MESSAGES:
    case REFS:
      return 'pools';
    case ATTACHMENTS:
      return 'attachments';
    default:
      return 'field';
  }
}

function emptyFacts(): EventFacts {
  return {
    kind: 'unknown',
    time: Number.NaN,
    spanId: null,
    id: null,
    parentId: null,
    name: null,
    type: null,
    action: null,
  };
}

const MAX_NAMES = 0xfff0;

/** Interned names (event kinds, message roles) by small integer. */
class Table {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string | null): number {
    // Ids are 16-bit: a log with more distinct names than that is corrupt; the rest share one.
    const key = this.names.length >= MAX_NAMES ? '?' : (name ?? '');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(key);
      this.ids.set(key, id);
    }
    return id;
  }
}
