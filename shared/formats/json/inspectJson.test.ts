import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeZlibCodecs } from '../../../electron/node/codecs/nodeZlibCodecs.ts';
import { FileByteSource } from '../../../electron/node/io/fileByteSource.ts';
import { fixture } from '../../../test/support/fixtures.ts';
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
