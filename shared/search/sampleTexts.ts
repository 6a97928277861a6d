import { isJsonObject, LexicalNumber, type JsonValue } from '../formats/json/inspectJson.ts';
import { MARK_CLOSE, MARK_OPEN, type Place, type PlaceKind } from './searchTypes.ts';

/**
 * What of a sample the search index reads, and where each piece of text is: the one reading of
 * "the text of a sample" for every format (Inspect samples, verifiers rollouts, Codex sessions are
 * all handed over as the same parts: messages, events, top-level fields).
 *
 * Indexed: message text (content, reasoning, refusals, tool results), tool calls (name and
 * arguments), events' text (a tool's call and result, a model's output, errors, scores, logs,
 * sandbox commands and output), input, target, scorers' answers and explanations, errors and
 * tracebacks, metadata values. Left out: identifiers, timestamps, roles and types, usage and
 * timing, a model event's input (the conversation again) and raw API calls, tool definitions,
 * state and store changes, images and other binary data.
 *
 * Caps, so that one 30 MB tool output cannot swell the index or hold the indexer: a string is
 * indexed up to MAX_STRING_CHARS characters, a place (a message, an event, a field) up to
 * MAX_PLACE_CHARS; text past a cap is not searchable. A text seen earlier in the same sample
 * (the assistant's answer in a message and again in its model event) is indexed once, where it
 * was seen first: messages are read before events, events before the top-level fields.
 */

/** Characters of one string that are indexed. */
export const MAX_STRING_CHARS = 64 * 1024;
/** Characters of one place (message, event, field) that are indexed. */
export const MAX_PLACE_CHARS = 256 * 1024;
/** Shorter strings are not de-duplicated: a repeated "yes" costs less than remembering it. */
const DEDUPE_MIN_CHARS = 24;
/** Distinct texts remembered per sample for de-duplication (then forgotten and started again). */
const DEDUPE_MAX_ENTRIES = 200_000;

const ATTACHMENT_PREFIX = 'attachment://';
/** The attachment reference of Inspect logs written before `attachment://` (2024). */
const LEGACY_ATTACHMENT_PREFIX = 'tc://';

/** Keys whose values are not text anyone searches for, at any depth. */
const SKIPPED_KEYS = new Set([
  'id',
  'uuid',
  'tool_call_id',
  'source',
  'type',
  'role',
  'signature',
  'redacted',
  'internal',
  'timestamp',
  'working_start',
  'working_time',
  'total_time',
  'started_at',
  'completed_at',
  'created',
  'time',
  'span_id',
  'parent_id',
  'event',
  'pending',
  'completed',
  'cache',
  'usage',
  'model_usage',
  'model',
  'input_refs',
  'call_refs',
  'call_key',
  'call',
  'tools',
  'tool_choice',
  'config',
  'encrypted_content',
  'traceback_ansi',
  'input_ansi',
  'view',
  'image',
  'audio',
  'video',
  'detail',
  'format',
  'mime_type',
  'logprobs',
  'top_logprobs',
  'stop_reason',
  'retries',
  'history',
  'metadata',
  'filename',
  'module',
  'lineno',
  'level',
  'message_id',
  'agent_span_id',
  'truncated',
  'failed',
]);

/** Keys under which numbers and flags are text too (a tool call's `{"n": 42}`). */
const SCALAR_KEYS = new Set(['arguments']);

/** Members of an event that repeat what is indexed elsewhere (or are state, not text). */
const SKIPPED_EVENT_KEYS = new Set(['input', 'sample', 'state', 'changes', 'store']);
/**
 * Events with nothing of their own to search: a copy of the sample, state and store diffs, and
 * the spans and steps that only name the structure (`init`, `solvers`, `generate`).
 */
const SKIPPED_EVENTS = new Set(['sample_init', 'state', 'store', 'span_begin', 'span_end', 'step']);

/** Whether an event of this kind has text of its own (the others need not even be read). */
export function eventHasText(kind: string): boolean {
  return !SKIPPED_EVENTS.has(kind);
}

/** The top-level members of a sample that `SampleTexts.field` reads; others need not be read. */
export const TEXT_FIELDS: ReadonlySet<string> = new Set([
  'input',
  'choices',
  'target',
  'metadata',
  'error',
  'error_retries',
  'scores',
]);

/** Where a sample's text goes: each place's text once, and each attachment reference. */
export interface SampleTextSink {
  text(place: Place, text: string): void;
  /** A string of `place` that is an attachment reference (`attachment://<hash>`). */
  attachment(hash: string, place: Place): void;
}

