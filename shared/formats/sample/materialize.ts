import type { ByteSource } from '../bytes/byteSource.ts';
import type { JsonValue } from '../json/inspectJson.ts';
import { JsonScanner, TOP, type JsonKind, type JsonScanHandler } from '../json/jsonScanner.ts';
import { decodeStringContent, safePrefixLength } from '../json/jsonStrings.ts';
import { SalvageError } from '../../util/errors.ts';
import type { JsonPath, Truncation } from './pageTypes.ts';
import { stringRef } from './stringRef.ts';

/** Bytes read at a time while parsing a value out of the decoded sample. */
export const MATERIALIZE_READ_BYTES = 1024 * 1024;

/**
 * How much text one answer may carry. A string longer than `maxStringChars` is cut there; once
 * `budget.remaining` characters of text are spent, every further string is cut to
 * `previewChars`. Each cut is listed as a Truncation whose ref fetches the whole string.
 */
export interface TextLimits {
  readonly maxStringChars: number;
  readonly previewChars: number;
}

/** Characters of text an answer may still carry; shared by the parts of one item. */
export interface TextBudget {
  remaining: number;
  /** Set when a string was cut for want of budget (not for its own length). */
  squeezed?: boolean;
}

export interface Materialized {
  readonly value: JsonValue;
  readonly truncations: Truncation[];
}

/** Unbounded: the whole value, every string in full (the CLI's stream of small items, tests). */
export const NO_TEXT_LIMITS: TextLimits = {
  maxStringChars: Number.POSITIVE_INFINITY,
  previewChars: Number.POSITIVE_INFINITY,
};

/**
 * Parse the JSON value at [start, end) of the decoded sample into a JsonValue, cutting long
 * strings, without ever holding more than one read and the kept text.
 *
 * Semantics are parseInspectJson's (NaN and ±Infinity as numbers, integers beyond 2^53 as
 * bigint, duplicate keys: the last wins at the first one's place) so items read this way equal
 * those of the whole-sample reader.
 * TODO(inspectJson): when parseInspectJson learns lexical float forms, `scalarValue` follows.
 */
export async function materializeRange(
  source: ByteSource,
  start: number,
  end: number,
  limits: TextLimits,
  budget: TextBudget,
  what: string,
): Promise<Materialized> {
  const head = await source.read(start, Math.min(end - start, MATERIALIZE_READ_BYTES));
  if (head[0] === QUOTE) {
    const prefix = await stringPrefix(source, start, end, head, limits, budget, what);
    if (prefix) return prefix;
  }
  const builder = new ValueBuilder(limits, budget, what);
  const scanner = new JsonScanner(builder, { base: start, what });
  builder.scanner = scanner;
  scanner.push(head);
  for (let position = start + head.length; position < end; position += MATERIALIZE_READ_BYTES) {
    scanner.push(await source.read(position, Math.min(MATERIALIZE_READ_BYTES, end - position)));
  }
  scanner.finish();
  return { value: builder.result as JsonValue, truncations: builder.truncations };
}

/**
 * A value that is one long string (an attachment, a big field): its first characters decoded
 * from the bytes needed for them, without reading the rest. Null when it is not that case.
 */
async function stringPrefix(
  source: ByteSource,
  start: number,
  end: number,
  head: Uint8Array,
  limits: TextLimits,
  budget: TextBudget,
  what: string,
): Promise<Materialized | null> {
  const allowed = Math.min(limits.maxStringChars, Math.max(limits.previewChars, budget.remaining));
  const needed = allowed * 6 + 6;
  // Short enough to read whole, or the token does not end where the value does.
  if (!Number.isFinite(allowed) || end - start - 2 <= needed) return null;
  // Read what `allowed` characters take in plain text, more only if escapes or multi-byte
  // characters make that too little: decoding six times the bytes needed made garbage enough to
  // grow the heap by hundreds of MB over a few pages.
  let decoded: string;
  for (let bytes = allowed + 16; ; bytes = Math.min(needed, bytes * 2)) {
    const raw = bytes + 1 <= head.length ? head : await source.read(start, bytes + 1);
    const content = raw.subarray(1, bytes + 1);
    decoded = decodeStringContent(content.subarray(0, safePrefixLength(content)), what);
    if (decoded.length > allowed || bytes >= needed) break;
  }
  const text = cutText(decoded, allowed);
  if (allowed < limits.maxStringChars) budget.squeezed = true;
  budget.remaining -= text.length;
  return {
    value: text,
    truncations: [
      { path: [], ref: stringRef(start, end), bytes: end - start - 2, shown: text.length },
    ],
  };
}

