import { SalvageError } from '../../util/errors.ts';
import { MAX_JSON_DEPTH } from '../../util/limits.ts';

/**
 * A JSON value as Inspect writes it: numbers may be NaN/±Infinity, integers beyond 2^53 are kept
 * exact as bigint, and a lossless parse keeps numbers' text as {@link LexicalNumber} (never the
 * default parse).
 */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | LexicalNumber
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue };

export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * Marker strings the parser puts in place of tokens JSON.parse cannot take or would change (NaN,
 * ±Infinity, integers beyond 2^53, numbers whose text must be kept), and the writer puts in place
 * of tokens JSON.stringify cannot write. A raw NUL cannot occur in JSON text, so a user's string
 * can start with NUL only as the escape `\u0000`: the parser escapes every such string (one more
 * NUL in front, taken off afterwards), so a marker is never a user's string and the reverse.
 */
const MARKER_PREFIX = '\u0000salvage-number:';
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

export interface ParseOptions {
  /**
   * Keep every number's lexical form: a number JavaScript would write differently from its source
   * text (`2.0`, `1e-05`, `-0`) is parsed into a {@link LexicalNumber}, which
   * {@link stringifyInspectJson} writes back verbatim. For paths that write JSON back (recovery,
   * export), because Python reads `2.0` as a float and `2` as an int. Off by default: values
   * parsed this way are not plain numbers (`typeof` is `object`; use {@link numberOf}).
   */
  readonly lossless?: boolean;
}

/**
 * A number kept with its JSON text, from a lossless parse or a float computed for Python
 * ({@link pythonFloat}). Arithmetic sees its value (`valueOf`); `JSON.stringify` writes the value;
 * {@link stringifyInspectJson} writes the text. {@link isJsonObject} is false for it.
 */
export class LexicalNumber {
  readonly text: string;
  readonly value: number;

  constructor(text: string, value: number) {
    this.text = text;
    this.value = value;
  }

  /** True when Python reads the text as a float (a `.` or an exponent), false for an int. */
  get isFloat(): boolean {
    return /[.eE]/.test(this.text);
  }

  valueOf(): number {
    return this.value;
  }

  toJSON(): number {
    return this.value;
  }
}

/** The number a JSON value holds, plain or lexical, or undefined for any other value. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof LexicalNumber) return value.value;
  return undefined;
}

/**
 * A computed float as Python writes it (`1.0`, not `1`), for values Inspect computes as floats
 * (metrics, reductions, costs). NaN and ±Infinity stay plain numbers: they are written as bare
 * tokens, which Python reads as floats anyway.
 */
export function pythonFloat(value: number): JsonValue {
  if (!Number.isFinite(value)) return value;
  const text = pythonFloatRepr(value);
  return text === String(value) ? value : new LexicalNumber(text, value);
}

/** Python's `repr(float)`: the shortest round-trip digits, fixed from 1e-4 to below 1e16, else `1e+16`. */
export function pythonFloatRepr(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const significand = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${significand}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = exponent + 1;
  if (digits.length <= whole) return `${sign}${digits}${'0'.repeat(whole - digits.length)}.0`;
  return `${sign}${digits.slice(0, whole)}.${digits.slice(whole)}`;
}

/**
 * Parse JSON as Inspect writes it.
 *
 * Inspect (pydantic, `ser_json_inf_nan="constants"`) writes bare NaN, Infinity and -Infinity,
 * which JSON.parse rejects, and may write integers beyond 2^53, which JSON.parse silently
 * rounds. One pass over the text finds them (and measures the nesting) before JSON.parse; only
 * text that holds them pays for markers and a walk over the parsed value (never a reviver: V8
 * runs a reviver recursively, so 3,000 levels of nesting overflowed the stack, and it cost 3–20×
 * on any text holding 16 digits in a row). With `lossless`, numbers also keep their text (see
 * {@link ParseOptions}). Text nested deeper than MAX_JSON_DEPTH is refused before it is parsed.
 */
