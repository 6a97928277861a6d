import type { ByteSource } from '../bytes/byteSource.ts';
import { parseInspectJsonBytes, type JsonValue } from '../json/inspectJson.ts';
import { JsonScanner, TOP, type JsonKind, type JsonScanHandler } from '../json/jsonScanner.ts';
import { BlockCache } from './blockCache.ts';
import { MATERIALIZE_READ_BYTES } from './materialize.ts';
import type { SampleIndex } from './sampleIndex.ts';
import type { SpanList } from './spanList.ts';
import { objectMembers, type Member } from './objectMembers.ts';
import { poolSlices } from '../inspect-eval/sampleResolve.ts';

/** Output gathered before it is handed to `write`. */
const FLUSH_BYTES = 1024 * 1024;
/** Raw bytes of a string kept to see whether it is an attachment reference. */
const REFERENCE_PROBE_BYTES = 64;
const ATTACHMENT_PREFIX = 'attachment://';
/** The attachment reference of Inspect logs written before `attachment://` (2024). */
const LEGACY_PREFIX = 'tc://';
const QUOTE = 0x22;

/**
 * Writes an indexed sample as one JSON document with pools and attachments resolved (what
 * readSample returns, pretty-printed like `JSON.stringify(sample, null, 2)`), streaming: strings
 * and numbers are copied from the log's bytes as written, never held whole, so a sample of any
 * size goes out in bounded memory. The result parses to the whole-sample reader's value.
 */
export async function writeResolvedSample(
  index: SampleIndex,
  source: ByteSource,
  write: (chunk: Uint8Array) => Promise<void> | void,
): Promise<void> {
  // Attachments are copied again and again (each model call's input): cached blocks.
  const bytes = new BlockCache(source);
  const out = new Output(bytes, write);
  const transcoder = new Transcoder(index, bytes, out);
  out.open('{');
  const emitted = new Set<string>();
  for (const member of index.members) {
    if (member.role === 'pools') continue;
    // A chunked sample's metadata (its own entry) comes after its messages, as readChunkedSample
    // sets them; its refs are the messages themselves.
    if (
      index.layout === 'chunked' &&
      (member.key === 'message_refs' || member.key === 'metadata')
    ) {
      continue;
    }
    // The 2024 `transcript: {events, content}` is written as Inspect migrates it: `events` (its
    // content, the attachments, is resolved into the text it stood for).
    const key = member.key === 'transcript' && member.role === 'events' ? 'events' : member.key;
    emitted.add(key);
    out.key(key);
    if (member.role === 'messages') await transcoder.list(index.messages, 'messages');
    else if (member.role === 'events') await transcoder.list(index.events, 'events');
    else if (index.layout === 'chunked' && member.key === 'attachments') out.token('{}');
    else await transcoder.value(member.start, member.end, member.role !== 'attachments');
  }
  if (index.layout === 'chunked') {
    // readChunkedSample adds what the shell lacks: messages, metadata, events, attachments {}.
    for (const key of ['messages', 'metadata', 'events', 'attachments']) {
      if (emitted.has(key)) continue;
      out.key(key);
      const metadata = index.members.findLast((member) => member.key === 'metadata');
      if (key === 'messages') await transcoder.list(index.messages, 'messages');
      else if (key === 'events') await transcoder.list(index.events, 'events');
      else if (key === 'metadata' && metadata)
        await transcoder.value(metadata.start, metadata.end, true);
      else out.token('{}');
    }
  }
  out.close('}');
  await out.flush(true);
}

/**
 * Pretty JSON output as JSON.stringify(value, null, 2) lays it out, in UTF-8: the log's byte
 * ranges go out as they are (never decoded to text and encoded again).
 */
class Output {
  private readonly bytes: ByteSource;
  private readonly write: (chunk: Uint8Array) => Promise<void> | void;
  /** Text, a byte range of the log to copy, or an attachment to copy in place of a reference. */
  private pending: Array<string | [number, number] | Attachment> = [];
  private pendingBytes = 0;
  /** Per open container: how many members it has so far. */
  private readonly counts: number[] = [];
  private afterKey = false;
  private readonly encoder = new TextEncoder();

  constructor(bytes: ByteSource, write: (chunk: Uint8Array) => Promise<void> | void) {
    this.bytes = bytes;
    this.write = write;
  }

  key(name: string): void {
    this.separate();
    this.text(`${JSON.stringify(name)}: `);
    this.afterKey = true;
  }

  open(bracket: '{' | '['): void {
    this.separate();
    this.text(bracket);
    this.counts.push(0);
  }

  close(bracket: '}' | ']'): void {
    const count = this.counts.pop()!;
    this.text(count === 0 ? bracket : `\n${'  '.repeat(this.counts.length)}${bracket}`);
  }

  token(text: string): void {
    this.separate();
    this.text(text);
  }

