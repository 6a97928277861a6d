import { describe, expect, it } from 'vitest';
import { SalvageError } from '../util/errors.ts';
import { ftsExpression, parseSearchQuery } from './searchQuery.ts';

const fts = (query: string): string => ftsExpression(parseSearchQuery(query));

describe('the search language', () => {
  it.each([
    ['timed out', '"timed" AND "out"'],
    ['"tool call failed"', '"tool call failed"'],
    ['ValueErr*', '"ValueErr"*'],
    ['"max tok"*', '"max tok"*'],
    ['timeout OR timed', '("timeout" OR "timed")'],
    ['error -retry -"rate limit"', '"error" NOT "retry" NOT "rate limit"'],
    // Punctuation separates words as the index does: a name with dots or underscores is a phrase.
    ['foo_bar.baz()', '"foo bar baz"'],
    ['café NAÏVE 数据', '"café" AND "NAÏVE" AND "数据"'],
    // FTS5's own syntax is only ever text here.
    ['body:secret NEAR(a b) ^start', '"body secret" AND "NEAR a" AND "b" AND "start"'],
    ['a AND b', '"a" AND "AND" AND "b"'],
  ])('%s', (query, expected) => {
    expect(fts(query)).toBe(expected);
  });

  it('cuts prefixes to an indexed length where only the marks depend on it', () => {
    const query = parseSearchQuery('"max tokens"* ValueErr* timeout');
    expect(ftsExpression(query, 4)).toBe('"max toke"* AND "Valu"* AND "timeout"');
    expect(ftsExpression(parseSearchQuery('数据库*'), 2)).toBe('"数据"*');
  });

  it.each([
    ['', /Type a word/],
    ['  ... ', /Type a word/],
    ['-draft', /only -words/],
    ['"never closed', /quote at character 1 is never closed/],
    ['a*', /too short a prefix/],
    ['*', /needs a word before it/],
    ['OR timeout', /OR needs a word on each side/],
    ['timeout OR', /OR needs a word on each side/],
    ['a OR -b', /OR cannot join an excluded word/],
    ['x'.repeat(1001), /longer than 1000 characters/],
    [Array.from({ length: 33 }, (_, n) => `w${n}`).join(' '), /33 terms/],
  ])('refuses %j with a message that says what to change', (query, message) => {
    let error: unknown;
    try {
      parseSearchQuery(query);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SalvageError);
    expect((error as SalvageError).kind).toBe('bad-query');
    expect((error as SalvageError).message).toMatch(message);
  });
});