export function parseInspectJson(
  text: string,
  what: string,
  options: ParseOptions = {},
): JsonValue {
  if (options.lossless !== true && canParseAsIs(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      // NaN or ±Infinity (or a syntax error): the full pass below marks them, or says what is wrong.
      if (!(error instanceof SyntaxError)) throw error;
    }
  }
  const marked = markTokens(text, options.lossless === true, what);
  let value: JsonValue;
  try {
    value = JSON.parse(marked.text) as JsonValue;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // The error of the text as written, not of its markers.
    if (marked.count > 0) {
      try {
        JSON.parse(text);
      } catch (original) {
        if (original instanceof SyntaxError) throw invalidJson(what, original);
      }
    }
    throw invalidJson(what, error);
  }
  return marked.count > 0 ? restoreMarkers(value) : value;
}

/**
 * One pass over the text: every number token that needs it (NaN and ±Infinity; integers beyond
 * 2^53; with `lossless`, every number JavaScript would write differently) becomes a marker
 * string, and, when there is any, every string value starting with NUL gets one more NUL (so no
 * user string reads as a marker). Strings are skipped whole (indexOf to their closing quote).
 * The nesting is measured on the way: deeper than MAX_JSON_DEPTH is a typed refusal, before
 * JSON.parse builds it (a 1 KB entry inflating to 32 MiB of `[` took 6 s and 1.5 GB to parse,
 * and 512 MiB of them would exhaust the heap).
 */
function markTokens(
  text: string,
  lossless: boolean,
  what: string,
): { text: string; count: number } {
  const parts: string[] = [];
  let copied = 0;
  let numbers = 0;
  let count = 0;
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
      // A run of whitespace (indented text is mostly spaces) skipped by the regexp engine, 4×
      // faster than a byte at a time: 512 MiB of spaces must not cost seconds more than parsing.
      // The search starts after this one, so it always moves on.
      if (isJsonWhitespace(text.charCodeAt(i + 1))) {
        NOT_WHITESPACE.lastIndex = i + 1;
        if (!NOT_WHITESPACE.test(text)) break;
        i = NOT_WHITESPACE.lastIndex - 2;
      }
      continue;
    }
    // Other control characters are JSON.parse's to refuse.
    if (code < 0x20) continue;
    if (code === 0x2c || code === 0x3a) continue;
    if (code === 0x22) {
      const start = i;
      i = closingQuote(text, i);
      if (i === -1) break; // an unterminated string: JSON.parse reports it
      // A string value starting with the escape \u0000 (not a key: a key is followed by ':').
      if (
        text.charCodeAt(start + 1) === 0x5c &&
        text.startsWith('\\u0000', start + 1) &&
        !isKey(text, i + 1)
      ) {
        parts.push(text.slice(copied, start + 1), '\\u0000');
        copied = start + 1;
        count += 1;
      }
      continue;
    }
    if (code === 0x5b || code === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new SalvageError(
          'invalid-json',
          `${what} is nested deeper than ${MAX_JSON_DEPTH} levels; no log is (Inspect reads a few hundred at most), so it is corrupt or hostile.`,
        );
      }
      continue;
    }
    if (code === 0x5d || code === 0x7d) {
      depth -= 1;
      continue;
    }
    let end = -1;
    if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end += 1;
      if (end === i + 1 && code === 0x2d && text.startsWith('-Infinity', i)) end = i + 9;
    } else if (code === 0x4e && text.startsWith('NaN', i)) {
      end = i + 3;
    } else if (code === 0x49 && text.startsWith('Infinity', i)) {
      end = i + 8;
    }
    if (end < 0) continue;
    // Most numbers are short plain integers or floats: only the long and the special (and,
    // lossless, any float) need their token looked at.
    if (lossless || end - i >= 16 || code === 0x4e || code === 0x49 || end - i === 9) {
      const token = text.slice(i, end);
      if (lossless ? keepsText(token) : needsMarker(token)) {
        parts.push(text.slice(copied, i), JSON.stringify(MARKER_PREFIX + token));
        copied = end;
        count += 1;
        numbers += 1;
      }
    }
    i = end - 1;
  }
  // Without a number marker the text parses as it is: a user's NUL string is only escaped so
  // that it cannot be taken for a marker.
  if (numbers === 0) return { text, count: 0 };
  parts.push(text.slice(copied));
  return { text: parts.join(''), count };
}