  /** A value whose text is the log's bytes [start, end) (a string or number token). */
  range(start: number, end: number): void {
    this.separate();
    this.pending.push([start, end]);
    this.pendingBytes += Math.min(end - start, FLUSH_BYTES);
  }

  /**
   * An attachment's text [start, end) in place of its reference [refStart, refEnd): copied if it
   * is a string, else the reference stays (as resolveAttachments leaves it).
   */
  attachment(start: number, end: number, refStart: number, refEnd: number): void {
    this.separate();
    this.pending.push({ start, end, refStart, refEnd });
    this.pendingBytes += Math.min(end - start, FLUSH_BYTES);
  }

  /** Hand what is gathered to `write` (always when `force`, else past the flush size). */
  async flush(force = false): Promise<void> {
    if (!force && this.pendingBytes < FLUSH_BYTES) return;
    const parts = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const chunks: Uint8Array[] = [];
    let size = 0;
    let text = '';
    const emit = async (): Promise<void> => {
      if (text.length > 0) {
        const encoded = this.encoder.encode(text);
        chunks.push(encoded);
        size += encoded.length;
        text = '';
      }
      if (size < FLUSH_BYTES) return;
      await this.write(joinChunks(chunks, size));
      chunks.length = 0;
      size = 0;
    };
    for (const part of parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      let [from, to] = Array.isArray(part) ? part : [part.start, part.end];
      if (!Array.isArray(part) && (await this.bytes.read(part.start, 1))[0] !== QUOTE) {
        [from, to] = [part.refStart, part.refEnd];
      }
      for (let at = from; at < to; at += MATERIALIZE_READ_BYTES) {
        await emit();
        const range = await this.bytes.read(at, Math.min(MATERIALIZE_READ_BYTES, to - at));
        chunks.push(range);
        size += range.length;
      }
    }
    await emit();
    if (size > 0) await this.write(joinChunks(chunks, size));
  }

  /** The comma, newline and indentation before a value (none after a key). */
  private separate(): void {
    if (this.afterKey) {
      this.afterKey = false;
      return;
    }
    const depth = this.counts.length;
    if (depth === 0) return;
    const first = this.counts[depth - 1] === 0;
    this.counts[depth - 1]! += 1;
    this.text(`${first ? '' : ','}\n${'  '.repeat(depth)}`);
  }

  private text(text: string): void {
    this.pending.push(text);
    this.pendingBytes += text.length;
  }
}

/** Copies JSON values from the log to the output, resolving attachment references on the way. */
class Transcoder {
  private readonly index: SampleIndex;
  private readonly bytes: ByteSource;
  private readonly out: Output;

  constructor(index: SampleIndex, bytes: ByteSource, out: Output) {
    this.index = index;
    this.bytes = bytes;
    this.out = out;
  }

  /** The messages or events, each resolved. */
  async list(spans: SpanList, kind: 'messages' | 'events'): Promise<void> {
    this.out.open('[');
    for (let item = 0; item < spans.count; item++) {
      if (kind === 'events') await this.event(item);
      else await this.value(spans.start(item), spans.end(item), true);
      await this.out.flush();
    }
    this.out.close(']');
  }

  /**
   * One event. A model event's pools are put back (resolveSample's expandEventPools: `input`
   * from `input_refs`, the call's request messages from `call_refs`); a chunked event gets its
   * uuid back in first place (readChunkedSample). Other events are copied as they are.
   */
  private async event(item: number): Promise<void> {
    const index = this.index;
    const start = index.events.start(item);
    const end = index.events.end(item);
    // Only a string uuid goes back in (readChunkedSample skips the nulls of uuids.json).
    const uuids = index.uuids;
    const uuid =
      uuids && item < uuids.count && (await this.bytes.read(uuids.start(item), 1))[0] === QUOTE
        ? item
        : -1;
    const model = index.kinds[index.eventKinds.get(item)] === 'model';
    if (!model && uuid < 0) return this.value(start, end, true);
    const members = await objectMembers(this.bytes, start, end);
    if (members === null) return this.value(start, end, true);
    const parse = async (member: Member | undefined): Promise<JsonValue | undefined> =>
      member
        ? parseInspectJsonBytes(
            await this.bytes.read(member.start, member.end - member.start),
            'An event',
          )
        : undefined;
    const inputRefs = model ? await parse(members.get('input_refs')) : undefined;
    const call = model ? members.get('call') : undefined;
    const callMembers = call ? await objectMembers(this.bytes, call.start, call.end) : null;
    const callRefs = await parse(callMembers?.get('call_refs'));
    const expandCall = callMembers !== null && Array.isArray(callRefs);
    this.out.open('{');
    if (uuid >= 0) {
      this.out.key('uuid');
      const own = members.get('uuid');
      const spans = this.index.uuids!;
      await (own
        ? this.value(own.start, own.end, true)
        : this.value(spans.start(uuid), spans.end(uuid), true));
    }
    for (const member of members.values()) {
      if (uuid >= 0 && member.key === 'uuid') continue;
      if (Array.isArray(inputRefs) && member.key === 'input_refs') continue;
      this.out.key(member.key);
      if (Array.isArray(inputRefs) && member.key === 'input')
        await this.pool(this.index.poolMessages, inputRefs);
      else if (expandCall && member.key === 'call')
        await this.call(callMembers, callRefs as JsonValue[]);
      else await this.value(member.start, member.end, true);
    }
    if (Array.isArray(inputRefs) && !members.has('input')) {
      this.out.key('input');
      await this.pool(this.index.poolMessages, inputRefs);
    }
    this.out.close('}');
  }

