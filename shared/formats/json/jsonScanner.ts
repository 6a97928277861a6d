import { SalvageError } from '../../util/errors.ts';
import { decodeStringContent, safePrefixLength } from './jsonStrings.ts';

/**
 * A push scanner over JSON bytes as Inspect writes them: it finds where every value starts and
 * ends (byte offsets in the stream), descends only into the values its handler asks for, and
 * skips the rest at memchr speed. Bytes arrive in chunks of any size and boundary (zstd frames as
 * they decode, file reads); nothing but the current chunk and a few short captures is held.
 *
 * Written by hand rather than taken from a library because none fits all four needs at once:
 * offsets of values in a stream of several GB (JSON.parse and the streaming parsers on npm
 * report values, not where they lie), Inspect's quirks (bare NaN and ±Infinity, integers beyond
 * 2^53, which it reports as text), nesting of any depth without recursion, and skipping a
 * 50 MB string without decoding it.
 *
 * Strictness: the containers the handler descends into are checked token by token; skipped
 * containers only for strings and bracket balance. A value is fully checked when it is parsed
 * (the handler's job), so malformed bytes inside it still end in an `invalid-json` error then.
 *
 * Speed: pass Node Buffers where you have them. `indexOf` on a Buffer is memchr (about 6 GB/s
 * here), on a plain Uint8Array a V8 loop (about 1.5 GB/s); strings are most of the bytes.
 */

export type JsonKind = 'object' | 'array' | 'string' | 'scalar';

/** The role of a value the handler does not descend into. */
export const SKIP = 0;
/** The parent role of the top-level value. */
export const TOP = -1;

/**
 * Keys to watch in an object the scanner skips: the string values of these members (direct
 * members only) are reported to the handler's `peek`, at the cost of a length-and-bytes compare
 * per key. How the indexer reads an event's kind and span without tracking the event.
 */
export class PeekKeys {
  readonly names: ReadonlyArray<string>;
  readonly bytes: ReadonlyArray<Uint8Array>;

  constructor(names: ReadonlyArray<string>) {
    this.names = names;
    this.bytes = names.map((name) => new TextEncoder().encode(name));
  }

  /** Index of the key raw[from, to), or -1. */
  match(raw: Uint8Array, from: number, to: number): number {
    const length = to - from;
    for (let key = 0; key < this.bytes.length; key++) {
      const bytes = this.bytes[key]!;
      if (bytes.length !== length || bytes[0] !== raw[from]) continue;
      let same = true;
      for (let k = 1; k < length; k++) {
        if (bytes[k] !== raw[from + k]) {
          same = false;
          break;
        }
      }
      if (same) return key;
    }
    return -1;
  }
}

