import { describe, expect, it } from 'vitest';
import { selectRows } from './shownRows.ts';
import { TextSearch } from './textSearch.ts';

interface Row {
  readonly text: string;
}

const textOf = (row: Row): string => row.text;

/** The rows each needle should find: the same as testing each row's text on its own. */
function expected(rows: ReadonlyArray<Row>, needle: string): number[] {
  return rows.flatMap((row, index) => (row.text.includes(needle) ? [index] : []));
}

function indexes(mask: Uint8Array): number[] {
  return [...mask.keys()].filter((index) => mask[index] === 1);
}

// More rows than one joined chunk holds, so matches are found across chunks.
const rows: Row[] = Array.from({ length: 10_000 }, (_, id) => ({
  text: `question ${id}: what is ${id} squared?\n${id * id}\n${id % 7 === 0 ? 'timed out' : ''}`,
}));

describe('TextSearch', () => {
  it('finds the rows whose text holds the needle, as testing each row does', () => {
    const search = new TextSearch(textOf);
    for (const needle of [
      '9',
      '99',
      'question 9999:',
      'timed out',
      '?\n1',
      'nowhere',
      'squared?',
    ]) {
      const shown = search.select(rows, needle);
      expect(indexes(shown.mask), needle).toEqual(expected(rows, needle));
      expect(shown.count).toBe(expected(rows, needle).length);
    }
  });

  it('never matches across two rows', () => {
    const search = new TextSearch(textOf);
    const pair = [{ text: 'abc' }, { text: 'def' }];
    expect(search.select(pair, 'cd').count).toBe(0);
    expect(indexes(search.select(pair, 'c').mask)).toEqual([0]);
    expect(indexes(search.select(pair, 'def').mask)).toEqual([1]);
  });

  it('keeps to the rows an earlier selection let through', () => {
    const search = new TextSearch(textOf);
    const within = selectRows(rows, (row) => row.text.includes('timed out'));
    const shown = search.select(rows, '99', within);
    expect(indexes(shown.mask)).toEqual(
      expected(rows, '99').filter((index) => within.mask[index] === 1),
    );
  });

  it('follows rows that were replaced or added since the last search', () => {
    const search = new TextSearch(textOf);
    expect(search.select(rows, 'refreshed').count).toBe(0);
    const later = [...rows, { text: 'added, refreshed' }];
    later[5000] = { text: 'refreshed in place' };
    expect(indexes(search.select(later, 'refreshed').mask)).toEqual([5000, 10_000]);
    // Back to the first list: the row replaced in between is found as it was.
    expect(indexes(search.select(rows, 'question 5000:').mask)).toEqual([5000]);
  });

  it('lets every row through for an empty needle, and handles a needle holding the separator', () => {
    const search = new TextSearch(textOf);
    expect(search.select(rows, '').count).toBe(rows.length);
    const odd = [{ text: 'a\u0000b' }, { text: 'ab' }];
    expect(indexes(search.select(odd, 'a\u0000b').mask)).toEqual([0]);
  });

  it('joins ahead in slices while time allows, goes on where it stopped, and searches without joining again', () => {
    let texts = 0;
    const search = new TextSearch((row: Row) => {
      texts++;
      return row.text;
    });
    expect(search.prepare(rows, () => true)).toBe(false);
    expect(texts).toBe(0);
    // Time for one look, then up: a slice of a chunk's rows (4,096) is made, not the chunk.
    let checks = 0;
    expect(search.prepare(rows, () => ++checks > 1)).toBe(false);
    expect(texts).toBeGreaterThan(0);
    expect(texts).toBeLessThan(1000);
    expect(search.prepare(rows)).toBe(true);
    expect(texts).toBe(rows.length);
    const shown = search.select(rows, 'timed out');
    expect(indexes(shown.mask)).toEqual(expected(rows, 'timed out'));
    expect(texts).toBe(rows.length);
    // Rows added later: only the chunk that changed is joined again.
    const later = [...rows, { text: 'added, timed out' }];
    expect(search.prepare(later)).toBe(true);
    expect(texts).toBeLessThan(rows.length + 4096 + 1);
    expect(indexes(search.select(later, 'added').mask)).toEqual([rows.length]);
  });
});