const NOT_WHITESPACE = /[^ \t\r\n]/g;

/**
 * Sixteen digits in a row, not after a point: an integer JSON.parse might round may be there (or
 * a long id in a string). A float's fraction (`0.13333333333333333`, common in metrics) is not.
 */
const SIXTEEN_DIGITS = /(?<![\d.])\d{16}/;

/**
 * Whether JSON.parse alone gives what the full pass would, when it parses the text at all: a text
 * no longer than MAX_JSON_DEPTH cannot nest deeper, and without sixteen digits in a row (but
 * after a point) it holds no integer beyond 2^53. What else the pass marks (NaN, ±Infinity) JSON.parse refuses; a user's
 * string starting with NUL is only escaped beside a number marker. A run's header and summaries
 * are mostly such small texts, and the pass cost a third of their parse.
 */
function canParseAsIs(text: string): boolean {
  return text.length <= MAX_JSON_DEPTH && !SIXTEEN_DIGITS.test(text);
}

/** The index of the quote closing the string that opens at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** Whether the string that ended before `from` is an object key (a ':' follows it). */
function isKey(text: string, from: number): boolean {
  let at = from;
  while (at < text.length && isJsonWhitespace(text.charCodeAt(at))) at += 1;
  return text.charCodeAt(at) === 0x3a;
}

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isNumberChar(code: number): boolean {
  // digits . e E + -
  return (
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45 ||
    code === 0x2b ||
    code === 0x2d
  );
}

/** The default parse marks only what JSON.parse rejects or rounds: NaN, ±Infinity, unsafe integers. */
function needsMarker(token: string): boolean {
  if (Object.hasOwn(SPECIAL_NUMBERS, token)) return true;
  const digits = token.charCodeAt(0) === 0x2d ? token.length - 1 : token.length;
  return digits >= 16 && /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token));
}

/** Whether a number token must keep its text: JSON.parse and String() would not give it back. */
function keepsText(token: string): boolean {
  // NaN and ±Infinity, which JSON.parse does not take.
  if (Object.hasOwn(SPECIAL_NUMBERS, token)) return true;
  const digits = token.charCodeAt(0) === 0x2d ? token.length - 1 : token.length;
  // A short integer (no leading zeros or + in JSON) comes back the same; -0 does not.
  if (digits < 16 && /^-?\d+$/.test(token)) return token === '-0';
  return String(Number(token)) !== token;
}

/** A marker's value, or a user's string with the escaping NUL taken off. */
function markerValue(text: string): JsonValue {
  if (text.charCodeAt(1) === 0) return text.slice(1);
  const token = text.slice(MARKER_PREFIX.length);
  if (Object.hasOwn(SPECIAL_NUMBERS, token)) return SPECIAL_NUMBERS[token]!;
  const number = Number(token);
  if (/^-?\d+$/.test(token) && token !== '-0' && !Number.isSafeInteger(number))
    return BigInt(token);
  return new LexicalNumber(token, number);
}

