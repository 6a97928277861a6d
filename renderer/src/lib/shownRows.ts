/**
 * Which of a table's rows a filter lets through, as one byte per row (`mask[i]` is 1 when
 * `rows[i]` is shown) and how many. A table filters its sorted rows by their data index with it:
 * at 100,000 rows, a lookup in a `Set` of row objects cost as much as the filter itself.
 */
export interface ShownRows {
  readonly mask: Uint8Array;
  readonly count: number;
}

/**
 * The rows of `rows` that pass `test`. Given `within` (an earlier selection of the same rows),
 * only the rows it holds are tested: a filter that narrows as the user types costs less with
 * each keystroke.
 */
export function selectRows<Row>(
  rows: ReadonlyArray<Row>,
  test: (row: Row) => boolean,
  within: ShownRows | null = null,
): ShownRows {
  const mask = new Uint8Array(rows.length);
  let count = 0;
  for (let index = 0; index < rows.length; index++) {
    if ((within === null || within.mask[index] === 1) && test(rows[index]!)) {
      mask[index] = 1;
      count++;
    }
  }
  return { mask, count };
}

/**
 * Where the shown rows are in a sorted order (`order[p]` is the index in `rows` of the row at
 * place `p`): their places, in order. Typed arrays only, so a keystroke does not touch 100,000
 * row objects (reading a field of each cost more than the rest of the filter).
 */
export function placesShown(order: Int32Array, shown: ShownRows): Int32Array {
  const places = new Int32Array(shown.count);
  let found = 0;
  for (let place = 0; place < order.length && found < shown.count; place++)
    if (shown.mask[order[place]!] === 1) places[found++] = place;
  return found === shown.count ? places : places.subarray(0, found);
}
