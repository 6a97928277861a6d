import { describe, expect, it } from 'vitest';
import type { ComparedSample } from './comparison.ts';
import { binomialTwoSided, changeOf, scoreChanges } from './scoreChanges.ts';

function pair(id: number, a: string | number | null, b: string | number | null): ComparedSample {
  return {
    id: String(id),
    epoch: 1,
    a: a === null ? null : { match: a },
    b: b === null ? null : { match: b },
  };
}

describe('how scores moved from one run to another', () => {
  it('counts improved, regressed and unchanged pairs, and samples of one run only', () => {
    const samples = [
      pair(1, 'I', 'C'),
      pair(2, 'I', 'C'),
      pair(3, 'C', 'I'),
      pair(4, 'C', 'C'),
      pair(5, 'C', null),
      pair(6, null, 'I'),
    ];
    expect(changeOf(samples[0]!, 'match')).toBe('improved');
    expect(changeOf(samples[2]!, 'match')).toBe('regressed');
    const [match] = scoreChanges(samples);
    expect(match).toEqual({
      scorer: 'match',
      paired: 4,
      improved: 2,
      regressed: 1,
      unchanged: 1,
      changed: 0,
      onlyA: 1,
      onlyB: 1,
      meanA: 0.5,
      meanB: 0.75,
      test: { name: 'McNemar', pValue: 1 },
    });
  });

  it('uses the sign test for scores that are not pass/fail, and none for free text', () => {
    const numbers = scoreChanges([pair(1, 0.2, 0.5), pair(2, 0.4, 0.9), pair(3, 0.7, 0.7)]);
    expect(numbers[0]).toMatchObject({ improved: 2, unchanged: 1, test: { name: 'sign' } });
    const text = scoreChanges([pair(1, 'Paris', 'paris'), pair(2, 'Rome', 'Rome')]);
    expect(text[0]).toMatchObject({ unchanged: 1, changed: 1, test: null, meanA: null });
  });

  it('gives exact two-sided binomial p-values', () => {
    expect(binomialTwoSided(0, 0)).toBe(1);
    expect(binomialTwoSided(5, 5)).toBe(1);
    expect(binomialTwoSided(0, 5)).toBeCloseTo(0.0625, 10);
    expect(binomialTwoSided(10, 0)).toBeCloseTo(2 / 1024, 10);
    expect(binomialTwoSided(3, 7)).toBeCloseTo(0.34375, 10);
    // Large counts stay finite and sensible.
    expect(binomialTwoSided(5_000, 5_200)).toBeGreaterThan(0.04);
    expect(binomialTwoSided(4_000, 6_000)).toBeLessThan(1e-50);
  });
});