/** The same over bytes already in memory (one read covering several items). */
export function materializeBytes(
  bytes: Uint8Array,
  base: number,
  limits: TextLimits,
  budget: TextBudget,
  what: string,
): Materialized {
  const builder = new ValueBuilder(limits, budget, what);
  const scanner = new JsonScanner(builder, { base, what });
  builder.scanner = scanner;
  scanner.push(bytes);
  scanner.finish();
  return { value: builder.result as JsonValue, truncations: builder.truncations };
}

const QUOTE = 0x22;

/**
 * Deepest value handed out. The index reads any depth, but a value goes on to JSON.stringify,
 * structured clone and the renderer, which all recurse; Inspect (Python's json, recursion limit
 * 1000) cannot write deeper than this anyway.
 */
export const MAX_VALUE_DEPTH = 1000;

export function tooDeep(what: string): SalvageError {
  return new SalvageError(
    'invalid-json',
    `${what} is nested more than ${MAX_VALUE_DEPTH} levels deep, deeper than Inspect writes; it cannot be shown.`,
  );
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/** A scalar's text as parseInspectJson reads it. */
export function scalarValue(text: string, what: string): JsonValue {
  switch (text) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
  }
  if (!NUMBER.test(text)) {
    throw new SalvageError(
      'invalid-json',
      `${what} is not valid JSON: "${text.slice(0, 40)}" is not a value.`,
    );
  }
  const number = Number(text);
  if (Number.isInteger(number) && !Number.isSafeInteger(number) && INTEGER.test(text)) {
    return BigInt(text);
  }
  return number;
}

/** Cut `text` to `chars` UTF-16 units without leaving half a surrogate pair at the end. */
export function cutText(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const code = text.charCodeAt(chars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? chars - 1 : chars);
}

type Container = Record<string, JsonValue> | JsonValue[];

/** Builds values from the scanner's reports; an explicit stack, so depth costs no recursion. */
class ValueBuilder implements JsonScanHandler {
  scanner!: JsonScanner;
  result: JsonValue | undefined;
  readonly truncations: Truncation[] = [];
  private readonly stack: Container[] = [];
  /** Key (or index) of each open container in its parent. */
  private readonly path: Array<string | number> = [];
  private leafKind: JsonKind = 'scalar';
  private allowed = 0;
  private readonly limits: TextLimits;
  private readonly budget: TextBudget;
  private readonly what: string;

  constructor(limits: TextLimits, budget: TextBudget, what: string) {
    this.limits = limits;
    this.budget = budget;
    this.what = what;
  }

  enter(parentRole: number, key: string | null, index: number, kind: JsonKind): number {
    if (kind === 'object' || kind === 'array') {
      if (this.stack.length >= MAX_VALUE_DEPTH) throw tooDeep(this.what);
      if (parentRole !== TOP) this.path.push(this.slot(key, index));
      this.stack.push(kind === 'object' ? {} : []);
      return 1;
    }
    this.leafKind = kind;
    if (kind === 'string') {
      const { maxStringChars, previewChars } = this.limits;
      this.allowed = Math.min(maxStringChars, Math.max(previewChars, this.budget.remaining));
      // Six bytes per UTF-16 unit at most (`\uXXXX`): enough raw bytes to know the first
      // `allowed` characters, and whether there are more.
      this.scanner.stringCaptureBytes = Number.isFinite(this.allowed)
        ? this.allowed * 6 + 6
        : Number.MAX_SAFE_INTEGER;
    }
    return 1;
  }

  leave(
    _role: number,
    parentRole: number,
    key: string | null,
    index: number,
    start: number,
    end: number,
    text: string | null,
    complete: boolean,
  ): void {
    let value: JsonValue;
    if (text === null) {
      value = this.stack.pop()!;
      if (parentRole !== TOP) this.path.pop();
    } else if (this.leafKind === 'string') {
      value = text;
      if (!complete || text.length > this.allowed) {
        value = cutText(text, this.allowed);
        if (this.allowed < this.limits.maxStringChars) this.budget.squeezed = true;
        this.truncations.push({
          path: parentRole === TOP ? [...this.path] : [...this.path, this.slot(key, index)],
          ref: stringRef(start, end),
          bytes: end - start - 2,
          shown: value.length,
        });
      }
      this.budget.remaining -= value.length;
    } else {
      value = scalarValue(text, this.what);
    }
    if (parentRole === TOP) {
      this.result = value;
      return;
    }
    const parent = this.stack[this.stack.length - 1]!;
    if (Array.isArray(parent)) parent.push(value);
    else if (key === '__proto__') {
      // As JSON.parse does: an own property, not the prototype.
      Object.defineProperty(parent, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else parent[key!] = value;
  }

  private slot(key: string | null, index: number): string | number {
    const parent = this.stack[this.stack.length - 1];
    return Array.isArray(parent) ? index : key!;
  }
}

export type { JsonPath };
