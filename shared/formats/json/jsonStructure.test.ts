import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../bytes/byteSource.ts';
import { isSalvageError } from '../../util/errors.ts';
import { scanObjectLayout } from './jsonStructure.ts';

const scan = (text: string) =>
  scanObjectLayout(new MemoryByteSource(new TextEncoder().encode(text)), new Set(['samples']));

describe('top-level keys of a .json log', () => {
  it.each([
    ['a raw control character', '{"ev\u0001al": {}, "status": "started"}'],
    ['a bad escape', '{"ev\\qal": {}}'],
    ['a truncated unicode escape', '{"\\u12": 1}'],
  ])('with %s is a typed invalid-json error (it escaped as a SyntaxError)', async (_, text) => {
    const error = await scan(text).catch((thrown: unknown) => thrown);
    expect(isSalvageError(error) && error.kind).toBe('invalid-json');
  });

  it('with escapes and non-ASCII are read as their text', async () => {
    const layout = await scan('{"\\u00e9t\\"at": 1, "clé": 2}');
    expect(layout.members.map((member) => member.key)).toEqual(['ét"at', 'clé']);
  });
});