export interface JsonScanHandler {
  /**
   * A value starts at `start` inside a container the handler tracks (or at the top). Returns the
   * value's role: SKIP, or any positive number to descend into a container / capture a string.
   * Scalars (numbers, true, false, null, NaN, ±Infinity) are always captured as text.
   */
  enter(
    parentRole: number,
    key: string | null,
    index: number,
    kind: JsonKind,
    start: number,
  ): number;
  /**
   * The value that `enter` announced ends before `end`. `text`: a captured string (its first
   * `stringCaptureBytes` raw bytes decoded, `complete` false when it was longer) or a scalar's
   * text; null for containers and skipped strings.
   */
  leave(
    role: number,
    parentRole: number,
    key: string | null,
    index: number,
    start: number,
    end: number,
    text: string | null,
    complete: boolean,
  ): void;
  /**
   * A watched key's string value inside an object skipped with `peekKeys`: its raw content is
   * raw[from, to) (escapes as written), valid during this call only. Values over 4 KiB are not
   * reported.
   */
  peek?(role: number, key: number, raw: Uint8Array, from: number, to: number): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
/** Four spaces read as one 32-bit word (the same in either byte order). */
const FOUR_SPACES = 0x20202020;

// What the scanner expects next at the tracked level.
const P_VALUE = 0; // a value (top level, after ':' or after ',' in an array)
const P_ARRAY_FIRST = 1; // a value or ']'
const P_ARRAY_NEXT = 2; // ',' or ']'
const P_OBJECT_FIRST = 3; // a key or '}'
const P_OBJECT_KEY = 4; // a key
const P_COLON = 5;
const P_OBJECT_NEXT = 6; // ',' or '}'
const P_DONE = 7; // only whitespace

// What the scanner is in the middle of.
const M_STRUCT = 0;
const M_SKIP_CONTAINER = 1;
const M_SKIP_STRING = 2;
const M_CAPTURE_STRING = 3;
const M_KEY = 4;
const M_SCALAR = 5;

const EMPTY = new Uint8Array(0);
/** Short strings remembered for reuse (distinct keys, kinds and span ids of one sample). */
const MAX_INTERNED = 16384;

/** Longest peeked value reported (kinds, ids, timestamps are far shorter). */
const PEEK_VALUE_BYTES = 4096;
/** Longest key accepted (keys are captured whole): any real key is far shorter. */
const MAX_KEY_BYTES = 16 * 1024 * 1024;
/** Longest number or bare word accepted: a 4,000-digit integer is already absurd. */
const MAX_SCALAR_BYTES = 4096;

/** Bytes that mean nothing inside a skipped container (all but quotes, brackets and commas). */
const SKIP_PLAIN = new Uint8Array(256).fill(1);
for (const byte of [QUOTE, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, COMMA])
  SKIP_PLAIN[byte] = 0;

/**
 * Index of the first byte at or after `i` that is not a space, found four bytes per read: the
 * indentation after a line break, most of the bytes outside strings in the pretty-printed JSON
 * Inspect writes (a raw line break never occurs inside a JSON string, so one is always followed
 * by indentation or a token).
 */
function skipIndentation(chunk: Uint8Array, view: DataView, i: number): number {
  const last = chunk.length - 4;
  while (i <= last && view.getUint32(i) === FOUR_SPACES) i += 4;
  while (i < chunk.length && chunk[i] === 0x20) i++;
  return i;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Letters, digits, sign and point: what numbers and the bare words of Inspect JSON are made of. */
function isScalarByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    byte === 0x2d ||
    byte === 0x2b ||
    byte === 0x2e
  );
}

export class JsonScanner {
  /** Raw bytes of a captured string kept for decoding; the handler may change it at any time. */
  stringCaptureBytes = 4096;
  /**
   * Set by the handler in `enter` for a string it wants undecoded: `leave` then gets text null
   * and reads `raw[rawStart, rawEnd)` (its content bytes, escapes as written; valid during that
   * call only).
   */
  rawCapture = false;
  raw: Uint8Array = EMPTY;
  rawStart = 0;
  rawEnd = 0;
  /**
   * Set by the handler in `enter` for an object it wants skipped fast but with some direct
   * members' string values reported (`peek`); the object's role must not be SKIP.
   */
  peekKeys: PeekKeys | null = null;

  private readonly handler: JsonScanHandler;
  private readonly what: string;
  /** Absolute offset of the current chunk's first byte. */
  private base: number;
  /** The current chunk as a DataView, for reading its indentation four bytes at a time. */
  private view: DataView = new DataView(new ArrayBuffer(0));
  private mode = M_STRUCT;
  private phase = P_VALUE;

  // Tracked containers, innermost last.
  private readonly roles: number[] = [];
  private readonly isObject: boolean[] = [];
  private readonly keys: Array<string | null> = [];
  private readonly indexes: number[] = [];
  private readonly starts: number[] = [];

  // The value being skipped or captured.
  private valueRole = SKIP;
  private valueStart = 0;

  // Skipped containers: open brackets beyond the tracked level.
  private skipStack = new Uint8Array(64);
  private skipDepth = 0;
  private skipInString = false;
  // Peeking into a skipped object (depth 1 of the skip stack): what the next string is.
  private peeking: PeekKeys | null = null;
  private peekExpectKey = false;
  private peekWanted = -1;
  /** The string being skipped across chunks is a key or a wanted value whose bytes are kept. */
  private peekCollect = false;

  private readonly interned = new Map<number, string>();

  // Strings: an escape cut by a chunk boundary, and the captured raw bytes.
  private escapePending = false;
  private pieces: Uint8Array[] = [];
  private captured = 0;
  private captureLimit = 0;
  private overflow = false;

