import type { ByteSource } from '../bytes/byteSource.ts';
import { SalvageError } from '../../util/errors.ts';
import { JSON_SCAN_CHUNK_BYTES } from '../../util/limits.ts';

/** Byte range [start, end) of a JSON value; `end` may include trailing whitespace. */
export interface ValueSpan {
  readonly start: number;
  readonly end: number;
}

export interface MemberSpan extends ValueSpan {
  readonly key: string;
}

/** The layout of a top-level JSON object: its members, and the element spans of chosen array members. */
export interface ObjectLayout {
  readonly members: ReadonlyArray<MemberSpan>;
  readonly elements: ReadonlyMap<string, ReadonlyArray<ValueSpan>>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Find the members of a top-level JSON object, and the elements of the array members named in
 * `arrayKeys`, by scanning bytes once without parsing values.
 *
 * Memory stays at one scan chunk plus the spans, so a multi-GB `.json` log can be listed and its
 * samples read one at a time.
 */
export async function scanObjectLayout(
  source: ByteSource,
  arrayKeys: ReadonlySet<string>,
): Promise<ObjectLayout> {
  const members: MemberSpan[] = [];
  const elements = new Map<string, ValueSpan[]>();
  let depth = 0;
  let inString = false;
  let escaped = false;
  // Depth-1 bookkeeping: the current key's bytes, and where the member value started.
  let phase: 'key' | 'colon' | 'value' | 'after-value' = 'key';
  let keyStart = -1;
  let keyBytes: Uint8Array[] = [];
  let currentKey = '';
  let valueStart = -1;
  // Depth-2 bookkeeping inside an array member we collect elements of.
  let collecting: ValueSpan[] | null = null;
  let elementStart = -1;
  let sawTopLevel = false;

  for (let chunkStart = 0; chunkStart < source.size; chunkStart += JSON_SCAN_CHUNK_BYTES) {
    const chunk = await source.read(
      chunkStart,
      Math.min(JSON_SCAN_CHUNK_BYTES, source.size - chunkStart),
    );
    for (let i = 0; i < chunk.length; i++) {
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Most of a log's bytes are inside strings: jump to the closing quote rather than step.
        const quote = closingQuote(chunk, i);
        if (quote < 0) {
          escaped = endsInEscape(chunk, i);
          i = chunk.length;
          continue;
        }
        i = quote;
        inString = false;
        if (depth === 1 && phase === 'key' && keyStart >= 0) {
          keyBytes.push(chunk.subarray(keyStart, i));
          currentKey = keyText(concat(keyBytes), chunkStart + i);
          keyBytes = [];
          keyStart = -1;
          phase = 'colon';
        }
        continue;
      }
      const byte = chunk[i]!;
      const position = chunkStart + i;
      if (isWhitespace(byte)) continue;
      if (depth === 0) {
        if (byte !== OPEN_OBJECT || sawTopLevel) throw notAnObject(position);
        sawTopLevel = true;
        depth = 1;
        phase = 'key';
        continue;
      }
      if (depth === 1) {
        if (phase === 'key') {
          if (byte === QUOTE) {
            inString = true;
            keyStart = i + 1;
          } else if (byte === CLOSE_OBJECT) {
            depth = 0;
          } else if (byte !== COMMA) throw malformed(position);
          continue;
        }
        if (phase === 'colon') {
          if (byte !== COLON) throw malformed(position);
          phase = 'value';
          continue;
        }
        if (phase === 'value') {
          valueStart = position;
          phase = 'after-value';
          if (byte === OPEN_ARRAY && arrayKeys.has(currentKey)) {
            collecting = [];
            elements.set(currentKey, collecting);
            elementStart = -1;
          }
          // fall through to the container/primitive handling below
        } else if (byte === COMMA || byte === CLOSE_OBJECT) {
          members.push({ key: currentKey, start: valueStart, end: position });
          phase = 'key';
          if (byte === CLOSE_OBJECT) depth = 0;
          continue;
        }
      }
      if (collecting && depth === 2) {
        if (byte === COMMA || byte === CLOSE_ARRAY) {
          if (elementStart >= 0) collecting.push({ start: elementStart, end: position });
          elementStart = -1;
        } else if (elementStart < 0) {
          elementStart = position;
        }
      }
      if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        depth += 1;
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth -= 1;
        if (depth === 1) collecting = null;
      }
    }
    if (inString && depth === 1 && phase === 'key' && keyStart >= 0) {
      // A key split across chunks: keep its first part.
      keyBytes.push(chunk.slice(keyStart));
      keyStart = 0;
    }
  }
  if (!sawTopLevel || depth !== 0) {
    throw new SalvageError(
      'invalid-json',
      'The JSON log ends before its top-level object closes: it was truncated.',
    );
  }
  return { members, elements };
}

/**
 * The closing quote of a string that goes on at `from` (past any escape already consumed), or -1
 * when the string runs past the end of `bytes`. A quote is escaped by an odd run of backslashes.
 */
function closingQuote(bytes: Uint8Array, from: number): number {
  for (let quote = bytes.indexOf(QUOTE, from); quote >= 0; quote = bytes.indexOf(QUOTE, quote + 1))
    if (backslashesBefore(bytes, quote, from) % 2 === 0) return quote;
  return -1;
}

/** Whether `bytes` end inside an escape (an odd run of backslashes), counting from `from`. */
function endsInEscape(bytes: Uint8Array, from: number): boolean {
  return backslashesBefore(bytes, bytes.length, from) % 2 === 1;
}

function backslashesBefore(bytes: Uint8Array, end: number, from: number): number {
  let count = 0;
  while (end - count - 1 >= from && bytes[end - count - 1] === BACKSLASH) count += 1;
  return count;
}

/** A top-level key's text from its bytes between the quotes; a typed error for a raw control character or a bad escape. */
function keyText(bytes: Uint8Array, position: number): string {
  try {
    return JSON.parse(`"${utf8.decode(bytes)}"`) as string;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new SalvageError(
      'invalid-json',
      `Malformed JSON: the key ending at byte ${position} is not a valid JSON string (${error.message}).`,
    );
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function notAnObject(position: number): SalvageError {
  return new SalvageError(
    'not-an-inspect-log',
    `Expected a JSON object at byte ${position}; an Inspect .json log is one JSON object.`,
  );
}

function malformed(position: number): SalvageError {
  return new SalvageError('invalid-json', `Malformed JSON at byte ${position}.`);
}
