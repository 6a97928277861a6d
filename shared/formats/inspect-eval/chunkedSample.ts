import { asJsonArray, asJsonObject, isJsonObject, type JsonValue } from '../json/inspectJson.ts';
import type { ZipDirectory, ZipEntry } from '../zip/zipEntry.ts';
import type { Sample } from '../../model/log.ts';
import { SalvageError } from '../../util/errors.ts';
import { journalIndex } from './entryNames.ts';
import { resolveAttachments, resolveSample, sliceRanges } from './sampleResolve.ts';

/**
 * Reassemble a sample stored in the chunked layout (`inspect log convert-chunked`):
 *
 *   <folder>sample.json        the sample without messages, events, metadata and attachments;
 *                              `message_refs` ranges into the message pool give its messages
 *   <folder>metadata.json      the sample's metadata
 *   <folder>messages/<n>.json  the message pool, in chunks named by their first index
 *   <folder>events/<n>.json    the events, likewise; events/uuids.json their uuids by position
 *   <folder>calls/<n>.json     the call pool (`call_refs` of model events)
 *   <folder>attachments/<n>.json  attachment texts; referenced as `attachment://<index>`
 *
 * skeleton.json and events/stats.json are navigation aids for paged viewing and add no content.
 */
export async function readChunkedSample(
  directory: ZipDirectory,
  folder: string,
  readJson: (entry: ZipEntry) => Promise<JsonValue>,
): Promise<Sample> {
  const shellEntry = directory.byName.get(`${folder}sample.json`);
  if (!shellEntry) {
    throw new SalvageError('entry-not-found', `The chunked sample has no "${folder}sample.json".`);
  }
  const sample: Record<string, JsonValue> = {
    ...asJsonObject(await readJson(shellEntry), shellEntry.name),
  };
  const part = async (name: string): Promise<JsonValue | undefined> => {
    const entry = directory.byName.get(`${folder}${name}`);
    return entry ? readJson(entry) : undefined;
  };
  const chunks = async (prefix: string): Promise<JsonValue[]> => {
    const numbered: Array<{ index: number; entry: ZipEntry }> = [];
    for (const [name, entry] of directory.byName) {
      const index = journalIndex(name, `${folder}${prefix}`);
      if (index !== null) numbered.push({ index, entry });
    }
    numbered.sort((a, b) => a.index - b.index);
    const items: JsonValue[] = [];
    // One push per item: push(...chunk) passes every item as an argument, and 130,000 overflow the stack.
    for (const { entry } of numbered)
      for (const item of asJsonArray(await readJson(entry), entry.name)) items.push(item);
    return items;
  };

  const messagePool = await chunks('messages/');
  const events = await chunks('events/');
  const uuids = await part('events/uuids.json');
  if (Array.isArray(uuids)) {
    events.forEach((event, position) => {
      const uuid = (uuids as JsonValue[])[position];
      if (typeof uuid === 'string' && isJsonObject(event)) events[position] = { uuid, ...event };
    });
  }
  const messageRefs = sample.message_refs;
  sample.messages = Array.isArray(messageRefs)
    ? sliceRanges(messagePool, messageRefs as JsonValue[])
    : messagePool;
  delete sample.message_refs;
  sample.metadata = (await part('metadata.json')) ?? {};
  sample.events = events;
  sample.events_data = { messages: messagePool, calls: await chunks('calls/') };

  // Attachments are referenced by position here; resolve them before the pools are expanded.
  const attachmentList = await chunks('attachments/');
  const attachments = Object.fromEntries(
    attachmentList.map((text, index) => [String(index), text]),
  );
  for (const key of Object.keys(sample))
    sample[key] = resolveAttachments(sample[key]!, attachments);
  sample.attachments = {};
  return resolveSample(sample);
}