  private async call(members: Map<string, Member>, callRefs: JsonValue[]): Promise<void> {
    const keyMember = members.get('call_key');
    const callKey = keyMember
      ? parseInspectJsonBytes(
          await this.bytes.read(keyMember.start, keyMember.end - keyMember.start),
          'An event',
        )
      : undefined;
    const key = typeof callKey === 'string' ? callKey : 'messages';
    const request = members.get('request');
    const requestMembers = request
      ? await objectMembers(this.bytes, request.start, request.end)
      : null;
    const writeRequest = async (): Promise<void> => {
      this.out.open('{');
      for (const member of requestMembers?.values() ?? []) {
        this.out.key(member.key);
        if (member.key === key) await this.pool(this.index.poolCalls, callRefs);
        else await this.value(member.start, member.end, true);
      }
      if (!requestMembers?.has(key)) {
        this.out.key(key);
        await this.pool(this.index.poolCalls, callRefs);
      }
      this.out.close('}');
    };
    this.out.open('{');
    for (const member of members.values()) {
      if (member.key === 'call_refs' || member.key === 'call_key') continue;
      this.out.key(member.key);
      if (member.key === 'request') await writeRequest();
      else await this.value(member.start, member.end, true);
    }
    if (!request) {
      this.out.key('request');
      await writeRequest();
    }
    this.out.close('}');
  }

  /** pool[start:end) for each range, read as every reader reads them (poolSlices). */
  private async pool(pool: SpanList, ranges: ReadonlyArray<JsonValue>): Promise<void> {
    this.out.open('[');
    for (const [from, to] of poolSlices(pool.count, ranges)) {
      for (let i = from; i < to; i++) {
        await this.value(pool.start(i), pool.end(i), true);
        await this.out.flush();
      }
    }
    this.out.close(']');
  }

  /** The value at [start, end), attachment references resolved when `resolve`. */
  async value(start: number, end: number, resolve: boolean): Promise<void> {
    const copier = new Copier(this.out, resolve ? this.index : null);
    const scanner = new JsonScanner(copier, { base: start, what: 'The sample' });
    copier.scanner = scanner;
    for (let position = start; position < end; position += MATERIALIZE_READ_BYTES) {
      scanner.push(
        await this.bytes.read(position, Math.min(MATERIALIZE_READ_BYTES, end - position)),
      );
      await this.out.flush();
    }
    scanner.finish();
  }
}

/** The scanner's handler that re-emits what it scans, strings and numbers by byte range. */
class Copier implements JsonScanHandler {
  scanner!: JsonScanner;
  private readonly out: Output;
  private readonly index: SampleIndex | null;
  private readonly objects: boolean[] = [];

  constructor(out: Output, index: SampleIndex | null) {
    this.out = out;
    this.index = index;
  }

  enter(parentRole: number, key: string | null, _index: number, kind: JsonKind): number {
    if (parentRole !== TOP && this.objects.at(-1)) this.out.key(key!);
    if (kind === 'object' || kind === 'array') {
      this.out.open(kind === 'object' ? '{' : '[');
      this.objects.push(kind === 'object');
      return 1;
    }
    this.scanner.stringCaptureBytes = REFERENCE_PROBE_BYTES;
    return 1;
  }

  leave(
    _role: number,
    _parentRole: number,
    _key: string | null,
    _index: number,
    start: number,
    end: number,
    text: string | null,
    complete: boolean,
  ): void {
    if (text === null) {
      this.out.close(this.objects.pop() ? '}' : ']');
      return;
    }
    const index = this.index;
    const key = text.startsWith(ATTACHMENT_PREFIX)
      ? text.slice(ATTACHMENT_PREFIX.length)
      : text.startsWith(LEGACY_PREFIX)
        ? text.slice(LEGACY_PREFIX.length)
        : null;
    if (index !== null && complete && key !== null) {
      const attachment = index.attachments.get(key);
      if (attachment !== undefined) {
        // Copied as written if it is a string; a non-string attachment leaves the reference.
        this.out.attachment(
          index.attachmentSpans.start(attachment),
          index.attachmentSpans.end(attachment),
          start,
          end,
        );
        return;
      }
    }
    this.out.range(start, end);
  }
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

interface Attachment {
  readonly start: number;
  readonly end: number;
  readonly refStart: number;
  readonly refEnd: number;
}
