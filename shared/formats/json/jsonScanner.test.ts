import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../bytes/byteSource.ts';
import {
  materializeBytes,
  materializeRange,
  MAX_VALUE_DEPTH,
  NO_TEXT_LIMITS,
} from '../sample/materialize.ts';
import { parseInspectJson, stringifyInspectJson, type JsonValue } from './inspectJson.ts';
import { JsonScanner, SKIP, TOP, type JsonScanHandler } from './jsonScanner.ts';
import { StringContentDecoder } from './jsonStrings.ts';
import { inspectJsonLength } from '../sample/jsonLength.ts';
import { readFileSync } from 'node:fs';
import { fixture, fixtureFiles } from '../../../test/support/fixtures.ts';

const encoder = new TextEncoder();

/** Deterministic PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'é', '"', '\\', '\n', '\u0001', '😀', 'attachment://', ' ', '{', ']', 'z'];

function randomString(random: () => number): string {
  let text = '';
  const length = Math.floor(random() * 12);
  for (let i = 0; i < length; i++) text += PIECES[Math.floor(random() * PIECES.length)];
  return text;
}

function randomValue(random: () => number, depth: number): JsonValue {
  const pick = Math.floor(random() * (depth > 4 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -0.5, 1e21, 12345678901234567890n, Number.NaN, Number.POSITIVE_INFINITY][
        Math.floor(random() * 6)
      ]!;
    case 3:
    case 4:
    case 5:
      return randomString(random);
    case 6:
    case 7: {
      const object: Record<string, JsonValue> = {};
      const members = Math.floor(random() * 5);
      for (let i = 0; i < members; i++)
        object[randomString(random)] = randomValue(random, depth + 1);
      return object;
    }
    default:
      return Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, depth + 1));
  }
}

/** Text with random whitespace between tokens (outside strings). */
function spaced(text: string, random: () => number): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    out += char;
    if (inString) {
      if (char === '\\') out += text[++i];
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (',:[]{}'.includes(char) && random() < 0.3) out += ' \n\t'[Math.floor(random() * 3)];
  }
  return out;
}

/** The bytes cut into random chunks, as decoders and reads deliver them. */
function chunked(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 3 : 40));
    chunks.push(bytes.slice(i, i + size));
    i += size;
  }
  return chunks;
}

/** Records every value's extent at every depth (everything tracked), and which were skipped. */
class Recorder implements JsonScanHandler {
  readonly spans: Array<[number, number]> = [];
  private readonly skipDepth: number;
  constructor(skipDepth: number) {
    this.skipDepth = skipDepth;
  }
  private depth = 0;
  enter(_parent: number, _key: string | null, _index: number, kind: string): number {
    if (kind !== 'object' && kind !== 'array') return 1;
    if (this.depth >= this.skipDepth) return SKIP;
    this.depth++;
    return 1;
  }
  leave(
    role: number,
    _p: number,
    _k: string | null,
    _i: number,
    start: number,
    end: number,
    text: string | null,
  ): void {
    if (text === null && role !== SKIP) this.depth--;
    this.spans.push([start, end]);
  }
}

const isScalarByte = (byte: number): boolean => /[0-9A-Za-z+\-.]/.test(String.fromCharCode(byte));

/**
 * The extent of every value nested at most `maxDepth` deep (the top value is at depth 0), in the
 * order they end: what a Recorder(maxDepth) must report, found by the plainest byte-by-byte walk
 * (no skipping of any kind) over valid JSON.
 */
function valueSpans(bytes: Uint8Array, maxDepth: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const open: number[] = [];
  const report = (start: number, end: number) => {
    if (open.length <= maxDepth) spans.push([start, end]);
  };
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i]!;
    const start = i;
    if (byte === 0x22) {
      for (i++; bytes[i] !== 0x22; i += bytes[i] === 0x5c ? 2 : 1);
      i++;
      let next = i;
      while (' \n\r\t'.includes(String.fromCharCode(bytes[next] ?? 0))) next++;
      if (bytes[next] !== 0x3a) report(start, i); // a key is not a value
    } else if (byte === 0x7b || byte === 0x5b) {
      open.push(i++);
    } else if (byte === 0x7d || byte === 0x5d) {
      report(open.pop()!, ++i);
    } else if (isScalarByte(byte)) {
      while (i < bytes.length && isScalarByte(bytes[i]!)) i++;
      report(start, i);
    } else i++;
  }
  return spans;
}

/** The spans a Recorder(skipDepth) gets from the bytes pushed in the given chunks. */
function scannedSpans(chunks: Uint8Array[], skipDepth: number): Array<[number, number]> {
  const recorder = new Recorder(skipDepth);
  const scanner = new JsonScanner(recorder);
  for (const chunk of chunks) scanner.push(chunk);
  scanner.finish();
  return recorder.spans;
}

