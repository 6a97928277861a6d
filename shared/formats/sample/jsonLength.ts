import type { JsonValue } from '../json/inspectJson.ts';

// Control characters are what JSON escapes: the point of these patterns.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex
const ESCAPES = /["\\\u0000-\u001f]/g;
/** Control characters JSON writes in two characters (`\n`); the others take six (`\u0001`). */
const SHORT_ESCAPES = new Set(['"', '\\', '\b', '\f', '\n', '\r', '\t']);

/**
 * The length of `stringifyInspectJson(value)` (compact), computed without building the text:
 * a page is measured item by item as it is filled, and serialising each item to measure it
 * cost more than reading it. Exact but for lone surrogates (JSON.stringify escapes each in six
 * characters; counted as one), which Inspect does not write (it replaces them).
 */
export function inspectJsonLength(value: unknown, known?: ReadonlyMap<string, number>): number {
  let length = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    switch (typeof item) {
      case 'string':
        // Long strings measured before (attachments a page repeats) are looked up: the map
        // hashes a string once, where counting escapes scans it each time.
        length +=
          (item.length >= KNOWN_MIN_CHARS ? known?.get(item) : undefined) ?? stringLength(item);
        break;
      case 'number':
        length += Number.isFinite(item)
          ? String(item).length
          : Number.isNaN(item)
            ? 3
            : item > 0
              ? 8
              : 9;
        break;
      case 'bigint':
        length += item.toString().length;
        break;
      case 'boolean':
        length += item ? 4 : 5;
        break;
      case 'object':
        if (item === null) {
          length += 4;
        } else if (Array.isArray(item)) {
          const array = item as JsonValue[];
          length += 2 + Math.max(0, array.length - 1);
          for (let i = array.length - 1; i >= 0; i--)
            stack.push(array[i] === undefined ? null : array[i]);
        } else {
          const object = item as Record<string, unknown>;
          let members = 0;
          for (const key of Object.keys(object)) {
            const member = object[key];
            if (member === undefined || typeof member === 'function') continue;
            members++;
            length += stringLength(key) + 1;
            stack.push(member);
          }
          length += 2 + Math.max(0, members - 1);
        }
        break;
      default:
        break;
    }
  }
  return length;
}

/** Strings shorter than this are measured, never looked up. */
export const KNOWN_MIN_CHARS = 1024;

/** The JSON length of a string: quotes and escapes included. */
export function stringLength(text: string): number {
  if (!NEEDS_ESCAPE.test(text)) return text.length + 2;
  let extra = 0;
  for (const match of text.matchAll(ESCAPES)) extra += SHORT_ESCAPES.has(match[0]) ? 1 : 5;
  return text.length + 2 + extra;
}
