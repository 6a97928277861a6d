/**
 * Plain records keyed by text from files (model names, metric names, attachment hashes, JSON
 * keys). A key like `__proto__` must stay data: `record[key] = value` would instead replace the
 * record's prototype (the member is lost), and reading `record[key]` for `__proto__`,
 * `constructor` or `toString` finds Object.prototype's members, which a `+=` then writes to for
 * the whole process. Every record filled or summed from file content goes through these.
 */

/** Set `key` as an own, enumerable data property, whatever the key. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else record[key] = value;
}

/** The record's own value for `key`, never an inherited one. */
export function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
