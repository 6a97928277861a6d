import { describe, expect, it } from 'vitest';
import { parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { wholeValue, type CutTextLookup } from './cutText.ts';

describe('wholeValue', () => {
  it('puts every cut string back whole, wherever it is, and leaves the rest as it was', async () => {
    const cut = 'x'.repeat(10);
    const value = parseInspectJson(
      `{"role": "tool", "content": [{"type": "text", "text": "${cut}"}], "n": 12345678901234567890, "__proto__": "${cut}", "other": "short"}`,
      'test',
    );
    const asked: string[] = [];
    const lookup: CutTextLookup = (text) =>
      text === cut
        ? {
            bytes: 30,
            load: () => {
              asked.push(text);
              return Promise.resolve('x'.repeat(30));
            },
          }
        : null;
    const whole = (await wholeValue(value, lookup)) as Record<string, unknown>;
    expect(whole.content).toEqual([{ type: 'text', text: 'x'.repeat(30) }]);
    // A key named __proto__ is a member like any other, not the object's prototype.
    expect(Object.hasOwn(whole, '__proto__')).toBe(true);
    expect(whole['__proto__']).toBe('x'.repeat(30));
    expect(Object.getPrototypeOf(whole)).toBe(Object.prototype);
    expect(whole.n).toBe(12345678901234567890n);
    expect(whole.other).toBe('short');
    expect(asked).toHaveLength(2);
  });
});
