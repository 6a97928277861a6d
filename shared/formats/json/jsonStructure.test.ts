import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../bytes/byteSource.ts';
import { isSalvageError } from '../../util/errors.ts';
import { JSON_SCAN_CHUNK_BYTES } from '../../util/limits.ts';
import { scanObjectLayout } from './jsonStructure.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Each member's value and each sample, parsed from the spans the scan found. */
async function scanned(text: string): Promise<{
  members: Record<string, unknown>;
  samples: unknown[];
}> {
  const bytes = encoder.encode(text);
  const layout = await scanObjectLayout(new MemoryByteSource(bytes), new Set(['samples']));
  const parse = ({ start, end }: { start: number; end: number }): unknown =>
    JSON.parse(decoder.decode(bytes.subarray(start, end)));
  return {
    members: Object.fromEntries(layout.members.map((member) => [member.key, parse(member)])),
    samples: (layout.elements.get('samples') ?? []).map(parse),
  };
}

describe('the layout scan of a JSON log', () => {
  it('finds members and samples whatever their strings hold: quotes, backslashes, brackets', async () => {
    const log = {
      'a "quoted" key': 1,
      eval: { task: 'say \\"}]' },
      samples: [
        { id: 1, text: 'ends in a backslash \\' },
        { id: 2, text: '\\\\"} , ["', nested: [{ deep: '"' }] },
        'a "string" sample',
      ],
      status: 'success',
    };
    const found = await scanned(JSON.stringify(log, null, 2));
    expect(found.members).toEqual(log);
    expect(found.samples).toEqual(log.samples);
  });

  it('follows a string across a chunk boundary, an escape cut in two included', async () => {
    for (const backslashes of [1, 2, 3]) {
      // The string's backslash run ends exactly at the end of the first chunk.
      const prefix = '{"samples": [{"text": "';
      const filler = 'x'.repeat(JSON_SCAN_CHUNK_BYTES - prefix.length - backslashes);
      const escape =
        backslashes % 2 === 1 ? '\\'.repeat(backslashes) + '"' : '\\'.repeat(backslashes);
      const text = `${prefix}${filler}${escape}"}, {"id": 2}], "status": "x", "eval": {}}`;
      const found = await scanned(text);
      expect(found.samples).toHaveLength(2);
      expect(found.samples[1]).toEqual({ id: 2 });
      expect(found.members.status).toBe('x');
    }
  });

  it('refuses a log cut inside a string', async () => {
    await expect(scanned('{"eval": {}, "samples": [{"text": "never ends')).rejects.toMatchObject({
      kind: 'invalid-json',
    });
  });
});

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