  constructor(handler: JsonScanHandler, options: { base?: number; what?: string } = {}) {
    this.handler = handler;
    this.base = options.base ?? 0;
    this.what = options.what ?? 'The JSON';
  }

  /** Absolute offset just past the bytes pushed so far. */
  get offset(): number {
    return this.base;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    this.view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    while (i < n) {
      switch (this.mode) {
        case M_STRUCT:
          i = this.struct(chunk, i);
          break;
        case M_SKIP_CONTAINER:
          i = this.skipContainer(chunk, i);
          break;
        case M_SKIP_STRING: {
          const end = this.findStringEnd(chunk, i);
          if (end < 0) i = n;
          else {
            this.mode = M_STRUCT;
            this.finishValue(this.valueRole, this.valueStart, this.base + end, null, true);
            i = end;
          }
          break;
        }
        case M_CAPTURE_STRING:
        case M_KEY:
          i = this.captureString(chunk, i);
          break;
        case M_SCALAR:
          i = this.scalar(chunk, i);
          break;
      }
    }
    this.base += n;
  }

  /** The end of the input: the top-level value must be complete. */
  finish(): void {
    if (this.mode === M_SCALAR) this.endScalar(this.base);
    if (this.mode !== M_STRUCT || this.phase !== P_DONE || this.roles.length > 0) {
      throw new SalvageError(
        'invalid-json',
        `${this.what} ends before its JSON value does (at byte ${this.base}): it was truncated.`,
      );
    }
  }

