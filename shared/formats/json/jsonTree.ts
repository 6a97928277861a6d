import { setOwn } from '../../util/records.ts';
import { isJsonObject, type JsonValue } from './inspectJson.ts';

/**
 * Walks over parsed JSON with an explicit stack instead of recursion: a log may nest values
 * deeper than the JavaScript stack allows (100,000 levels parse in a few bytes each), and a
 * recursive walk over them would end in a stack overflow instead of an answer.
 */

/**
 * A copy of `value` with every leaf (anything but an array or an object) replaced by `leaf(it)`;
 * with `sortKeys`, every object's keys in sorted order.
 */
export function mapJsonLeaves(
  value: JsonValue,
  leaf: (item: JsonValue) => JsonValue,
  options: { readonly sortKeys?: boolean } = {},
): JsonValue {
  if (!Array.isArray(value) && !isJsonObject(value)) return leaf(value);
  const root: JsonValue[] | Record<string, JsonValue> = Array.isArray(value) ? [] : {};
  const pending: Array<{ from: JsonValue; into: JsonValue[] | Record<string, JsonValue> }> = [
    { from: value, into: root },
  ];
  while (pending.length > 0) {
    const { from, into } = pending.pop()!;
    const copy = (item: JsonValue): JsonValue => {
      if (Array.isArray(item)) {
        const array: JsonValue[] = [];
        pending.push({ from: item, into: array });
        return array;
      }
      if (isJsonObject(item)) {
        const object: Record<string, JsonValue> = {};
        pending.push({ from: item, into: object });
        return object;
      }
      return leaf(item);
    };
    if (Array.isArray(into)) {
      for (const item of from as ReadonlyArray<JsonValue>) into.push(copy(item));
    } else {
      const object = from as Readonly<Record<string, JsonValue>>;
      const keys = Object.keys(object);
      if (options.sortKeys) keys.sort();
      for (const key of keys) setOwn(into, key, copy(object[key]!));
    }
  }
  return root;
}

/**
 * Replace, in place, every string of `value` for which `replace` returns something else (keys
 * stay as they are), visiting each container once however many places refer to it; returns the
 * value (a new one when `value` itself is a replaced string).
 */
export function replaceStringsInPlace(
  value: JsonValue,
  replace: (text: string) => JsonValue,
): JsonValue {
  if (typeof value === 'string') return replace(value);
  const pending: object[] = [];
  // Each container once: a sample's expanded pools refer to the same message from many places
  // (20,000 references to one message walked it 20,000 times).
  const seen = new Set<object>();
  if (typeof value === 'object' && value !== null) pending.push(value);
  while (pending.length > 0) {
    const container = pending.pop() as Record<string, unknown> | unknown[];
    if (seen.has(container)) continue;
    seen.add(container);
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item = container[i];
        if (typeof item === 'string') {
          const replaced = replace(item);
          if (replaced !== item) container[i] = replaced;
        } else if (typeof item === 'object' && item !== null && isContainer(item))
          pending.push(item);
      }
      continue;
    }
    for (const key of Object.keys(container)) {
      const item = container[key];
      if (typeof item === 'string') {
        const replaced = replace(item);
        // An own data property (JSON.parse made every key one, `__proto__` too): a plain set.
        if (replaced !== item) container[key] = replaced;
      } else if (typeof item === 'object' && item !== null && isContainer(item)) pending.push(item);
    }
  }
  return value;
}

function isContainer(value: object): boolean {
  return Array.isArray(value) || isJsonObject(value);
}
