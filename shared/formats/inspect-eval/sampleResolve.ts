import type { JsonObject, JsonValue } from '../json/inspectJson.ts';
import { editableJson, isJsonObject, type MutableJsonObject } from '../json/inspectJson.ts';
import { replaceStringsInPlace } from '../json/jsonTree.ts';
import { SalvageError } from '../../util/errors.ts';
import { MAX_POOL_REFERENCES } from '../../util/limits.ts';
import { getOwn, setOwn } from '../../util/records.ts';

const ATTACHMENT_PREFIX = 'attachment://';
/** The attachment reference of Inspect logs written before `attachment://` (2024). */
const LEGACY_CONTENT_PREFIX = 'tc://';

/**
 * Expand what Inspect condensed on write (`log/_condense.py`, `event/_pool.py`):
 * model-event inputs stored as `input_refs` into the message pool, provider call messages stored
 * as `call_refs` into the call pool, and long strings stored as `attachment://<hash>`.
 *
 * Older shapes are migrated as Inspect's `EvalSample.migrate_deprecated` does on read: the 2024
 * `transcript: {events, content}` becomes `events` and `attachments`, and legacy `tc://<hash>`
 * references resolve like `attachment://<hash>`.
 *
 * The sample must be freshly parsed and owned by the caller: it is expanded in place, because a
 * copy of a multi-hundred-MB sample would double the memory it takes.
 */
export function resolveSample(sample: JsonObject): JsonObject {
  const target = editableJson(sample);
  if (isJsonObject(target.transcript)) {
    const transcript = target.transcript;
    target.events = asArray(transcript.events) ?? [];
    target.attachments = isJsonObject(transcript.content) ? transcript.content : {};
    delete target.transcript;
  }
  const eventsData = isJsonObject(target.events_data) ? target.events_data : undefined;
  // Before `events_data` (2025 dev builds, log version 3) the pool was a top-level `message_pool`.
  const messagePool = asArray(eventsData?.messages) ?? asArray(target.message_pool) ?? [];
  const callPool = asArray(eventsData?.calls) ?? [];
  const events = asArray(target.events);
  if (events) {
    const budget = referenceBudget();
    for (const event of events) {
      if (isJsonObject(event)) expandEventPools(editableJson(event), messagePool, callPool, budget);
    }
  }
  delete target.events_data;
  delete target.message_pool;

  const attachments = isJsonObject(target.attachments) ? target.attachments : undefined;
  if (attachments && Object.keys(attachments).length > 0) {
    for (const key of Object.keys(target)) {
      if (key === 'attachments') continue;
      target[key] = resolveAttachments(target[key] as JsonValue, attachments);
    }
  }
  return target;
}

function expandEventPools(
  event: MutableJsonObject,
  messagePool: ReadonlyArray<JsonValue>,
  callPool: ReadonlyArray<JsonValue>,
  budget: ReferenceBudget,
): void {
  if (event.event !== 'model') return;
  const inputRefs = asArray(event.input_refs);
  if (inputRefs) {
    event.input = sliceRanges(messagePool, inputRefs, budget);
    delete event.input_refs;
  }
  const call = isJsonObject(event.call) ? editableJson(event.call) : undefined;
  const callRefs = call ? asArray(call.call_refs) : undefined;
  if (call && callRefs) {
    const key = typeof call.call_key === 'string' ? call.call_key : 'messages';
    const request: Record<string, JsonValue> = isJsonObject(call.request)
      ? { ...call.request }
      : {};
    setOwn(request, key, sliceRanges(callPool, callRefs, budget));
    call.request = request;
    delete call.call_refs;
    delete call.call_key;
  }
}

/**
 * Concatenate pool[start:end) for each [start, end) range, as Python slices them: each bound
 * clamped to the pool (a negative bound counts from its end), so a range costs at most the
 * pool's length whatever numbers it holds (`[[-200000000, 0]]` once walked 200 million
 * places). Ranges may repeat the pool, so what one sample expands is capped as well: pass the
 * sample's one `budget` to every call for it.
 */
export function sliceRanges(
  pool: ReadonlyArray<JsonValue>,
  ranges: ReadonlyArray<JsonValue>,
  budget: ReferenceBudget = referenceBudget(),
): JsonValue[] {
  const bound = (value: number): number =>
    value < 0 ? Math.max(0, pool.length + value) : Math.min(value, pool.length);
  const slices: Array<readonly [number, number]> = [];
  let total = 0;
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length < 2) continue;
    const [start, end] = range as [JsonValue, JsonValue];
    if (!Number.isInteger(start) || !Number.isInteger(end)) continue;
    const from = bound(start as number);
    const to = bound(end as number);
    if (to > from) slices.push([from, to]);
    total += Math.max(0, to - from);
  }
  // Checked before anything is copied, so a refusal costs nothing. One call's input lists each
  // pooled message about once: ranges that repeat the pool many times over are not Inspect's.
  if (total > 2 * pool.length + 1_000) {
    throw new SalvageError(
      'size-limit',
      `A model call refers to ${total} messages of a pool of ${pool.length}; the log is corrupt.`,
    );
  }
  budget.remaining -= total;
  if (budget.remaining < 0) {
    throw new SalvageError(
      'size-limit',
      `A sample refers to its message and call pools more than ${MAX_POOL_REFERENCES} times; the log is corrupt.`,
    );
  }
  const out: JsonValue[] = [];
  for (const [from, to] of slices) for (let i = from; i < to; i++) out.push(pool[i]!);
  return out;
}

/** How many more pool references one sample may expand to. */
export interface ReferenceBudget {
  remaining: number;
}

export function referenceBudget(): ReferenceBudget {
  return { remaining: MAX_POOL_REFERENCES };
}

/** Replace every `attachment://<hash>` (or legacy `tc://<hash>`) string in `value` by the attachment's content. */
export function resolveAttachments(value: JsonValue, attachments: JsonObject): JsonValue {
  return replaceStringsInPlace(value, (text) => {
    const prefix = text.startsWith(ATTACHMENT_PREFIX)
      ? ATTACHMENT_PREFIX
      : text.startsWith(LEGACY_CONTENT_PREFIX)
        ? LEGACY_CONTENT_PREFIX
        : null;
    if (prefix === null) return text;
    // Own members only: `attachment://constructor` names no attachment.
    const content = getOwn(attachments, text.slice(prefix.length));
    return typeof content === 'string' ? content : text;
  });
}

function asArray(value: JsonValue | undefined): ReadonlyArray<JsonValue> | undefined {
  return Array.isArray(value) ? (value as ReadonlyArray<JsonValue>) : undefined;
}