  private struct(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    while (i < n) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) {
        i = skipIndentation(chunk, this.view, i + 1);
        continue;
      }
      if (isWhitespace(byte)) {
        i++;
        continue;
      }
      switch (this.phase) {
        case P_ARRAY_FIRST:
          if (byte === CLOSE_ARRAY) {
            this.closeContainer(i);
            i++;
            continue;
          }
          return this.beginValue(chunk, i, byte);
        case P_VALUE:
          return this.beginValue(chunk, i, byte);
        case P_ARRAY_NEXT:
          if (byte === COMMA) this.phase = P_VALUE;
          else if (byte === CLOSE_ARRAY) this.closeContainer(i);
          else throw this.unexpected(byte, i);
          i++;
          continue;
        case P_OBJECT_FIRST:
        case P_OBJECT_KEY:
          if (byte === QUOTE) {
            this.mode = M_KEY;
            this.startCapture(MAX_KEY_BYTES);
            return i + 1;
          }
          if (byte === CLOSE_OBJECT && this.phase === P_OBJECT_FIRST) {
            this.closeContainer(i);
            i++;
            continue;
          }
          throw this.unexpected(byte, i);
        case P_COLON:
          if (byte !== COLON) throw this.unexpected(byte, i);
          this.phase = P_VALUE;
          i++;
          continue;
        case P_OBJECT_NEXT:
          if (byte === COMMA) this.phase = P_OBJECT_KEY;
          else if (byte === CLOSE_OBJECT) this.closeContainer(i);
          else throw this.unexpected(byte, i);
          i++;
          continue;
        default:
          throw this.unexpected(byte, i);
      }
    }
    return i;
  }

  private beginValue(chunk: Uint8Array, i: number, byte: number): number {
    const depth = this.roles.length;
    const parentRole = depth === 0 ? TOP : this.roles[depth - 1]!;
    const key = depth === 0 ? null : this.keys[depth - 1]!;
    const index = depth === 0 ? 0 : this.indexes[depth - 1]!;
    const start = this.base + i;
    // After this value, the parent expects a separator (or the top level, nothing).
    this.phase = depth === 0 ? P_DONE : this.isObject[depth - 1] ? P_OBJECT_NEXT : P_ARRAY_NEXT;
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      const object = byte === OPEN_OBJECT;
      this.peekKeys = null;
      const role = this.handler.enter(parentRole, key, index, object ? 'object' : 'array', start);
      const peek = object && role !== SKIP ? this.peekKeys : null;
      if (role === SKIP || peek !== null) {
        this.mode = M_SKIP_CONTAINER;
        this.valueRole = role;
        this.valueStart = start;
        this.skipStack[0] = byte;
        this.skipDepth = 1;
        this.skipInString = false;
        this.peeking = peek;
        this.peekExpectKey = true;
        this.peekWanted = -1;
        return i + 1;
      }
      this.roles.push(role);
      this.isObject.push(object);
      this.keys.push(null);
      this.indexes.push(0);
      this.starts.push(start);
      this.phase = object ? P_OBJECT_FIRST : P_ARRAY_FIRST;
      return i + 1;
    }
    if (byte === QUOTE) {
      this.rawCapture = false;
      const role = this.handler.enter(parentRole, key, index, 'string', start);
      this.valueRole = role;
      this.valueStart = start;
      this.escapePending = false;
      if (role === SKIP) {
        this.mode = M_SKIP_STRING;
      } else {
        this.mode = M_CAPTURE_STRING;
        this.startCapture(this.stringCaptureBytes);
      }
      return i + 1;
    }
    if (!isScalarByte(byte)) throw this.unexpected(byte, i);
    this.valueRole = this.handler.enter(parentRole, key, index, 'scalar', start);
    this.valueStart = start;
    this.mode = M_SCALAR;
    this.pieces = [];
    this.captured = 0;
    return i;
  }

  private closeContainer(i: number): void {
    const role = this.roles.pop()!;
    this.isObject.pop();
    this.keys.pop();
    this.indexes.pop();
    const start = this.starts.pop()!;
    const depth = this.roles.length;
    this.phase = depth === 0 ? P_DONE : this.isObject[depth - 1] ? P_OBJECT_NEXT : P_ARRAY_NEXT;
    this.finishValue(role, start, this.base + i + 1, null, true);
  }

  /** Report a value's end to the handler and count it in its parent. */
  private finishValue(
    role: number,
    start: number,
    end: number,
    text: string | null,
    complete: boolean,
  ): void {
    const depth = this.roles.length;
    if (depth === 0) {
      this.handler.leave(role, TOP, null, 0, start, end, text, complete);
      return;
    }
    this.handler.leave(
      role,
      this.roles[depth - 1]!,
      this.keys[depth - 1]!,
      this.indexes[depth - 1]!,
      start,
      end,
      text,
      complete,
    );
    this.indexes[depth - 1]! += 1;
  }

  private skipContainer(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    let depth = this.skipDepth;
    let stack = this.skipStack;
    const peeking = this.peeking;
    const view = this.view;
    if (this.skipInString) {
      const end = this.findStringEnd(chunk, i);
      if (this.peekCollect) this.keep(chunk, i, end < 0 ? n : end - 1);
      if (end < 0) return n;
      this.skipInString = false;
      if (this.peekCollect) {
        this.peekCollect = false;
        const raw = joinPieces(this.pieces, this.captured);
        this.pieces = [];
        if (this.overflow) {
          // Too long to be a watched key or value: it is neither.
          this.peekExpectKey = false;
          this.peekWanted = -1;
        } else this.peekString(raw, 0, raw.length);
      }
      i = end;
    }
    // The hottest loop of indexing: every byte of the skipped parts of dense events passes here.
    while (i < n) {
      const byte = chunk[i++]!;
      if (byte === NEWLINE) {
        i = skipIndentation(chunk, view, i);
        continue;
      }
      // Most other bytes (spaces, digits, letters of bare words) mean nothing here: one table
      // look-up sends them on instead of four comparisons.
      if (SKIP_PLAIN[byte] === 1) continue;
      if (byte === QUOTE) {
        // Short strings without escapes end in this tight loop; the rest go to findStringEnd.
        let k = i;
        const near = k + 48 < n ? k + 48 : n;
        while (k < near && chunk[k] !== QUOTE) k++;
        // The quote ends the string unless a backslash escapes it (then findStringEnd goes on).
        if (k < near && chunk[k - 1] !== BACKSLASH) {
          if (peeking !== null && depth === 1) this.peekString(chunk, i, k);
          i = k + 1;
          continue;
        }
        const collect =
          peeking !== null && depth === 1 && (this.peekExpectKey || this.peekWanted >= 0);
        if (collect) this.startCapture(PEEK_VALUE_BYTES);
        this.escapePending = false;
        const end = this.findStringEnd(chunk, i);
        if (end < 0) {
          this.skipInString = true;
          this.skipDepth = depth;
          this.peekCollect = collect;
          if (collect) this.keep(chunk, i, n);
          return n;
        }
        if (collect) this.peekString(chunk, i, end - 1);
        else if (peeking !== null && depth === 1) this.peekWanted = -1;
        i = end;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (depth === stack.length) {
          // Deep nesting grows this byte stack, never the call stack.
          const grown = new Uint8Array(stack.length * 2);
          grown.set(stack);
          stack = grown;
          this.skipStack = grown;
        }
        stack[depth++] = byte;
        if (depth === 2) this.peekWanted = -1;
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        const open = stack[--depth];
        if ((byte === CLOSE_OBJECT) !== (open === OPEN_OBJECT)) throw this.unexpected(byte, i - 1);
        if (depth === 0) {
          this.skipDepth = 0;
          this.mode = M_STRUCT;
          this.peeking = null;
          this.finishValue(this.valueRole, this.valueStart, this.base + i, null, true);
          return i;
        }
      } else if (byte === COMMA && depth === 1) {
        this.peekExpectKey = true;
        this.peekWanted = -1;
      }
    }
    this.skipDepth = depth;
    return n;
  }

  /** A string directly inside a peeked object: a key to match, or a watched key's value. */
  private peekString(raw: Uint8Array, from: number, to: number): void {
    const peeking = this.peeking;
    if (peeking === null) return;
    if (this.peekExpectKey) {
      this.peekExpectKey = false;
      this.peekWanted = peeking.match(raw, from, to);
      return;
    }
    const wanted = this.peekWanted;
    this.peekWanted = -1;
    if (wanted >= 0 && to - from <= PEEK_VALUE_BYTES) {
      this.handler.peek?.(this.valueRole, wanted, raw, from, to);
    }
  }

  /** A short string as text, interned (for handlers reading peeked values). */
  text(raw: Uint8Array, from: number, to: number): string {
    return this.decodeShort(raw, from, to);
  }

  /**
   * Index just past the closing quote of the string the scanner is in, or -1 when the chunk ends
   * first (then `escapePending` says whether its last byte opened an escape).
   */
  private findStringEnd(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    if (this.escapePending) {
      // The chunk's first byte is the escaped character: it cannot end the string.
      if (from >= n) return -1;
      from += 1;
      this.escapePending = false;
    }
    // Backslashes before `lower` were settled in an earlier chunk or before the string.
    const lower = from;
    for (;;) {
      // Most strings (keys, kinds, ids) end within a few bytes, where a plain loop beats the
      // cost of calling indexOf; long ones go to indexOf.
      let quote = -1;
      const near = Math.min(n, from + 32);
      for (let k = from; k < near; k++) {
        if (chunk[k] === QUOTE) {
          quote = k;
          break;
        }
      }
      if (quote < 0 && near < n) quote = chunk.indexOf(QUOTE, near);
      if (quote < 0) {
        let k = n - 1;
        while (k >= lower && chunk[k] === BACKSLASH) k--;
        this.escapePending = ((n - 1 - k) & 1) === 1;
        return -1;
      }
      let k = quote - 1;
      while (k >= lower && chunk[k] === BACKSLASH) k--;
      if (((quote - 1 - k) & 1) === 0) return quote + 1;
      from = quote + 1;
    }
  }

  private startCapture(limit: number): void {
    this.pieces = [];
    this.captured = 0;
    this.captureLimit = limit;
    this.overflow = false;
    this.escapePending = false;
  }

  private keep(chunk: Uint8Array, from: number, to: number): void {
    if (this.overflow || to <= from) return;
    const room = this.captureLimit - this.captured;
    if (to - from > room) {
      to = from + room;
      this.overflow = true;
    }
    // A copy: the chunk may be a view of a buffer its producer reuses (a decode ring).
    this.pieces.push(copyOf(chunk, from, to));
    this.captured += to - from;
  }

  private captureString(chunk: Uint8Array, i: number): number {
    const isKey = this.mode === M_KEY;
    const end = this.findStringEnd(chunk, i);
    if (end < 0) {
      this.keep(chunk, i, chunk.length);
      if (isKey && this.overflow) throw this.tooLong('key', this.base + i);
      return chunk.length;
    }
    // The content is raw[from, to): the chunk itself when the whole string is in it (no copy,
    // not even a view: a Buffer's subarray costs more than a short key's scan).
    let raw = chunk;
    let from = i;
    let to = end - 1;
    if (this.pieces.length > 0 || to - from > this.captureLimit) {
      this.keep(chunk, i, end - 1);
      if (isKey && this.overflow) throw this.tooLong('key', this.base + i);
      raw = joinPieces(this.pieces, this.captured);
      from = 0;
      to = raw.length;
    }
    this.pieces = [];
    this.mode = M_STRUCT;
    if (isKey) {
      this.keys[this.keys.length - 1] = this.decodeShort(raw, from, to);
      this.phase = P_COLON;
      return end;
    }
    const complete = !this.overflow;
    let text: string | null = null;
    if (this.rawCapture && complete) {
      this.raw = raw;
      this.rawStart = from;
      this.rawEnd = to;
    } else if (complete) {
      text = this.decodeShort(raw, from, to);
    } else {
      text = decodeStringContent(raw.subarray(0, safePrefixLength(raw)), this.what);
    }
    this.finishValue(this.valueRole, this.valueStart, this.base + end, text, complete);
    this.raw = EMPTY;
    return end;
  }

  /**
   * Short plain ASCII strings (keys, event kinds, span ids) come from a small cache keyed by a
   * hash of their bytes: decoding each of millions of keys afresh cost more than the scan.
   */
  private decodeShort(raw: Uint8Array, from: number, to: number): string {
    const length = to - from;
    if (length > 32) return decodeStringContent(raw.subarray(from, to), this.what);
    let hash = 0x811c9dc5 ^ length;
    for (let k = from; k < to; k++) {
      const byte = raw[k]!;
      if (byte >= 0x80 || byte === BACKSLASH || byte < 0x20) {
        return decodeStringContent(raw.subarray(from, to), this.what);
      }
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const cached = this.interned.get(hash);
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (cached.charCodeAt(k) !== raw[from + k]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const text = String.fromCharCode.apply(null, raw.subarray(from, to) as unknown as number[]);
    // Full of names seen once (span ids of past turns): start afresh, keeping what repeats now.
    if (this.interned.size >= MAX_INTERNED) this.interned.clear();
    this.interned.set(hash, text);
    return text;
  }

  private scalar(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const from = i;
    while (i < n && isScalarByte(chunk[i]!)) i++;
    if (i > from) {
      this.captured += i - from;
      if (this.captured > MAX_SCALAR_BYTES) throw this.tooLong('number', this.valueStart);
      this.pieces.push(copyOf(chunk, from, i));
    }
    if (i < n) this.endScalar(this.base + i);
    return i;
  }

  private endScalar(end: number): void {
    const raw = joinPieces(this.pieces, this.captured);
    this.pieces = [];
    this.mode = M_STRUCT;
    this.finishValue(
      this.valueRole,
      this.valueStart,
      end,
      String.fromCharCode.apply(null, raw as unknown as number[]),
      true,
    );
  }

  private unexpected(byte: number, i: number): SalvageError {
    const shown =
      byte >= 0x20 && byte < 0x7f
        ? `"${String.fromCharCode(byte)}"`
        : `byte 0x${byte.toString(16)}`;
    return new SalvageError(
      'invalid-json',
      `${this.what} is not valid JSON: unexpected ${shown} at byte ${this.base + i}.`,
    );
  }

  private tooLong(what: string, at: number): SalvageError {
    const limit = what === 'key' ? MAX_KEY_BYTES : MAX_SCALAR_BYTES;
    return new SalvageError(
      'invalid-json',
      `${this.what} has a ${what} longer than ${limit} bytes near byte ${at}; it is corrupt.`,
    );
  }
}

/** A copy of bytes [from, to): a Buffer's own `slice` is a view, not a copy. */
function copyOf(chunk: Uint8Array, from: number, to: number): Uint8Array {
  return Uint8Array.prototype.slice.call(chunk, from, to);
}

function joinPieces(pieces: Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
