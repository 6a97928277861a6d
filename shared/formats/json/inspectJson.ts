import { SalvageError } from '../../util/errors.ts';

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

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;
const parseWith = JSON.parse as (text: string, reviver?: Reviver) => unknown;

const SENTINEL_PREFIX = '\u0000salvage-number:';
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};
/** 16 digits in a row may be an integer beyond 2^53 (or just digits in a string: then the slower path finds nothing). */
const MAYBE_UNSAFE_INTEGER = /\d{16}/;

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
 * rounds. The fast path is plain JSON.parse; only text that needs it pays for the repair.
 * With `lossless`, numbers also keep their text (see {@link ParseOptions}).
 */
export function parseInspectJson(
  text: string,
  what: string,
  options: ParseOptions = {},
): JsonValue {
  if (options.lossless) return parseLossless(text, what);
  const maybeUnsafe = MAYBE_UNSAFE_INTEGER.test(text);
  try {
    // A reviver costs a call per value (it tripled the time of a listing): parse plainly, and
    // again with one only when a value came out as an integer JavaScript cannot hold exactly.
    const value = JSON.parse(text) as JsonValue;
    return maybeUnsafe && holdsUnsafeInteger(value)
      ? (parseWith(text, reviveExactIntegers) as JsonValue)
      : value;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const repaired = replaceSpecialNumbers(text);
    if (repaired === text) throw invalidJson(what, error);
    try {
      return parseWith(repaired, reviveSpecialNumbers(maybeUnsafe)) as JsonValue;
    } catch (second) {
      if (second instanceof SyntaxError) throw invalidJson(what, second);
      throw second;
    }
  }
}

const LEXICAL_PREFIX = '\u0000salvage-lexical:';

/**
 * The lossless parse: one pass over the text turns every number token JavaScript would write
 * differently (and NaN, ±Infinity) into a marker string; JSON.parse, without a reviver (which
 * would cost a call per value); then a walk turns the markers into their values. Most numbers
 * (short integers, shortest-form floats) are left to JSON.parse.
 */
function parseLossless(text: string, what: string): JsonValue {
  const marked = markLexicalNumbers(text);
  let value: JsonValue;
  try {
    value = JSON.parse(marked.text) as JsonValue;
  } catch (error) {
    if (error instanceof SyntaxError) throw invalidJson(what, error);
    throw error;
  }
  return marked.count > 0 ? restoreLexicalNumbers(value) : value;
}

function markLexicalNumbers(text: string): { text: string; count: number } {
  const parts: string[] = [];
  let copied = 0;
  let count = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      // A string: skip to its closing quote, escapes included.
      for (i += 1; i < length; i++) {
        const inner = text.charCodeAt(i);
        if (inner === 0x5c) i += 1;
        else if (inner === 0x22) break;
      }
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
    const token = text.slice(i, end);
    if (keepsText(token)) {
      parts.push(text.slice(copied, i), JSON.stringify(LEXICAL_PREFIX + token));
      copied = end;
      count += 1;
    }
    i = end - 1;
  }
  if (count === 0) return { text, count };
  parts.push(text.slice(copied));
  return { text: parts.join(''), count };
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

/** Whether a number token must keep its text: JSON.parse and String() would not give it back. */
function keepsText(token: string): boolean {
  // NaN and ±Infinity, which JSON.parse does not take.
  if (token in SPECIAL_NUMBERS) return true;
  const digits = token.charCodeAt(0) === 0x2d ? token.length - 1 : token.length;
  // A short integer (no leading zeros or + in JSON) comes back the same; -0 does not.
  if (digits < 16 && /^-?\d+$/.test(token)) return token === '-0';
  return String(Number(token)) !== token;
}

function restoreLexicalNumbers(value: JsonValue): JsonValue {
  if (typeof value === 'string') {
    if (!value.startsWith(LEXICAL_PREFIX)) return value;
    const token = value.slice(LEXICAL_PREFIX.length);
    const special = SPECIAL_NUMBERS[token];
    if (special !== undefined) return special;
    const number = Number(token);
    if (/^-?\d+$/.test(token) && token !== '-0' && !Number.isSafeInteger(number))
      return BigInt(token);
    return new LexicalNumber(token, number);
  }
  if (Array.isArray(value)) {
    const array = value as JsonValue[];
    for (let i = 0; i < array.length; i++) array[i] = restoreLexicalNumbers(array[i]!);
    return array;
  }
  if (isJsonObject(value)) {
    const object = value as Record<string, JsonValue>;
    for (const key of Object.keys(object)) object[key] = restoreLexicalNumbers(object[key]!);
  }
  return value;
}

function invalidJson(what: string, error: SyntaxError): SalvageError {
  return new SalvageError('invalid-json', `${what} is not valid JSON (${error.message}).`, {
    cause: error,
  });
}

/** Whether a parsed value holds an integer beyond 2^53 (rounded by JSON.parse). */
function holdsUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsUnsafeInteger);
  for (const key in value)
    if (holdsUnsafeInteger((value as Record<string, unknown>)[key])) return true;
  return false;
}

const reviveExactIntegers: Reviver = (_key, value, context) => {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source;
    if (source !== undefined && /^-?\d+$/.test(source)) return BigInt(source);
  }
  return value;
};

function reviveSpecialNumbers(exactIntegers: boolean): Reviver {
  return (key, value, context) => {
    if (typeof value === 'string' && value.startsWith(SENTINEL_PREFIX)) {
      return SPECIAL_NUMBERS[value.slice(SENTINEL_PREFIX.length)] ?? value;
    }
    return exactIntegers ? reviveExactIntegers(key, value, context) : value;
  };
}

/** Replace bare NaN/Infinity/-Infinity tokens outside strings by sentinel strings. */
function replaceSpecialNumbers(text: string): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    if (code === 0x4e && text.startsWith('NaN', i)) token = 'NaN';
    else if (code === 0x49 && text.startsWith('Infinity', i)) token = 'Infinity';
    else if (code === 0x2d && text.startsWith('-Infinity', i)) token = '-Infinity';
    if (token === undefined) continue;
    parts.push(text.slice(copiedUpTo, i), JSON.stringify(SENTINEL_PREFIX + token));
    i += token.length - 1;
    copiedUpTo = i + 1;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
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
 * Serialise like Inspect: NaN and ±Infinity as bare tokens, bigints as exact integers.
 *
 * The output is what Inspect itself reads back; parse it with parseInspectJson.
 */
export function stringifyInspectJson(value: unknown, indent?: number): string {
  const replacements: string[] = [];
  const placeholder = (text: string): string => {
    replacements.push(text);
    return `${SENTINEL_PREFIX}${replacements.length - 1}`;
  };
  const json = JSON.stringify(
    value,
    function (this: unknown, key: string, item: unknown) {
      // A lexical number's toJSON already ran; its holder still has it, text and all.
      const raw = (this as Record<string, unknown>)[key];
      if (raw instanceof LexicalNumber) return placeholder(raw.text);
      if (typeof item === 'bigint') return placeholder(item.toString());
      if (typeof item === 'number' && !Number.isFinite(item)) {
        return placeholder(Number.isNaN(item) ? 'NaN' : item > 0 ? 'Infinity' : '-Infinity');
      }
      return item;
    },
    indent,
  );
  if (replacements.length === 0) return json;
  const quotedPrefix = JSON.stringify(SENTINEL_PREFIX).slice(0, -1);
  return json.replace(
    new RegExp(`${escapeRegExp(quotedPrefix)}(\\d+)"`, 'g'),
    (_match, index: string) => replacements[Number(index)] ?? 'null',
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