describe('JSON scanner', () => {
  it('finds every value of pretty-printed JSON, indentation cut anywhere by the chunks', () => {
    // Indented text is mostly runs of spaces after line breaks, which the scanner reads four
    // bytes at a time; strings hold spaces, escaped line breaks, quotes and backslash runs.
    const random = seeded(17);
    for (let round = 0; round < 300; round++) {
      const value = {
        a: randomValue(random, 0),
        b: ['    \n    ', '\\\\"', randomValue(random, 1)],
      };
      const text = stringifyInspectJson(value, 1 + Math.floor(random() * 9));
      const bytes = encoder.encode(text);
      const skipDepth = Math.floor(random() * 4);
      const expected = valueSpans(bytes, skipDepth);
      expect(scannedSpans([bytes], skipDepth)).toEqual(expected);
      expect(scannedSpans(chunked(bytes, random), skipDepth)).toEqual(expected);
    }
  });

  it.each(fixtureFiles('.json'))(
    '%s: every value found as a plain byte-by-byte walk finds it, in any chunks',
    (path) => {
      const bytes = new Uint8Array(readFileSync(fixture(path)));
      const random = seeded(bytes.length);
      for (const skipDepth of [1, 3]) {
        const expected = valueSpans(bytes, skipDepth);
        expect(scannedSpans([bytes], skipDepth)).toEqual(expected);
        expect(scannedSpans(chunked(bytes, random), skipDepth)).toEqual(expected);
      }
    },
  );

  it('refuses truncated or unbalanced indented JSON with a typed error, wherever it is cut', () => {
    const text = stringifyInspectJson({ a: { b: ['x', { c: 'y\\' }], d: 1 }, e: [[]] }, 4);
    const bytes = encoder.encode(text);
    const scan = (input: Uint8Array) => () => scannedSpans(chunked(input, seeded(input.length)), 0);
    for (let cut = 1; cut < bytes.length - 1; cut++)
      expect(scan(bytes.subarray(0, cut))).toThrow(
        expect.objectContaining({ kind: 'invalid-json' }) as Error,
      );
    // A closing bracket of the wrong kind after indentation, in a skipped value.
    const unbalanced = encoder.encode(text.replace('\n        ]', '\n        }'));
    expect(unbalanced).not.toEqual(bytes);
    expect(scan(unbalanced)).toThrow(/unexpected "}"/);
  });

  it('parses random Inspect JSON in random chunks exactly as parseInspectJson', () => {
    const random = seeded(7);
    for (let round = 0; round < 400; round++) {
      const value = randomValue(random, 0);
      const text = spaced(stringifyInspectJson(value), random);
      const bytes = encoder.encode(text);
      const expected = parseInspectJson(text, 'expected');
      const builder = materializeBytes(bytes, 0, NO_TEXT_LIMITS, { remaining: Infinity }, 't');
      expect(builder.value).toEqual(expected);
      // The same through chunked pushes.
      const recorder = new Recorder(Math.floor(random() * 4));
      const scanner = new JsonScanner(recorder);
      for (const chunk of chunked(bytes, random)) scanner.push(chunk);
      scanner.finish();
      // Every reported extent is one whole value of the text.
      for (const [start, end] of recorder.spans) {
        const slice = new TextDecoder().decode(bytes.subarray(start, end));
        expect(() => parseInspectJson(slice, 'span')).not.toThrow();
      }
      expect(recorder.spans.at(-1)).toEqual([0, encoder.encode(text.trimEnd()).length]);
    }
  });

  it('keeps its own copy of a value split across chunks when the producer reuses its buffer', () => {
    // A decode ring hands out views of the same memory, overwritten once the scanner returns.
    const random = seeded(11);
    const texts = (push: (scanner: JsonScanner, chunk: Uint8Array) => void, bytes: Uint8Array) => {
      const seen: Array<string | null> = [];
      const scanner = new JsonScanner({
        enter: () => 1,
        leave: (_r, _p, key, _i, _s, _e, text) => seen.push(key, text),
      });
      for (const chunk of chunked(bytes, seeded(3))) push(scanner, chunk);
      scanner.finish();
      return seen;
    };
    const reused = Buffer.alloc(64);
    for (let round = 0; round < 100; round++) {
      const bytes = encoder.encode(stringifyInspectJson(randomValue(random, 0)));
      const fresh = texts((scanner, chunk) => scanner.push(chunk), bytes);
      const inRing = texts((scanner, chunk) => {
        reused.set(chunk);
        scanner.push(reused.subarray(0, chunk.length));
        reused.fill(0x7a);
      }, bytes);
      expect(inRing).toEqual(fresh);
    }
  });

  it('gives offsets in the whole stream when chunks split strings, escapes and UTF-8', async () => {
    const text = '{"a": "x\\\\\\"y😀", "b": [1, "\\u00e9", NaN, -Infinity, 123456789012345678901]}';
    const bytes = encoder.encode(text);
    for (let size = 1; size <= 8; size++) {
      const source = new MemoryByteSource(bytes);
      const spans: Array<[string | null, number, number]> = [];
      const scanner = new JsonScanner({
        enter: (_p, _k, _i, kind) => (kind === 'object' ? 1 : SKIP),
        leave: (_r, parent, key, _i, start, end) => {
          if (parent !== TOP) spans.push([key, start, end]);
        },
      });
      for (let i = 0; i < bytes.length; i += size)
        scanner.push(await source.read(i, Math.min(size, bytes.length - i)));
      scanner.finish();
      const decode = (start: number, end: number) =>
        new TextDecoder().decode(bytes.subarray(start, end));
      expect(spans.map(([key, start, end]) => [key, decode(start, end)])).toEqual([
        ['a', '"x\\\\\\"y😀"'],
        ['b', '[1, "\\u00e9", NaN, -Infinity, 123456789012345678901]'],
      ]);
    }
    const value = await materializeRange(
      new MemoryByteSource(bytes),
      0,
      bytes.length,
      NO_TEXT_LIMITS,
      { remaining: Infinity },
      't',
    );
    expect(value.value).toEqual(parseInspectJson(text, 't'));
  });

  it('skips nesting a million deep without recursion', () => {
    const depth = 1_000_000;
    const bytes = encoder.encode(`{"deep": ${'['.repeat(depth)}${']'.repeat(depth)}, "after": 1}`);
    const keys: Array<string | null> = [];
    const scanner = new JsonScanner({
      enter: (parent) => (parent === TOP ? 1 : SKIP),
      leave: (_r, parent, key) => {
        if (parent !== TOP) keys.push(key);
      },
    });
    scanner.push(bytes);
    scanner.finish();
    expect(keys).toEqual(['deep', 'after']);
    // Values handed out stop at the depth Inspect can write, with a typed error beyond it.
    const build = (levels: number) =>
      materializeBytes(
        encoder.encode(`${'['.repeat(levels)}${']'.repeat(levels)}`),
        0,
        NO_TEXT_LIMITS,
        { remaining: Infinity },
        't',
      ).value;
    expect(Array.isArray(build(MAX_VALUE_DEPTH))).toBe(true);
    expect(() => build(100_000)).toThrow(
      expect.objectContaining({ kind: 'invalid-json' }) as Error,
    );
  });

  it.each([
    ['{"a" 1}', /unexpected "1"/],
    ['{"a": [1, 2}', /unexpected "}"/],
    ['[1,]', /unexpected "]"/],
    ['{"a": 1} x', /unexpected "x"/],
    ['{"a": "unterminated', /truncated/],
    ['{"a": [[[', /truncated/],
    ['', /truncated/],
    ['{"a": "\\x"}', /malformed JSON string/],
    ['{"a": "tab\there"}', /malformed JSON string/],
    ['{"a": nope}', /not a value/],
    ['{"a": {"b": [}]}', /unexpected "}"/],
  ])('refuses %j with a typed error', (text, message) => {
    const run = () =>
      materializeBytes(
        encoder.encode(text),
        0,
        NO_TEXT_LIMITS,
        { remaining: Infinity },
        'The sample',
      );
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'invalid-json' });
    }
  });

  it('cuts long strings and reports where the whole one lies', () => {
    const long = 'é'.repeat(1000);
    const text = `{"short": "ok", "long": "${long}", "list": ["${long}"]}`;
    const bytes = encoder.encode(text);
    const cut = materializeBytes(
      bytes,
      100,
      { maxStringChars: 10, previewChars: 10 },
      { remaining: Infinity },
      't',
    );
    expect(cut.value).toEqual({ short: 'ok', long: 'é'.repeat(10), list: ['é'.repeat(10)] });
    expect(cut.truncations.map((t) => [t.path, t.shown, t.bytes])).toEqual([
      [['long'], 10, 2000],
      [['list', 0], 10, 2000],
    ]);
    const [start, end] = cut.truncations[0]!.ref.split(':').map(Number) as [number, number];
    expect(new TextDecoder().decode(bytes.subarray(start - 100, end - 100))).toBe(`"${long}"`);
    // A spent budget cuts every further string to the preview.
    const spent = materializeBytes(
      bytes,
      0,
      { maxStringChars: 2000, previewChars: 3 },
      { remaining: 1002 },
      't',
    );
    expect(spent.value).toEqual({ short: 'ok', long: long, list: ['ééé'] });
  });

  it('decodes a long string piece by piece, whatever the piece boundaries', () => {
    const text = 'a\\"b\\\\c\\u00e9d😀é\\ud83d\\ude00\\n'.repeat(50);
    const bytes = encoder.encode(text);
    const expected = JSON.parse(`"${text}"`) as string;
    for (let size = 1; size <= 9; size++) {
      const decoder = new StringContentDecoder('t');
      let out = '';
      for (let i = 0; i < bytes.length; i += size) out += decoder.push(bytes.subarray(i, i + size));
      out += decoder.finish();
      expect(out).toBe(expected);
    }
  });
});

describe('inspectJsonLength', () => {
  it('is the length of stringifyInspectJson, without building it', () => {
    const random = seeded(3);
    for (let round = 0; round < 300; round++) {
      const value = randomValue(random, 0);
      expect(inspectJsonLength(value)).toBe(stringifyInspectJson(value).length);
    }
    const value = {
      a: [1.5, -0, 1e21, 2n ** 70n, Number.NaN, -Infinity, true, null],
      'k"\\': 'x\u0001\n',
    };
    expect(inspectJsonLength(value)).toBe(stringifyInspectJson(value).length);
  });
});