/** The attachment a string refers to, or null when it is plain text. */
export function attachmentHash(value: string): string | null {
  if (value.startsWith(ATTACHMENT_PREFIX)) return value.slice(ATTACHMENT_PREFIX.length);
  if (value.startsWith(LEGACY_ATTACHMENT_PREFIX))
    return value.slice(LEGACY_ATTACHMENT_PREFIX.length);
  return null;
}

/** Text as the index keeps it: cut at the cap, without the characters its snippets use as marks. */
export function indexableText(text: string, cap = MAX_STRING_CHARS): string {
  const cut = text.length > cap ? text.slice(0, cap) : text;
  return cut.includes(MARK_OPEN) || cut.includes(MARK_CLOSE)
    ? cut.replaceAll(MARK_OPEN, ' ').replaceAll(MARK_CLOSE, ' ')
    : cut;
}

/** What an attachment's text is known by for de-duplication: `textDigest` of its indexed text. */
export type AttachmentDigests = (key: string) => number | undefined;

/**
 * Collects a sample's text place by place. Hand it the sample's parts in the order they should
 * win a duplicate (messages, events, then fields); each call emits that place's text to the sink.
 * `attachments` tells an attachment's digest, so that a reference to a text already indexed (a
 * message's text again as an attachment of its model event) is dropped like a repeated text.
 */
export class SampleTexts {
  private readonly sink: SampleTextSink;
  private readonly attachments: AttachmentDigests;
  private readonly seen = new Set<number>();
  private readonly referenced = new Set<string>();

  constructor(sink: SampleTextSink, attachments: AttachmentDigests = () => undefined) {
    this.sink = sink;
    this.attachments = attachments;
  }

  /** Message `index` of the sample; `label` says what it is when the role does not (reasoning). */
  message(index: number, message: JsonValue, label?: string): void {
    const role = isJsonObject(message) && typeof message.role === 'string' ? message.role : null;
    this.emit({ kind: 'message', index, label: label ?? role }, message, SKIPPED_KEYS, false);
  }

  event(index: number, event: JsonValue): void {
    const kind = isJsonObject(event) && typeof event.event === 'string' ? event.event : null;
    if (kind !== null && SKIPPED_EVENTS.has(kind)) return;
    const place: Place = { kind: 'event', index, label: kind };
    if (!isJsonObject(event)) return this.emit(place, event, SKIPPED_KEYS, false);
    const parts = new PlaceText(this, place);
    for (const [key, value] of Object.entries(event)) {
      if (!SKIPPED_EVENT_KEYS.has(key) && !SKIPPED_KEYS.has(key))
        parts.walk(value, SKIPPED_KEYS, SCALAR_KEYS.has(key));
    }
    parts.finish();
  }

  /** A top-level member of the sample (messages and events go through their own calls). */
  field(key: string, value: JsonValue): void {
    switch (key) {
      case 'input':
      case 'choices':
        return this.emit(fieldPlace('input'), value, SKIPPED_KEYS, false);
      case 'target':
        return this.emit(fieldPlace('target'), value, SKIPPED_KEYS, false);
      case 'metadata':
        // Values of every kind (a number or a flag is what one filters by), but not the keys.
        return this.emit(fieldPlace('metadata'), value, METADATA_SKIPPED, true);
      case 'error':
      case 'error_retries':
        return this.emit(fieldPlace('error'), value, SKIPPED_KEYS, false);
      case 'scores':
        if (!isJsonObject(value)) return;
        for (const [scorer, score] of Object.entries(value)) {
          if (!isJsonObject(score)) continue;
          // The answer and explanation say something; the value is a filter's business.
          const said = Object.entries(score).filter(([key]) => key !== 'value');
          this.emit(
            { kind: 'score', index: null, label: scorer },
            Object.fromEntries(said),
            SKIPPED_KEYS,
            false,
          );
        }
        return;
      default:
        return;
    }
  }

  /** True the first time a text is seen in this sample (short texts always). */
  firstSight(text: string): boolean {
    return text.length < DEDUPE_MIN_CHARS || this.firstSightOf(textDigest(text));
  }

  private firstSightOf(digest: number): boolean {
    if (this.seen.has(digest)) return false;
    if (this.seen.size >= DEDUPE_MAX_ENTRIES) this.seen.clear();
    this.seen.add(digest);
    return true;
  }

