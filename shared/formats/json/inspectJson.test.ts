import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeZlibCodecs } from '../../../electron/node/codecs/nodeZlibCodecs.ts';
import { FileByteSource } from '../../../electron/node/io/fileByteSource.ts';
import { fixture } from '../../../test/support/fixtures.ts';
import { isSalvageError } from '../../util/errors.ts';
import { MAX_JSON_DEPTH } from '../../util/limits.ts';
import { readCentralDirectory } from '../zip/centralDirectory.ts';
import { readEntryText } from '../zip/entryReader.ts';
import {
  isJsonObject,
  LexicalNumber,
  numberOf,
  parseInspectJson,
  pythonFloat,
  pythonFloatRepr,
  stringifyInspectJson,
  type JsonValue,
} from './inspectJson.ts';

const lossless = (text: string): JsonValue => parseInspectJson(text, 'test', { lossless: true });

describe('the default parse', () => {
  it('is unchanged: plain numbers, NaN and Infinity, exact big integers', () => {
    const value = parseInspectJson(
      '{"a": 2.0, "b": 1e-05, "c": NaN, "d": -Infinity, "e": 12345678901234567890}',
      'test',
    ) as Record<string, JsonValue>;
    expect(value.a).toBe(2);
    expect(typeof value.a).toBe('number');
    expect(value.b).toBe(0.00001);
    expect(value.c).toBeNaN();
    expect(value.d).toBe(Number.NEGATIVE_INFINITY);
    expect(value.e).toBe(12345678901234567890n);
  });

  it('gives a small plain text what JSON.parse gives, and still takes what JSON.parse cannot', () => {
    const plain =
      '{"a": "\\u0000x", "n": 123456789012345, "f": 0.13333333333333333, "s": [true, null, -1e-7]}';
    expect(parseInspectJson(plain, 'test')).toEqual(JSON.parse(plain));
    expect(parseInspectJson('[1, NaN, -Infinity]', 'test')).toEqual([1, NaN, -Infinity]);
    expect(parseInspectJson('{"id": 9007199254740993}', 'test')).toEqual({
      id: 9007199254740993n,
    });
    expect(parseInspectJson('[-9007199254740993, 1.5]', 'test')).toEqual([-9007199254740993n, 1.5]);
    expect(() => parseInspectJson('{"a": }', 'The entry')).toThrow(/The entry is not valid JSON/);
    expect(() => parseInspectJson('[NaN, }', 'The entry')).toThrow(/The entry is not valid JSON/);
  });

  it('keeps a big integer exact among long floats, and long floats as numbers', () => {
    const value = parseInspectJson(
      '{"time": 0.0005495408549904, "rows": [{"n": [1, -98765432109876543210]}], "big": 1e300}',
      'test',
    ) as { time: number; rows: Array<{ n: JsonValue[] }>; big: number };
    expect(value.time).toBe(0.0005495408549904);
    expect(value.rows[0]!.n).toEqual([1, -98765432109876543210n]);
    // An integer-valued float written as a float stays a number.
    expect(value.big).toBe(1e300);
    expect(parseInspectJson('{"time": 0.0005495408549904}', 'test')).toEqual({
      time: 0.0005495408549904,
    });
  });
});

