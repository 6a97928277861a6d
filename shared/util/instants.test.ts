import { describe, expect, it } from 'vitest';
import { isoOfMillis } from './instants.ts';

describe('isoOfMillis', () => {
  it('gives the ISO text of an instant, and null for what no Date holds', () => {
    expect(isoOfMillis(Date.UTC(2026, 11, 1, 20, 0, 0))).toBe('2026-12-01T20:00:00.000Z');
    expect(isoOfMillis(8.64e15)).toBe('+275760-09-13T00:00:00.000Z');
    expect(isoOfMillis(8.64e15 + 1)).toBeNull();
    expect(isoOfMillis(1e300 * 1000)).toBeNull();
    expect(isoOfMillis(Number.NaN)).toBeNull();
  });
});