  /**
   * An attachment reference of `place`: an attachment is referred to from the first place that
   * names it, unless its text was already seen in plain.
   */
  reference(key: string, place: Place): void {
    if (this.referenced.has(key)) return;
    this.referenced.add(key);
    const digest = this.attachments(key);
    if (digest !== undefined && !this.firstSightOf(digest)) return;
    this.sink.attachment(key, place);
  }

  /** @internal */
  output(place: Place, text: string): void {
    this.sink.text(place, text);
  }

  private emit(place: Place, value: JsonValue, skipped: ReadonlySet<string>, scalars: boolean) {
    const parts = new PlaceText(this, place);
    parts.walk(value, skipped, scalars);
    parts.finish();
  }
}

/**
 * Metadata that is not the sample's own: a verifiers rollout's tool definitions (`oai_tools`, the
 * same in every rollout) and its timing numbers.
 */
const METADATA_SKIPPED: ReadonlySet<string> = new Set(['oai_tools', 'timing']);

function fieldPlace(kind: PlaceKind): Place {
  return { kind, index: null, label: null };
}

interface Frame {
  readonly value: JsonValue;
  readonly scalars: boolean;
  /** Levels of JSON text decoded to reach this value. */
  readonly decoded: number;
}

/** JSON written as a string inside JSON (a tool's arguments, a Codex tool output) is read once or twice. */
const MAX_DECODED_DEPTH = 2;

/**
 * The value of a string that is itself JSON text (an object or array), or undefined. Tools'
 * arguments and outputs are often stored so (`"{\"output\": \"…\\n…\"}"`); read as text,
 * their escapes glue words together (`\nLM` for a new line before `LM`) and their keys and ids
 * would be indexed as words.
 */
function encodedJson(text: string): JsonValue | undefined {
  const first = text.charCodeAt(0);
  if ((first !== 0x7b && first !== 0x5b) || text.length > MAX_PLACE_CHARS) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as JsonValue) : undefined;
  } catch {
    return undefined;
  }
}

/** The text of one place as it is gathered, within its cap. */
class PlaceText {
  private readonly owner: SampleTexts;
  private readonly place: Place;
  private readonly parts: string[] = [];
  private chars = 0;

  constructor(owner: SampleTexts, place: Place) {
    this.owner = owner;
    this.place = place;
  }

  /** Every string under `value` (and scalars when asked), skipping `skipped` keys; no recursion. */
  walk(value: JsonValue, skipped: ReadonlySet<string>, scalars: boolean): void {
    const stack: Frame[] = [{ value, scalars, decoded: 0 }];
    while (stack.length > 0 && this.chars < MAX_PLACE_CHARS) {
      const frame = stack.pop()!;
      const item = frame.value;
      if (typeof item === 'string') {
        const inner = frame.decoded < MAX_DECODED_DEPTH ? encodedJson(item) : undefined;
        if (inner === undefined) this.string(item);
        else stack.push({ value: inner, scalars: frame.scalars, decoded: frame.decoded + 1 });
      } else if (Array.isArray(item)) {
        for (let index = item.length - 1; index >= 0; index--)
          stack.push({ ...frame, value: item[index] as JsonValue });
      } else if (isJsonObject(item)) {
        const entries = Object.entries(item);
        for (let index = entries.length - 1; index >= 0; index--) {
          const [key, child] = entries[index]!;
          if (skipped.has(key)) continue;
          stack.push({
            value: child,
            scalars: frame.scalars || SCALAR_KEYS.has(key),
            decoded: frame.decoded,
          });
        }
      } else if (frame.scalars && item !== null && item !== undefined)
        // A lossless parse keeps a number's own text; String() of it would be "[object Object]".
        this.string(
          item instanceof LexicalNumber ? item.text : `${item as boolean | number | bigint}`,
        );
    }
  }

  private string(text: string): void {
    if (text === '' || text.startsWith('data:')) return;
    const hash = attachmentHash(text);
    if (hash !== null) return this.owner.reference(hash, this.place);
    const kept = indexableText(text, Math.min(MAX_STRING_CHARS, MAX_PLACE_CHARS - this.chars));
    if (kept === '' || !this.owner.firstSight(kept)) return;
    this.parts.push(kept);
    this.chars += kept.length;
  }

  finish(): void {
    if (this.parts.length > 0) this.owner.output(this.place, this.parts.join('\n'));
  }
}

/**
 * cyrb53, a fast 53-bit string hash: equal texts are recognised without keeping them (a
 * collision, about one in 2^53 per pair, would drop one duplicate-looking text from the index).
 */
export function textDigest(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
