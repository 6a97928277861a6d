// Mutations for the fuzz harness: bytes (flips, truncations, insertions, duplicated and
// overlapping ranges, invalid UTF-8), zip structure (declared sizes up to 2^64, duplicated and
// overlapping entries, methods, end records), zstd frames (block headers, many empty frames) and
// JSON trees (deep nesting, wide arrays, NaN and big integers, prototype keys, the parser's own
// markers, out-of-range pool references).
import zlib from 'node:zlib';
import {
  isJsonObject,
  parseInspectJson,
  stringifyInspectJson,
  type JsonValue,
} from '../../shared/formats/json/inspectJson.ts';
import type { Random } from './random.ts';

const encoder = new TextEncoder();

export function concat(parts: ReadonlyArray<Uint8Array>): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Values that break size and offset fields: 0, one-offs, sign bits, saturated ZIP64 markers. */
const INTERESTING_32 = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xfffffffe, 0xffffffff,
];
const INTERESTING_64 = [
  0n,
  1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** Plain byte mutations, any input. */
export function mutateBytes(
  random: Random,
  input: Uint8Array,
  others: ReadonlyArray<Uint8Array>,
): Uint8Array {
  const bytes = input.slice();
  if (bytes.length === 0) return encoder.encode('{');
  const at = () => random.below(bytes.length);
  switch (random.below(11)) {
    case 0: {
      for (let n = random.smallSize(16); n > 0; n--) bytes[at()]! ^= 1 << random.below(8);
      return bytes;
    }
    case 1: {
      for (let n = random.smallSize(8); n > 0; n--) bytes[at()] = random.below(256);
      return bytes;
    }
    case 2: {
      const view = new DataView(bytes.buffer);
      const offset = at();
      const value = random.pick(INTERESTING_32);
      if (offset + 4 <= bytes.length) view.setUint32(offset, value, true);
      else if (offset + 2 <= bytes.length) view.setUint16(offset, value & 0xffff, true);
      return bytes;
    }
    case 3: {
      const view = new DataView(bytes.buffer);
      const offset = at();
      if (offset + 8 <= bytes.length) view.setBigUint64(offset, random.pick(INTERESTING_64), true);
      return bytes;
    }
    case 4:
      return bytes.subarray(0, at());
    case 5: {
      const offset = at();
      const length = random.smallSize(4096);
      const inserted = new Uint8Array(length).map(() => random.below(256));
      return concat([bytes.subarray(0, offset), inserted, bytes.subarray(offset)]);
    }
    case 6: {
      const offset = at();
      return concat([bytes.subarray(0, offset), bytes.subarray(offset + random.smallSize(4096))]);
    }
    case 7: {
      // A range copied over another place (overlapping structures).
      const from = at();
      const length = Math.min(random.smallSize(8192), bytes.length - from);
      const to = at();
      const copy = bytes.slice(from, from + length);
      bytes.set(copy.subarray(0, Math.max(0, bytes.length - to)), to);
      return bytes;
    }
    case 8: {
      // A range repeated (duplicated structures).
      const from = at();
      const length = Math.min(random.smallSize(8192), bytes.length - from);
      const copies = random.smallSize(16);
      const range = bytes.subarray(from, from + length);
      return concat([
        bytes.subarray(0, from + length),
        ...Array.from({ length: copies }, () => range),
        bytes.subarray(from + length),
      ]);
    }
    case 9: {
      // Invalid UTF-8: stray continuation bytes, overlong forms, encoded surrogates, 0xFF.
      const bad = random.pick([
        [0x80],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xff],
        [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82],
      ]);
      const offset = at();
      return concat([bytes.subarray(0, offset), Uint8Array.from(bad), bytes.subarray(offset)]);
    }
    default: {
      // Spliced: this input's head with another's tail.
      const other = others.length > 0 ? random.pick(others) : bytes;
      return concat([bytes.subarray(0, at()), other.subarray(random.below(other.length))]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Zip structure.

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;

function signatures(bytes: Uint8Array, signature: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++)
    if (view.getUint32(i, true) === signature) found.push(i);
  return found;
}

/** Mutations that know where a zip keeps its sizes, offsets, names and methods. */
export function mutateZip(random: Random, input: Uint8Array): Uint8Array {
  try {
    return mutateZipFields(random, input);
  } catch (error) {
    // A record too near the end for its fields: this mutation does not apply.
    if (error instanceof RangeError) return input;
    throw error;
  }
}

function mutateZipFields(random: Random, input: Uint8Array): Uint8Array {
  const bytes = input.slice();
  const view = new DataView(bytes.buffer);
  const centrals = signatures(bytes, CENTRAL);
  const locals = signatures(bytes, LOCAL);
  const ends = [...signatures(bytes, EOCD), ...signatures(bytes, ZIP64_EOCD)];
  const u32 = (at: number, value: number) =>
    at + 4 <= bytes.length && view.setUint32(at, value >>> 0, true);
  const u16 = (at: number, value: number) =>
    at + 2 <= bytes.length && view.setUint16(at, value & 0xffff, true);
  const u64 = (at: number, value: bigint) =>
    at + 8 <= bytes.length && view.setBigUint64(at, value, true);
  switch (random.below(9)) {
    case 0: {
      // A declared size or offset of a central record (compressed 20, uncompressed 24, offset 42).
      const record = random.pick(centrals.length ? centrals : [0]);
      u32(record + random.pick([20, 24, 42, 16]), random.pick(INTERESTING_32));
      return bytes;
    }
    case 1: {
      // Saturate a field and give a ZIP64 extra with a value up to 2^64: rewrite a record's extra.
      const record = random.pick(centrals.length ? centrals : [0]);
      if (record + 46 > bytes.length) return bytes;
      const nameLength = view.getUint16(record + 28, true);
      const extraLength = view.getUint16(record + 30, true);
      const extraAt = record + 46 + nameLength;
      for (const field of [24, 20, 42]) if (random.chance(0.6)) u32(record + field, 0xffffffff);
      if (extraLength >= 12) {
        u16(extraAt, 1);
        u16(extraAt + 2, extraLength - 4);
        for (let at = extraAt + 4; at + 8 <= extraAt + extraLength; at += 8)
          u64(at, random.pick(INTERESTING_64));
      } else {
        // No room: insert a ZIP64 extra.
        const extra = new Uint8Array(28);
        const extraView = new DataView(extra.buffer);
        extraView.setUint16(0, 1, true);
        extraView.setUint16(2, 24, true);
        for (let at = 4; at < 28; at += 8)
          extraView.setBigUint64(at, random.pick(INTERESTING_64), true);
        u16(record + 30, extraLength + 28);
        return concat([bytes.subarray(0, extraAt), extra, bytes.subarray(extraAt)]);
      }
      return bytes;
    }
    case 2: {
      // Local header sizes, name and extra lengths, method.
      const header = random.pick(locals.length ? locals : [0]);
      const field = random.pick([18, 22, 26, 28, 8, 6]);
      if (field === 8 || field === 6 || field === 26 || field === 28)
        u16(header + field, random.pick(INTERESTING_32));
      else u32(header + field, random.pick(INTERESTING_32));
      return bytes;
    }
    case 3: {
      // A method Salvage does not decode, or another one it does.
      const record = random.pick(centrals.length ? centrals : [0]);
      u16(record + 10, random.pick([0, 8, 93, 12, 14, 99, 0xffff]));
      return bytes;
    }
    case 4: {
      // The end record's counts, directory size and offset, comment length.
      const end = random.pick(ends.length ? ends : [0]);
      const zip64 = view.getUint32(end, true) === ZIP64_EOCD;
      if (zip64) u64(end + random.pick([24, 32, 40, 48]), random.pick(INTERESTING_64));
      else if (random.chance(0.5)) u16(end + random.pick([8, 10, 20]), random.pick(INTERESTING_32));
      else u32(end + random.pick([12, 16]), random.pick(INTERESTING_32));
      return bytes;
    }
    case 5: {
      // Two central records pointing at one local header (overlapping entries).
      if (centrals.length < 2) return bytes;
      const a = random.pick(centrals);
      const b = random.pick(centrals);
      u32(b + 42, view.getUint32(a + 42, true));
      return bytes;
    }
    case 6: {
      // A central record duplicated (duplicate names), the end record's count kept or raised.
      if (centrals.length === 0 || ends.length === 0) return bytes;
      const record = random.pick(centrals);
      const length =
        46 +
        view.getUint16(record + 28, true) +
        view.getUint16(record + 30, true) +
        view.getUint16(record + 32, true);
      const copies = random.smallSize(64);
      const copy = bytes.slice(record, record + length);
      const out = concat([
        bytes.subarray(0, record),
        ...Array.from({ length: copies + 1 }, () => copy),
        bytes.subarray(record + length),
      ]);
      const outView = new DataView(out.buffer);
      for (const end of signatures(out, EOCD)) {
        if (end + 22 > out.length) continue;
        outView.setUint16(end + 8, outView.getUint16(end + 8, true) + copies, true);
        outView.setUint16(end + 10, outView.getUint16(end + 10, true) + copies, true);
        outView.setUint32(end + 12, outView.getUint32(end + 12, true) + copies * length, true);
      }
      return out;
    }
    case 7: {
      // The archive cut before, inside or after its central directory.
      const cut = random.pick([
        centrals[0] ?? 0,
        ...(centrals.length ? [random.pick(centrals) + random.below(46)] : []),
        random.below(bytes.length),
      ]);
      return bytes.subarray(0, cut);
    }
    default: {
      // A name byte changed: paths with '..', '/', NUL, or invalid UTF-8.
      const record = random.pick(centrals.length ? centrals : [0]);
      const nameLength = view.getUint16(record + 28, true);
      if (nameLength === 0 || record + 46 + nameLength > bytes.length) return bytes;
      bytes[record + 46 + random.below(nameLength)] = random.pick([
        0x2e, 0x2f, 0x00, 0xff, 0x5c, 0x80,
      ]);
      return bytes;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Zstd frames.

/** Mutations of a zstd stream: block headers, frame descriptors, many empty or tiny frames, bombs. */
export function mutateZstd(random: Random, input: Uint8Array): Uint8Array {
  const frames = signatures(input, 0xfd2fb528);
  const bytes = input.slice();
  switch (random.below(6)) {
    case 0: {
      // The frame header descriptor (content size flag, single segment, checksum, dictionary id).
      const frame = random.pick(frames.length ? frames : [0]);
      if (frame + 4 < bytes.length) bytes[frame + 4] = random.below(256);
      return bytes;
    }
    case 1: {
      // A block header right after a frame header: type, size, last flag.
      const frame = random.pick(frames.length ? frames : [0]);
      const at = frame + 4 + 1 + random.below(10);
      if (at + 3 <= bytes.length) {
        const value = random.below(1 << 24);
        bytes[at] = value & 0xff;
        bytes[at + 1] = (value >> 8) & 0xff;
        bytes[at + 2] = value >> 16;
      }
      return bytes;
    }
    case 2: {
      // Many empty frames before, between or after the content.
      const empty = zlib.zstdCompressSync(Buffer.alloc(0));
      const count = random.smallSize(100_000);
      const run = concat(Array(count).fill(new Uint8Array(empty)));
      const at = random.pick([0, bytes.length, random.pick(frames.length ? frames : [0])]);
      return concat([bytes.subarray(0, at), run, bytes.subarray(at)]);
    }
    case 3: {
      // Many tiny frames: the content re-framed every few bytes.
      const content = safeZstdDecode(bytes);
      if (!content) return bytes;
      const step = random.smallSize(64);
      const parts: Uint8Array[] = [];
      // Frames written by hand (one raw block each, no compressor: making 60,000 with one took
      // seconds), and some few compressed ones among them.
      for (let i = 0; i < content.length && parts.length < 60_000; i += step) {
        const piece = content.subarray(i, i + step);
        parts.push(
          random.chance(0.01) ? new Uint8Array(zlib.zstdCompressSync(piece)) : rawFrame(piece),
        );
      }
      return concat(parts);
    }
    case 4: {
      // A skippable frame with a size field up to 2^32 - 1.
      const skippable = new Uint8Array(8 + random.below(64));
      const view = new DataView(skippable.buffer);
      view.setUint32(0, 0x184d2a50 + random.below(16), true);
      view.setUint32(
        4,
        random.chance(0.5) ? skippable.length - 8 : random.pick(INTERESTING_32),
        true,
      );
      const at = random.pick([0, bytes.length, random.pick(frames.length ? frames : [0])]);
      return concat([bytes.subarray(0, at), skippable, bytes.subarray(at)]);
    }
    default:
      return mutateBytes(random, bytes, [bytes]);
  }
}

/** A zstd frame holding `content` (at most 255 bytes) in one raw block, its size declared. */
function rawFrame(content: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + 1 + 1 + 3 + content.length);
  new DataView(frame.buffer).setUint32(0, 0xfd2fb528, true);
  frame[4] = 0x20; // single segment, a one-byte content size
  frame[5] = content.length;
  const block = (content.length << 3) | 1; // raw, last
  frame[6] = block & 0xff;
  frame[7] = (block >> 8) & 0xff;
  frame[8] = block >> 16;
  frame.set(content, 9);
  return frame;
}

function safeZstdDecode(bytes: Uint8Array): Uint8Array | null {
  try {
    return new Uint8Array(zlib.zstdDecompressSync(bytes, { maxOutputLength: 8 * 1024 * 1024 }));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON trees.

/** Keys that name things Salvage reads specially, and keys that are Object.prototype's. */
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'prototype',
  'then',
];
const SPECIAL_KEYS = [
  'id',
  'epoch',
  'input_refs',
  'call_refs',
  'message_refs',
  'call_key',
  'segments',
  'metadata_hash',
  'model_usage',
  'role_usage',
  'scores',
  'value',
  'events',
  'events_data',
  'attachments',
  'messages',
  'status',
  'eval',
  'results',
  'stats',
  'summary',
  'samples',
  'content',
  'total_tokens',
  'metrics',
  'reward',
  'rewards',
  'timing',
  'sample_id',
  'example_id',
  'event',
  'data',
  'hash',
  'completed_at',
];

/** A deep value: arrays or objects nested `levels` times. */
function deep(random: Random, levels: number): JsonValue {
  let value: JsonValue = random.pick([null, 1, 'x', Number.NaN, 12345678901234567890n]);
  const objects = random.chance(0.5);
  for (let i = 0; i < levels; i++) value = objects ? { a: value } : [value];
  return value;
}

/** A value chosen to break something. */
export function hostileValue(random: Random, depth = 0): JsonValue {
  switch (random.below(16)) {
    case 0:
      return deep(random, random.pick([100, 3_000, 9_990, 10_010, 100_000]));
    case 1:
      return random.pick([Number.NaN, Infinity, -Infinity]);
    case 2:
      return random.pick([12345678901234567890n, -(2n ** 70n), 2n ** 53n + 1n, 9007199254740993n]);
    case 3:
      return random.pick([-0, 1e308, 5e-324, 0.1234567890123456, -1, 2 ** 31, 2 ** 32, 1.5]);
    case 4:
      return random.pick([
        '\u0000salvage-number:Infinity',
        '\u0000salvage-number:0',
        '\u0000\u0000x',
        '\u0000',
      ]);
    case 5:
      return random.pick([
        'attachment://',
        'attachment://missing',
        'tc://x',
        'attachment://__proto__',
        'attachment://constructor',
      ]);
    case 6:
      // Pool ranges out of bounds, reversed, fractional, huge, many.
      return random.pick<JsonValue>([
        [[-200_000_000, 0]],
        [[0, 1e15]],
        [[5, 2]],
        [[1.5, 3]],
        [['0', '2']],
        Array.from({ length: random.smallSize(20_000) }, () => [0, 1_000_000]),
      ]);
    case 7:
      // Wide: an array of many items.
      return Array.from({ length: random.pick([1_000, 70_000, 150_000]) }, (_, i) => i);
    case 8: {
      // An object with hostile keys (valueOf and toString that are not functions).
      const object: Record<string, JsonValue> = {};
      for (const key of HOSTILE_KEYS)
        if (random.chance(0.5))
          Object.defineProperty(object, key, {
            value: depth < 2 ? hostileValue(random, depth + 1) : 1,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      return object;
    }
    case 9:
      return random.pick([
        '',
        ' ',
        '..',
        '../../../../etc/passwd',
        '/etc/passwd',
        'a/b',
        '\\..\\x',
        'x'.repeat(5000),
        '\u2028',
        '\ud800',
        'é',
      ]);
    case 10:
      return random.pick<JsonValue>([null, true, false, [], {}]);
    case 11:
      return random.pick([0, 1, 2, 100, 2 ** 53, -(2 ** 31)]);
    case 12:
      return { valueOf: 1, toString: 2 };
    case 13:
      return '2026-11-24T00:00:00+00:00';
    case 14:
      return random.chance(0.5)
        ? [hostileValue(random, depth + 1)]
        : { [random.pick(SPECIAL_KEYS)]: depth < 3 ? hostileValue(random, depth + 1) : 0 };
    default:
      return 'x'.repeat(random.smallSize(100_000));
  }
}

interface Slot {
  readonly holder: Record<string, JsonValue> | JsonValue[];
  readonly key: string | number;
}

/** Up to `limit` places in a tree (reservoir-sampled over an iterative walk). */
function slots(random: Random, root: JsonValue, limit = 64, visitLimit = 50_000): Slot[] {
  const chosen: Slot[] = [];
  let seen = 0;
  const pending: JsonValue[] = [root];
  while (pending.length > 0 && seen < visitLimit) {
    const value = pending.pop()!;
    const entries: Array<[string | number, JsonValue]> = Array.isArray(value)
      ? (value as JsonValue[]).map((item, index) => [index, item])
      : isJsonObject(value)
        ? Object.entries(value)
        : [];
    for (const [key, item] of entries) {
      seen++;
      const slot = { holder: value as Slot['holder'], key };
      if (chosen.length < limit) chosen.push(slot);
      else {
        const at = random.below(seen);
        if (at < limit) chosen[at] = slot;
      }
      if (typeof item === 'object' && item !== null) pending.push(item);
    }
  }
  return chosen;
}

function setSlot(slot: Slot, value: JsonValue): void {
  if (Array.isArray(slot.holder)) slot.holder[slot.key as number] = value;
  else
    Object.defineProperty(slot.holder, slot.key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

/** Mutations of a JSON value: a member replaced, renamed, duplicated or removed; keys Salvage reads set to hostile values. */
export function mutateTree(random: Random, value: JsonValue): JsonValue {
  const root: JsonValue = value;
  const places = slots(random, root);
  if (places.length === 0) return hostileValue(random);
  for (let n = random.smallSize(4); n > 0; n--) {
    const slot = random.pick(places);
    const holder = slot.holder as Record<string, JsonValue>;
    switch (random.below(6)) {
      case 0:
        setSlot(slot, hostileValue(random));
        break;
      case 1:
        if (!Array.isArray(slot.holder)) {
          // A member renamed to a hostile key.
          const item = holder[slot.key as string]!;
          delete holder[slot.key as string];
          Object.defineProperty(holder, random.pick(HOSTILE_KEYS), {
            value: item,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        break;
      case 2:
        if (!Array.isArray(slot.holder))
          Object.defineProperty(holder, random.pick(SPECIAL_KEYS), {
            value: hostileValue(random),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else slot.holder.push(hostileValue(random));
        break;
      case 3:
        if (Array.isArray(slot.holder)) slot.holder.splice(slot.key as number, 1);
        else delete holder[slot.key as string];
        break;
      case 4: {
        // Another place's value (types swapped between fields).
        const other = random.pick(places);
        setSlot(slot, (other.holder as Record<string | number, JsonValue>)[other.key] ?? null);
        break;
      }
      default:
        setSlot(slot, random.pick<JsonValue>([null, 0, '', [], {}, 'x', -1, true]));
    }
  }
  return root;
}

/** A JSON text mutated as a tree (when it parses) and then, sometimes, as bytes. */
export function mutateJsonText(
  random: Random,
  text: string,
  others: ReadonlyArray<Uint8Array>,
): Uint8Array {
  let out: Uint8Array;
  try {
    const value = mutateTree(random, parseInspectJson(text, 'seed'));
    const compact = stringifyInspectJson(value);
    // Indented only while small and shallow: indented, a deep value grows with the square of
    // its depth (10,000 levels: 200 MB), which tests the machine, not Salvage.
    const indent = random.chance(0.2) && compact.length < 256 * 1024 && maxDepth(compact) < 100;
    out = encoder.encode(indent ? stringifyInspectJson(value, 2) : compact);
  } catch {
    out = encoder.encode(text);
  }
  return random.chance(0.25) ? mutateBytes(random, out, others) : out;
}

/** The deepest nesting of brackets in a JSON text (strings not skipped: an upper bound is enough). */
function maxDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5b || code === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (code === 0x5d || code === 0x7d) depth--;
  }
  return deepest;
}
