import type { ByteSource } from '../bytes/byteSource.ts';
import { JsonScanner, SKIP, TOP } from '../json/jsonScanner.ts';
import { MATERIALIZE_READ_BYTES } from './materialize.ts';

/** One member of a JSON object: its key and the byte range of its value. */
export interface Member {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The members of the object at [start, end) by key, without parsing their values (a model
 * event's `input_refs` beside a 100 MB output), or null when the value is not an object. A
 * duplicate key keeps the first one's place and the last one's value, as JSON.parse does.
 */
export async function objectMembers(
  bytes: ByteSource,
  start: number,
  end: number,
): Promise<Map<string, Member> | null> {
  const members = new Map<string, Member>();
  let object = false;
  const scanner = new JsonScanner(
    {
      enter: (parent, _key, _index, kind) => {
        if (parent !== TOP) return SKIP;
        object = kind === 'object';
        return object ? 1 : SKIP;
      },
      leave: (_role, parent, key, _index, memberStart, memberEnd) => {
        if (parent !== TOP) members.set(key!, { key: key!, start: memberStart, end: memberEnd });
      },
    },
    { base: start, what: 'A value of the sample' },
  );
  for (let position = start; position < end; position += MATERIALIZE_READ_BYTES) {
    scanner.push(await bytes.read(position, Math.min(MATERIALIZE_READ_BYTES, end - position)));
  }
  scanner.finish();
  return object ? members : null;
}