/** Replace the markers of {@link markTokens} in place, iteratively (any depth). */
function restoreMarkers(root: JsonValue): JsonValue {
  if (typeof root === 'string') return root.charCodeAt(0) === 0 ? markerValue(root) : root;
  const pending: object[] = [];
  if (typeof root === 'object' && root !== null) pending.push(root);
  while (pending.length > 0) {
    const container = pending.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item = container[i];
        if (typeof item === 'string') {
          if (item.charCodeAt(0) === 0) container[i] = markerValue(item);
        } else if (typeof item === 'object' && item !== null) pending.push(item);
      }
      continue;
    }
    for (const key of Object.keys(container)) {
      const item = container[key];
      if (typeof item === 'string') {
        // JSON.parse made every key an own data property (`__proto__` too), so this sets it.
        if (item.charCodeAt(0) === 0) container[key] = markerValue(item);
      } else if (typeof item === 'object' && item !== null) pending.push(item);
    }
  }
  return root;
}

function invalidJson(what: string, error: SyntaxError): SalvageError {
  return new SalvageError('invalid-json', `${what} is not valid JSON (${error.message}).`, {
    cause: error,
  });
}

const utf8 = new TextDecoder('utf-8');

/** Parse UTF-8 bytes as Inspect JSON. */
export function parseInspectJsonBytes(
  bytes: Uint8Array,
  what: string,
  options: ParseOptions = {},
): JsonValue {
  return parseInspectJson(utf8.decode(bytes), what, options);
}

/**
 * Serialise like Inspect: NaN and ±Infinity as bare tokens, bigints as exact integers, lexical
 * numbers as their text.
 *
 * The output is what Inspect itself reads back; parse it with parseInspectJson. JSON.stringify
 * writes the value, with markers standing for those tokens; a user's string that looks like a
 * marker is itself replaced by a marker standing for its own text, so it is written as it was.
 * Values nested too deep for JSON.stringify's recursion are written by an iterative writer.
 */
export function stringifyInspectJson(value: unknown, indent?: number): string {
  const replacements: string[] = [];
  const placeholder = (text: string): string => {
    replacements.push(text);
    return `${MARKER_PREFIX}${replacements.length - 1}`;
  };
  let json: string;
  try {
    json = JSON.stringify(
      value,
      function (this: unknown, key: string, item: unknown) {
        // A lexical number's toJSON already ran; its holder still has it, text and all.
        const raw = (this as Record<string, unknown>)[key];
        if (raw instanceof LexicalNumber) return placeholder(raw.text);
        if (typeof item === 'bigint') return placeholder(item.toString());
        if (typeof item === 'number' && !Number.isFinite(item))
          return placeholder(specialText(item));
        if (typeof item === 'string' && item.startsWith(MARKER_PREFIX))
          return placeholder(JSON.stringify(item));
        return item;
      },
      indent,
    );
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return writeIteratively(value, indent);
  }
  if (replacements.length === 0) return json;
  // A marker is a whole value: after `[`, `,`, `:` or whitespace, never after a backslash (a
  // quote inside a string), and never followed by `:` (a key).
  return json.replace(MARKER_PATTERN, (_match, index: string) => replacements[Number(index)]!);
}

const MARKER_PATTERN = new RegExp(
  `(?<![^\\[,:\\s])${escapeRegExp(JSON.stringify(MARKER_PREFIX).slice(0, -1))}(\\d+)"(?!:)`,
  'g',
);

