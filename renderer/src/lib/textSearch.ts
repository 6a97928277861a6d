import type { ShownRows } from './shownRows.ts';

/*
 * The rows whose text holds what the user typed, found by searching the rows' texts joined into a
 * few long strings rather than testing each row: at 100,000 rows, 100,000 `includes` calls cost
 * 10 to 15 ms a keystroke; one `indexOf` through the joined text, stepping from a match to the
 * next row, costs a few. Hand-written: the filter libraries test row by row.
 */

/** Rows per joined string: a change to a few rows (a stream refreshing them) joins few again. */
const CHUNK_ROWS = 4096;

/** Rows whose texts are made between two looks at an idle deadline. */
const TEXT_SLICE_ROWS = 256;

/** Between two rows' texts: a needle without it cannot match across rows. */
const SEPARATOR = '\u0000';

interface Chunk<Row> {
  /** The rows joined, to tell whether a later list still holds them in the same places. */
  readonly rows: ReadonlyArray<Row>;
  readonly text: string;
  /** Where each row's text starts in `text`, and one more: where the next would. */
  readonly starts: Int32Array;
}

/**
 * Search over the texts of a list of rows (`textOf` gives a row's text, lower-cased by the
 * caller). Keeps the joined texts of the last list it was given: the next list (the same, or one
 * streamed later with rows added) joins only the chunks whose rows changed. `prepare` does that
 * joining ahead, a few chunks at a time while the page is idle, so that the first keystroke only
 * searches (at 100,000 runs, joining their texts on the first key took 0.7 s).
 */
export class TextSearch<Row> {
  /** Joined chunks by position: those before `joined` hold `rows`; the rest may be reused. */
  private chunks: Array<Chunk<Row>> = [];
  private rows: ReadonlyArray<Row> | null = null;
  private joined = 0;
  /** The texts made so far of the chunk that `prepare` was joining when its time was up. */
  private pending: { rows: ReadonlyArray<Row>; first: number; texts: string[] } | null = null;

  private readonly textOf: (row: Row) => string;

  constructor(textOf: (row: Row) => string) {
    this.textOf = textOf;
  }

  /** The rows of `rows` whose text holds `needle`, among those `within` lets through (all when null). */
  select(rows: ReadonlyArray<Row>, needle: string, within: ShownRows | null = null): ShownRows {
    const mask = new Uint8Array(rows.length);
    let count = 0;
    const mark = (index: number): void => {
      if (within === null || within.mask[index] === 1) {
        mask[index] = 1;
        count++;
      }
    };
    if (needle === '' || needle.includes(SEPARATOR)) {
      rows.forEach((row, index) => {
        if (this.textOf(row).includes(needle)) mark(index);
      });
      return { mask, count };
    }
    this.prepare(rows);
    this.chunks.forEach(({ text, starts }, chunk) => {
      const base = chunk * CHUNK_ROWS;
      let row = 0;
      let at = text.indexOf(needle);
      while (at !== -1) {
        while (starts[row + 1]! <= at) row++;
        mark(base + row);
        at = text.indexOf(needle, starts[row + 1]);
      }
    });
    return { mask, count };
  }

  /**
   * Join the texts of `rows` ahead of a search, reusing the chunks whose rows are the same as last
   * time, until `deadline()` says the time is up (never, by default). True once all are joined;
   * a later call goes on where this one stopped.
   */
  prepare(rows: ReadonlyArray<Row>, deadline: () => boolean = () => false): boolean {
    if (rows !== this.rows) {
      this.rows = rows;
      this.joined = 0;
    }
    const count = Math.ceil(rows.length / CHUNK_ROWS);
    while (this.joined < count) {
      if (deadline()) return false;
      const first = this.joined * CHUNK_ROWS;
      const end = Math.min(rows.length, first + CHUNK_ROWS);
      const known = this.chunks[this.joined];
      if (!known || known.rows.length !== end - first || !sameRows(known.rows, rows, first)) {
        const texts = this.textsOf(rows, first, end, deadline);
        if (!texts) return false;
        this.chunks[this.joined] = join(rows.slice(first, end), texts);
      }
      this.joined++;
    }
    this.chunks.length = count;
    return true;
  }

  /**
   * The texts of rows [first, end), made TEXT_SLICE_ROWS at a time between looks at the deadline
   * (a run's text is made on first use: 4,096 of them took about 28 ms); null when time is up,
   * the texts made so far kept for the next call.
   */
  private textsOf(
    rows: ReadonlyArray<Row>,
    first: number,
    end: number,
    deadline: () => boolean,
  ): string[] | null {
    const pending = this.pending;
    const texts = pending?.rows === rows && pending.first === first ? pending.texts : [];
    while (first + texts.length < end) {
      const stop = Math.min(end, first + texts.length + TEXT_SLICE_ROWS);
      for (let row = first + texts.length; row < stop; row++) texts.push(this.textOf(rows[row]!));
      if (first + texts.length < end && deadline()) {
        this.pending = { rows, first, texts };
        return null;
      }
    }
    this.pending = null;
    return texts;
  }
}

/** Rows' texts joined into one chunk. */
function join<Row>(rows: ReadonlyArray<Row>, texts: ReadonlyArray<string>): Chunk<Row> {
  const starts = new Int32Array(texts.length + 1);
  let offset = 0;
  texts.forEach((text, index) => {
    starts[index] = offset;
    offset += text.length + SEPARATOR.length;
  });
  starts[texts.length] = offset;
  return { rows, text: texts.join(SEPARATOR), starts };
}

function sameRows<Row>(
  chunk: ReadonlyArray<Row>,
  rows: ReadonlyArray<Row>,
  first: number,
): boolean {
  for (let index = 0; index < chunk.length; index++)
    if (chunk[index] !== rows[first + index]) return false;
  return true;
}