describe('the lossless parse', () => {
  it('keeps the text of every number JavaScript would write differently', () => {
    const value = lossless(
      '{"a": 2.0, "b": 1e-05, "c": -0, "d": 0.5, "e": 3, "f": NaN, "g": 12345678901234567890, "h": [1.0E+2]}',
    ) as Record<string, JsonValue>;
    expect(value.a).toBeInstanceOf(LexicalNumber);
    expect((value.a as LexicalNumber).isFloat).toBe(true);
    expect((value.c as LexicalNumber).isFloat).toBe(false);
    // Numbers JavaScript writes the same way stay plain numbers.
    expect(value.d).toBe(0.5);
    expect(value.e).toBe(3);
    expect(value.f).toBeNaN();
    expect(value.g).toBe(12345678901234567890n);
    expect(stringifyInspectJson(value)).toBe(
      '{"a":2.0,"b":1e-05,"c":-0,"d":0.5,"e":3,"f":NaN,"g":12345678901234567890,"h":[1.0E+2]}',
    );
    // Arithmetic and JSON.stringify see the value; isJsonObject does not take it for an object.
    expect(numberOf(value.a)).toBe(2);
    expect(Number(value.a) + 1).toBe(3);
    expect(JSON.stringify(value.h)).toBe('[100]');
    expect(isJsonObject(value.a)).toBe(false);
    expect(stringifyInspectJson(value, 2)).toContain('"a": 2.0,');
  });

  it('leaves numbers inside strings alone and takes the bare special numbers anywhere', () => {
    const text = '["say \\"2.0\\" -Infinity", -Infinity, Infinity, NaN, 1E5, {"k": -0.0}]';
    const value = lossless(text) as JsonValue[];
    expect(value[0]).toBe('say "2.0" -Infinity');
    expect(value.slice(1, 4)).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ]);
    expect(stringifyInspectJson(value)).toBe(text.replace(/, /g, ',').replace(': ', ':'));
    expect(() => lossless('{"a": 2.0,')).toThrow(/not valid JSON/);
  });

  it('writes every entry of real Inspect logs back byte for byte (the default parse does not)', async () => {
    const logs = [
      ...['db-basic', 'db-strids-errors', 'fs-only'].map((name) => {
        const folder = fixture(`real-crashes/expected/${name}`);
        return join(
          folder,
          readdirSync(folder).find((file) => file.endsWith('.eval'))!,
        );
      }),
      ...readdirSync(fixture('real-crashes/fin-small/logs'))
        .filter((file) => file.endsWith('.eval'))
        .map((file) => fixture(`real-crashes/fin-small/logs/${file}`)),
    ];
    let entries = 0;
    let changedByDefault = 0;
    for (const log of logs) {
      const source = await FileByteSource.open(log);
      try {
        for (const entry of (await readCentralDirectory(source)).entries) {
          const text = await readEntryText(source, entry, nodeZlibCodecs());
          expect(stringifyInspectJson(lossless(text)), `${log}: ${entry.name}`).toBe(text);
          if (stringifyInspectJson(parseInspectJson(text, entry.name)) !== text)
            changedByDefault += 1;
          entries += 1;
        }
      } finally {
        await source.close();
      }
    }
    expect(entries).toBeGreaterThan(60);
    expect(changedByDefault).toBeGreaterThan(10);
  });
});

