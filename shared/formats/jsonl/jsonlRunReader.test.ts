import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSONL_FIXTURES } from '../../../test/support/fixtures.ts';
import { parseInspectJson } from '../json/inspectJson.ts';
import { couldBeJson } from './jsonlRunReader.ts';

describe('couldBeJson (the check that spares a malformed line its parse)', () => {
  it('is true for every JSON value and every line of the real JSONL runs', () => {
    const values = [
      '{}',
      '[]',
      '""',
      '"\\""',
      '0',
      '-0',
      '1e5',
      '2.5E-3',
      '12345678901234567890',
      'true',
      'false',
      'null',
      'NaN',
      'Infinity',
      '-Infinity',
      '{"a": [1, {"b": "}"}]}',
      '[1, "]", null]',
    ];
    for (const text of values) {
      expect(() => parseInspectJson(text, 'value')).not.toThrow();
      expect(couldBeJson(text), text).toBe(true);
    }
    let lines = 0;
    const logs = readdirSync(JSONL_FIXTURES, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.jsonl'));
    for (const path of logs) {
      for (const line of readFileSync(join(JSONL_FIXTURES, path), 'utf8').split('\n')) {
        const text = line.trim();
        if (text === '') continue;
        lines += 1;
        let valid = true;
        try {
          parseInspectJson(text, 'line');
        } catch {
          valid = false;
        }
        if (valid) expect(couldBeJson(text), `${path}: ${text.slice(0, 80)}`).toBe(true);
      }
    }
    expect(lines).toBeGreaterThan(100);
  });

  it('is false for torn records and the lines of an indented value', () => {
    for (const text of ['{"id": 1, "prompt": [', '[', '],', '0,', '"a', '{"a": 1}{', 'x', ':'])
      expect(couldBeJson(text), text).toBe(false);
  });
});
