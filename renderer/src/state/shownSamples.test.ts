import { describe, expect, it } from 'vitest';
import { sampleKey } from '../../../shared/model/log.ts';
import { sampleFacts, searchTextOf, type SampleFacts } from '../../../shared/model/sampleFacts.ts';
import type { SampleRow } from './runStream.ts';
import { shownSamples, type SampleQuery } from './shownSamples.ts';

function row(id: number, input: string, error?: string): SampleRow {
  const summary = { id, epoch: 1, input, target: 'x', scores: {}, ...(error ? { error } : {}) };
  const facts = sampleFacts(summary);
  return { key: sampleKey(id, 1), summary, facts, search: searchTextOf(facts) };
}

const rows = [
  row(1, 'Question 19: what is 19 squared?'),
  row(2, 'Question 99: what is 99 squared?', 'TimeoutError: 99 timed out'),
  row(3, 'Question 199: what is 199 squared?'),
  row(4, 'Question 7: what is 7 squared?', 'ValueError'),
];
const NONE: SampleQuery = { errorsOnly: false, text: '', test: null };

function ids(query: Partial<SampleQuery>, over = rows): number[] | null {
  const shown = shownSamples(over, { ...NONE, ...query });
  return shown && over.flatMap((item, index) => (shown.mask[index] ? [Number(item.facts.id)] : []));
}

describe('the samples the run view shows', () => {
  it('every sample when nothing narrows them', () => {
    expect(ids({})).toBeNull();
  });

  it('the text shown, errors only and the expression, together', () => {
    expect(ids({ text: '99' })).toEqual([2, 3]);
    expect(ids({ errorsOnly: true })).toEqual([2, 4]);
    expect(ids({ text: '99', errorsOnly: true })).toEqual([2]);
    expect(ids({ test: (facts) => Number(facts.id) > 2 })).toEqual([3, 4]);
    expect(ids({ text: 'timed out' })).toEqual([2]);
  });

  it('typing on tests only the samples the last text let through, and only for the text', () => {
    const tested: string[] = [];
    const test = (facts: SampleFacts): boolean => {
      tested.push(facts.id);
      return facts.id !== '3';
    };
    expect(ids({ text: '9', test })).toEqual([1, 2]);
    expect(tested).toEqual(['1', '2', '3']);
    tested.length = 0;
    // "99" holds "9": the expression is not asked again.
    expect(ids({ text: '99', test })).toEqual([2]);
    expect(tested).toEqual([]);
    // Back to a shorter text: every row is tested again.
    expect(ids({ text: '9', test })).toEqual([1, 2]);
    expect(tested).toEqual(['1', '2', '3']);
  });

  it('tests every row again when the rows or another condition change', () => {
    expect(ids({ text: '9' })).toEqual([1, 2, 3]);
    expect(ids({ text: '99', errorsOnly: true })).toEqual([2]);
    const more = [...rows, row(5, 'Question 990: what is 990 squared?')];
    expect(ids({ text: '99', errorsOnly: false }, more)).toEqual([2, 3, 5]);
  });
});
