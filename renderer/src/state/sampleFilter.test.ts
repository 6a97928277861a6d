import { describe, expect, it } from 'vitest';
import { sampleFacts, type SampleFacts } from '../../../shared/model/sampleFacts.ts';
import { compileSampleFilter, textQueries } from './sampleFilter.ts';

const rows: SampleFacts[] = [
  sampleFacts({
    id: 1,
    epoch: 1,
    input: [{ role: 'user', content: 'Is 7 prime?' }],
    target: 'yes',
    scores: { match: { value: 'C', answer: 'Yes' }, accuracy: { value: 1 } },
    model_usage: { m: { total_tokens: 1200 } },
    total_time: 12.5,
    metadata: { subject: 'math' },
  }),
  sampleFacts({
    id: 'b-2',
    epoch: 2,
    input: 'Name a composite number',
    target: '4',
    scores: { match: { value: 'I', answer: '7' }, accuracy: { value: 0 } },
    model_usage: { m: { total_tokens: 30000 }, n: { total_tokens: 500 } },
    total_time: 95,
    error: 'TimeoutError: tool call timed out',
    limit: 'token',
    retries: 2,
    metadata: { subject: 'math' },
  }),
  sampleFacts({ id: 3, epoch: 1, input: 'Capital of France?', target: 'Paris', scores: {} }),
];
const SCORERS = ['match', 'accuracy', 'model-graded'];

function ids(expression: string): string[] {
  const filter = compileSampleFilter(expression, SCORERS);
  if (!filter.ok) throw new Error(filter.message);
  return rows.filter(filter.test).map((row) => row.id);
}

describe('the sample filter language', () => {
  it.each([
    ['', ['1', 'b-2', '3']],
    ['has_error', ['b-2']],
    ['not has_error', ['1', '3']],
    ['has_limit and limit == "token"', ['b-2']],
    ['match == "C"', ['1']],
    ['accuracy > 0.5 or match == "I"', ['1', 'b-2']],
    ['tokens > 10000 and duration >= 60', ['b-2']],
    ['retries >= 2', ['b-2']],
    ['epoch == 2', ['b-2']],
    ['metadata.subject == "math" and not has_error', ['1']],
    ['input_contains("PRIME|composite")', ['1', 'b-2']],
    ['answer_contains("^y")', ['1']],
    ['error_contains("time(d)? out")', ['b-2']],
    ['target_contains("paris") or id == "b-2"', ['b-2', '3']],
    ['\'model-graded\' == null and input_contains("France")', ['3']],
    ['input ~= "^name"', ['b-2']],
    ['-duration < -60', ['b-2']],
    ['abs(-tokens) > 10000', ['b-2']],
    ['round(duration / 10) == 10', ['b-2']],
    ['tokens mod 1000 == 200 or tokens - 30000 == 500', ['1', 'b-2']],
    ['min(tokens, 2000) == 1200', ['1']],
    ['max(accuracy, tokens) == null', ['3']],
    ['id in ("1", "3")', ['1', '3']],
    ['id not in ("1", "3")', ['b-2']],
    ['exists(accuracy) and not empty(target)', ['1', 'b-2']],
    ['has_retries', ['b-2']],
  ])('%s', (expression, expected) => {
    expect(ids(expression)).toEqual(expected);
  });

  it.each([
    ['scroe == 1', /Unknown name "scroe".*match, accuracy/],
    ['match == ', /Bad filter/],
    ['input_contains("(")', /Bad filter/],
    ['frobnicate(input)', /unknown function frobnicate/],
    ['(has_error', /expected "\)" at 11/],
    ['"unclosed', /unclosed quote/],
    ['has_error @ 1', /unexpected "@"/],
    ['('.repeat(100) + 'has_error' + ')'.repeat(100), /nested too deeply/],
  ])('refuses %s with a message that says why', (expression, message) => {
    const filter = compileSampleFilter(expression, SCORERS);
    expect(filter.ok).toBe(false);
    expect(!filter.ok && filter.message).toMatch(message);
  });
});

describe('text_contains: the search index answers', () => {
  // What the index answered for each query: the keys of the samples that match.
  const answers: Record<string, ReadonlyArray<string> | null> = {
    'timed out': ['b-2'],
    '"prime number"': [],
    pending: null,
  };
  const textIndex = (query: string, facts: SampleFacts): boolean | null => {
    const keys = answers[query];
    return keys === undefined || keys === null ? null : keys.includes(facts.id);
  };
  const matching = (expression: string): string[] => {
    const filter = compileSampleFilter(expression, SCORERS, textIndex);
    if (!filter.ok) throw new Error(filter.message);
    return rows.filter(filter.test).map((row) => row.id);
  };

  it('combines with the rest of the language', () => {
    expect(matching('text_contains("timed out")')).toEqual(['b-2']);
    expect(matching('not text_contains("timed out") and match == "C"')).toEqual(['1']);
    expect(matching('text_contains("timed out") or id == "3"')).toEqual(['b-2', '3']);
    expect(matching('text_contains("\\"prime number\\"")')).toEqual([]);
    // Not answered yet: no sample counts as matching until it is.
    expect(matching('text_contains("pending")')).toEqual([]);
  });

  it('names the queries to ask the index for, each once', () => {
    expect(
      textQueries('text_contains("a b") and (text_contains("c*") or not text_contains("a b"))'),
    ).toEqual(['a b', 'c*']);
    expect(textQueries('has_error')).toEqual([]);
    expect(textQueries('text_contains("unclosed')).toEqual([]);
  });

  it('refuses a query the index cannot run, in the search box’s words, and a view without an index', () => {
    expect(compileSampleFilter('text_contains("a*")', SCORERS, textIndex)).toEqual({
      ok: false,
      message:
        'Bad filter: text_contains: "a*" is too short a prefix: give at least 2 letters before the *.',
    });
    expect(compileSampleFilter('text_contains("words")', SCORERS)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/searches one run's index/) as unknown,
    });
  });
});