describe('computed floats', () => {
  it('are written as Python writes floats', () => {
    // Expected texts are Python's repr(float(x)).
    const cases: Array<[number, string]> = [
      [1, '1.0'],
      [0, '0.0'],
      [0.75, '0.75'],
      [1 / 3, '0.3333333333333333'],
      [0.00001, '1e-05'],
      [0.0001, '0.0001'],
      [1e16, '1e+16'],
      [1234567890123456, '1234567890123456.0'],
      [-2.5e-7, '-2.5e-07'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [5e-324, '5e-324'],
    ];
    for (const [value, text] of cases) expect(pythonFloatRepr(value)).toBe(text);
    expect(stringifyInspectJson({ value: pythonFloat(1), other: pythonFloat(0.25) })).toBe(
      '{"value":1.0,"other":0.25}',
    );
    expect(stringifyInspectJson([pythonFloat(Number.NaN)])).toBe('[NaN]');
  });
});

describe('hostile JSON (issue 15)', () => {
  const deep = (levels: number, inner: string): string =>
    '['.repeat(levels) + inner + ']'.repeat(levels);
  const depthOf = (value: JsonValue): number => {
    let depth = 0;
    for (let at: JsonValue = value; Array.isArray(at); at = (at as JsonValue[])[0]!) depth++;
    return depth;
  };

  it('parses and writes 10,000 levels of nesting in both modes, with NaN and big integers inside', () => {
    for (const inner of ['NaN', '12345678901234567890', '2.0', '"x"']) {
      const text = deep(MAX_JSON_DEPTH - 1, inner);
      for (const options of [{}, { lossless: true }]) {
        const value = parseInspectJson(text, 'deep', options);
        expect(depthOf(value)).toBe(MAX_JSON_DEPTH - 1);
        expect(stringifyInspectJson(value)).toBe(
          options.lossless || inner !== '2.0' ? text : deep(MAX_JSON_DEPTH - 1, '2'),
        );
      }
    }
    // Indented too (the output grows with the square of the depth: 5,000 levels, 12.5 M spaces).
    const indented = stringifyInspectJson(parseInspectJson(deep(5_000, '[1, 2]'), 'deep'), 1);
    expect(indented.replace(/\s/g, '')).toBe(deep(5_000, '[1,2]'));
    expect(indented.startsWith('[\n [\n  [\n')).toBe(true);
  });

  it('refuses text nested deeper than any log, before parsing it (a bomb of [ took 6 s and 1.5 GB)', () => {
    const bomb = '['.repeat(32 * 1024 * 1024);
    for (const options of [{}, { lossless: true }]) {
      const started = performance.now();
      let kind = '';
      try {
        parseInspectJson(bomb, 'bomb', options);
      } catch (error) {
        kind = isSalvageError(error) ? error.kind : 'untyped';
      }
      expect(kind).toBe('invalid-json');
      expect(performance.now() - started).toBeLessThan(500);
      expect(() => parseInspectJson(`{"a":${deep(MAX_JSON_DEPTH, '1')}}`, 'x', options)).toThrow(
        /nested deeper than 10000 levels/,
      );
    }
  });

  it('writes a deep object the way JSON.stringify does (keys, indent, omitted members)', () => {
    let value: Record<string, unknown> = { leaf: [1, NaN, 'a', null, undefined] };
    for (let i = 0; i < 5_000; i++) value = { k: value, skip: undefined, n: 12345678901234567890n };
    const text = stringifyInspectJson(value, 2);
    expect(text.startsWith('{\n  "k": {\n    "k": {')).toBe(true);
    expect(text).toContain('"leaf": [\n');
    expect(text).toContain('NaN,\n');
    expect(text).not.toContain('skip');
    expect(text).toContain('"n": 12345678901234567890');
  });

  it('never reads a user string as a number, nor writes one as a number (the sentinel is escaped)', () => {
    const sentinel = '\u0000salvage-number:Infinity';
    const placeholder = '\u0000salvage-number:0';
    const text = JSON.stringify({ a: sentinel, b: placeholder, c: '\u0000\u0000x', d: 'q' })
      .replace('"q"', 'NaN')
      .replace('{', '{"big": 12345678901234567890, ');
    for (const options of [{}, { lossless: true }]) {
      const value = parseInspectJson(text, 'sentinel', options) as Record<string, JsonValue>;
      expect(value.a).toBe(sentinel);
      expect(value.b).toBe(placeholder);
      expect(value.c).toBe('\u0000\u0000x');
      expect(value.d).toBeNaN();
      expect(value.big).toBe(12345678901234567890n);
      expect(parseInspectJson(stringifyInspectJson(value), 'again', options)).toEqual(value);
    }
    // Strings that look like the writer's own markers, as values, keys, and after a quote.
    const tricky = {
      [placeholder]: placeholder,
      list: [placeholder, `"${placeholder}`, `\\${placeholder}`],
      nan: NaN,
      big: 2n ** 70n,
    };
    const written = stringifyInspectJson(tricky);
    expect(parseInspectJson(written, 'tricky')).toEqual(tricky);
    expect(JSON.parse(written.replace('NaN', 'null').replace(/(\d{20,})/, '"$1"'))).toMatchObject({
      [placeholder]: placeholder,
      list: [placeholder, `"${placeholder}`, `\\${placeholder}`],
    });
  });

  it('refuses raw control characters between tokens at once (a run of them looped forever)', () => {
    for (const text of [
      '[1,\u0001\u0001 2]',
      '{"a":\u0000\u0000\u0000 1}',
      '\u0001\u0002',
      '[ \t\u0001 ]',
    ]) {
      for (const options of [{}, { lossless: true }]) {
        expect(() => parseInspectJson(text, 'control', options)).toThrow(/not valid JSON/);
      }
    }
    expect(parseInspectJson('[1, \n\t\r  2,    NaN]', 'spaces')).toEqual([1, 2, Number.NaN]);
  });

  it('keeps a "__proto__" key as data, in both modes, and leaves Object.prototype alone', () => {
    const text = '{"__proto__": {"toString": 1, "x": NaN}, "n": 12345678901234567890}';
    for (const options of [{}, { lossless: true }]) {
      const value = parseInspectJson(text, 'proto', options) as Record<string, JsonValue>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      expect(stringifyInspectJson(value)).toBe(
        '{"__proto__":{"toString":1,"x":NaN},"n":12345678901234567890}',
      );
    }
  });

  it('finds an integer beyond 2^53 wherever it stands, and leaves a long fraction a number', () => {
    expect(parseInspectJson('12345678901234567890', 'start')).toBe(12345678901234567890n);
    expect(parseInspectJson('[-12345678901234567890]', 'minus')).toEqual([-12345678901234567890n]);
    expect(parseInspectJson('{"a":12345678901234567890}', 'member')).toEqual({
      a: 12345678901234567890n,
    });
    const fraction = '[0.12345678901234567]';
    expect(parseInspectJson(fraction, 'fraction')).toEqual(JSON.parse(fraction));
  });

  // Its speed beside JSON.parse was asserted here by timing, which failed under load on the
  // shared machine; what is left is the behaviour: 16-digit floats read as JSON.parse reads them.
  it('parses text holding 16 digits in a row to what JSON.parse gives', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      score: 0.1234567890123456 + i,
      text: `row ${i} with a float and some words to read`,
      nested: { a: [1, 2, 3], b: { c: 'd' } },
    }));
    const text = JSON.stringify(rows);
    expect(/\d{16}/.test(text)).toBe(true);
    expect(parseInspectJson(text, 'floats')).toEqual(JSON.parse(text));
  });
});
