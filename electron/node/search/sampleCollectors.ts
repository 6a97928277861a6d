import type { ByteSource } from '../../../shared/formats/bytes/byteSource.ts';
import {
  isJsonObject,
  parseInspectJsonBytes,
  type JsonObject,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import { BlockCache } from '../../../shared/formats/sample/blockCache.ts';
import { materializeRange, type TextLimits } from '../../../shared/formats/sample/materialize.ts';
import type { SampleIndex } from '../../../shared/formats/sample/sampleIndex.ts';
import {
  eventHasText,
  indexableText,
  MAX_PLACE_CHARS,
  MAX_STRING_CHARS,
  SampleTexts,
  TEXT_FIELDS,
  textDigest,
} from '../../../shared/search/sampleTexts.ts';
import type { SegmentWriter } from './searchStore.ts';

/**
 * A sample's text handed to the index, from either form a sample is read in: parsed whole (a
 * small sample, a verifiers rollout), or indexed by the paged reader (`SampleIndex`: byte ranges
 * of each message, event, field and attachment) and read item by item, so that a sample of
 * several GB never has to be in memory. Both hand the same parts to `SampleTexts` in the same
 * order: messages, events, fields, then the attachments the places referred to.
 */

/** A sample parsed whole, as written (attachments still references, pools not expanded). */
export function collectParsed(sample: JsonObject, writer: SegmentWriter): void {
  // The 2024 shape: `transcript: {events, content}` holds the events and the attachments.
  const transcript = isJsonObject(sample.transcript) ? sample.transcript : undefined;
  const attachments = isJsonObject(sample.attachments)
    ? sample.attachments
    : isJsonObject(transcript?.content)
      ? transcript.content
      : {};
  const texts = new SampleTexts(writer, (key) => {
    const text = attachments[key];
    return typeof text === 'string' ? textDigest(indexableText(text)) : undefined;
  });
  listOf(sample.messages).forEach((message, index) => texts.message(index, message));
  const events = Array.isArray(sample.events) ? sample.events : transcript?.events;
  listOf(events).forEach((event, index) => texts.event(index, event));
  for (const [key, value] of Object.entries(sample)) texts.field(key, value);
  for (const key of writer.referencedAttachments()) {
    const text = attachments[key];
    if (typeof text === 'string') writer.attachmentText(key, text);
  }
}

/** Items up to this size are parsed whole; larger ones are read with their strings cut. */
const PARSE_ITEM_BYTES = 1024 * 1024;
/** What of a large item is kept: each string to the index's cap, the item to the place's. */
const ITEM_LIMITS: TextLimits = { maxStringChars: MAX_STRING_CHARS, previewChars: 256 };

/**
 * A sample indexed by the paged reader, read one item at a time. `afterItem` runs after each
 * message and event (where a long sample commits its batch and lets other work in).
 */
export async function collectIndexed(
  index: SampleIndex,
  bytes: ByteSource,
  writer: SegmentWriter,
  afterItem: () => Promise<void>,
): Promise<void> {
  const source = new BlockCache(bytes);
  const spans = index.attachmentSpans;
  const attachmentText = (key: string, at: number) =>
    readItem(source, spans.start(at), spans.end(at), `Attachment ${key}`);
  // Each attachment's digest first (its first characters, as indexed), so that references to
  // texts already seen are dropped as in a sample parsed whole.
  const digests = new Map<string, number>();
  for (const [key, at] of index.attachments) {
    const text = await attachmentText(key, at);
    if (typeof text === 'string') digests.set(key, textDigest(indexableText(text)));
  }
  const texts = new SampleTexts(writer, (key) => digests.get(key));
  const messages = index.messages;
  for (let at = 0; at < messages.count; at++) {
    texts.message(
      at,
      await readItem(source, messages.start(at), messages.end(at), `Message ${at + 1}`),
    );
    await afterItem();
  }
  const events = index.events;
  for (let at = 0; at < events.count; at++) {
    if (!eventHasText(index.kinds[index.eventKinds.get(at)] ?? '')) continue;
    texts.event(at, await readItem(source, events.start(at), events.end(at), `Event ${at + 1}`));
    await afterItem();
  }
  for (const member of index.members) {
    if (member.role !== 'field' || !TEXT_FIELDS.has(member.key)) continue;
    texts.field(
      member.key,
      await readItem(source, member.start, member.end, `Field "${member.key}"`),
    );
  }
  for (const key of writer.referencedAttachments()) {
    const at = index.attachments.get(key);
    const text = at === undefined ? undefined : await attachmentText(key, at);
    if (typeof text === 'string') writer.attachmentText(key, text);
  }
}

async function readItem(
  source: ByteSource,
  start: number,
  end: number,
  what: string,
): Promise<JsonValue> {
  if (end - start <= PARSE_ITEM_BYTES)
    return parseInspectJsonBytes(await source.read(start, end - start), what);
  const budget = { remaining: MAX_PLACE_CHARS };
  return (await materializeRange(source, start, end, ITEM_LIMITS, budget, what)).value;
}

function listOf(value: JsonValue | undefined): ReadonlyArray<JsonValue> {
  return Array.isArray(value) ? (value as ReadonlyArray<JsonValue>) : [];
}