function specialText(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The same text as {@link stringifyInspectJson}, written with an explicit stack instead of
 * recursion: for values nested deeper than JSON.stringify's recursion allows (a hostile log).
 * Follows JSON.stringify's rules (toJSON, omitted undefined and functions, null in arrays).
 */
function writeIteratively(root: unknown, indent?: number): string {
  const gap = typeof indent === 'number' ? ' '.repeat(Math.min(10, Math.max(0, indent))) : '';
  const out: string[] = [];
  let length = 0;
  const emit = (text: string): void => {
    length += text.length;
    // V8's longest string: the same limit JSON.stringify reports, as a typed error.
    if (length > MAX_STRING_CHARS) {
      throw new SalvageError('size-limit', 'The value is too large to write as one JSON text.');
    }
    out.push(text);
  };
  // The open containers, innermost last: each with its keys (null for an array), the next
  // member to write, and how many were written.
  const containers: object[] = [];
  const keyLists: Array<string[] | null> = [];
  const nexts: number[] = [];
  const written: number[] = [];
  const inProgress = new Set<object>();
  // Writes a scalar, or opens a container (pushed on the stack); false when the value is omitted.
  const write = (key: string, input: unknown): boolean => {
    if (input instanceof LexicalNumber) {
      emit(input.text);
      return true;
    }
    let value = input;
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ) {
      value = (value as { toJSON: (key: string) => unknown }).toJSON.call(value, key);
    }
    switch (typeof value) {
      case 'string':
        emit(JSON.stringify(value));
        return true;
      case 'number':
        emit(Number.isFinite(value) ? String(value) : specialText(value));
        return true;
      case 'boolean':
        emit(value ? 'true' : 'false');
        return true;
      case 'bigint':
        emit(value.toString());
        return true;
      case 'object': {
        if (value === null) {
          emit('null');
          return true;
        }
        if (inProgress.has(value)) throw new TypeError('Converting circular structure to JSON');
        inProgress.add(value);
        const isArray = Array.isArray(value);
        emit(isArray ? '[' : '{');
        containers.push(value);
        keyLists.push(isArray ? null : Object.keys(value));
        nexts.push(0);
        written.push(0);
        return true;
      }
      default:
        return false;
    }
  };
  if (!write('', root)) return undefined as unknown as string;
  while (containers.length > 0) {
    const top = containers.length - 1;
    const container = containers[top]!;
    const keys = keyLists[top]!;
    const next = nexts[top]!;
    const count = keys === null ? (container as unknown[]).length : keys.length;
    if (next === count) {
      containers.pop();
      keyLists.pop();
      nexts.pop();
      inProgress.delete(container);
      if (gap && written.pop()! > 0) emit(`\n${gap.repeat(top)}`);
      else if (!gap) written.pop();
      emit(keys === null ? ']' : '}');
      continue;
    }
    nexts[top] = next + 1;
    const name = keys === null ? null : keys[next]!;
    const item =
      keys === null
        ? (container as unknown[])[next]
        : (container as Record<string, unknown>)[name!];
    if (
      name !== null &&
      (item === undefined || typeof item === 'function' || typeof item === 'symbol')
    )
      continue;
    if (written[top]! > 0) emit(',');
    written[top] = written[top]! + 1;
    if (gap) emit(`\n${gap.repeat(top + 1)}`);
    if (name !== null) emit(gap ? `${JSON.stringify(name)}: ` : `${JSON.stringify(name)}:`);
    // (A toJSON that gives undefined: JSON.stringify would drop the member; null keeps it valid.)
    if (!write(name ?? String(next), item)) emit('null');
  }
  return out.join('');
}

/** V8's maximum string length (2^29 − 24 characters). */
const MAX_STRING_CHARS = 2 ** 29 - 24;

/** Narrowing helpers for parsed JSON (input is unknown until proven otherwise). */
export function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof LexicalNumber)
  );
}

export function asJsonObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) {
    throw new SalvageError('not-an-inspect-log', `${what} is not a JSON object.`);
  }
  return value;
}

export function asJsonArray(value: unknown, what: string): ReadonlyArray<JsonValue> {
  if (!Array.isArray(value)) {
    throw new SalvageError('not-an-inspect-log', `${what} is not a JSON array.`);
  }
  return value as ReadonlyArray<JsonValue>;
}

/** A JSON object value that may be changed in place. */
export type MutableJsonObject = Record<string, JsonValue>;

/**
 * Open freshly parsed JSON, owned by the caller, for changes in place (a copy of a huge sample
 * would double its memory).
 */
export function editableJson(object: JsonObject): MutableJsonObject {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- it drops `readonly`, which the rule does not count
  return object as MutableJsonObject;
}
