import { describe, expect, it } from 'vitest';
import { placesShown, selectRows } from './shownRows.ts';

const words = ['apple', 'banana', 'cherry', 'avocado', 'blueberry', 'apricot'];

describe('the rows a filter shows', () => {
  it('marks the rows that pass and counts them', () => {
    const shown = selectRows(words, (word) => word.startsWith('a'));
    expect([...shown.mask]).toEqual([1, 0, 0, 1, 0, 1]);
    expect(shown.count).toBe(3);
  });

  it('within an earlier selection, tests only the rows it holds', () => {
    const earlier = selectRows(words, (word) => word.startsWith('a'));
    const tested: string[] = [];
    const narrowed = selectRows(
      words,
      (word) => {
        tested.push(word);
        return word.includes('c');
      },
      earlier,
    );
    expect(tested).toEqual(['apple', 'avocado', 'apricot']);
    expect([...narrowed.mask]).toEqual([0, 0, 0, 1, 0, 1]);
    expect(narrowed.count).toBe(2);
  });

  it('lists the places of the shown rows in a sorted order, in that order', () => {
    // Sorted alphabetically: apple, apricot, avocado, banana, blueberry, cherry.
    const order = Int32Array.from([0, 5, 3, 1, 4, 2]);
    const shown = selectRows(words, (word) => word.includes('e'));
    // apple (place 0), blueberry (place 4), cherry (place 5).
    expect([...placesShown(order, shown)]).toEqual([0, 4, 5]);
    expect([
      ...placesShown(
        order,
        selectRows(words, () => false),
      ),
    ]).toEqual([]);
  });
});
