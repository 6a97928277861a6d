import type { SampleFacts } from '../../../shared/model/sampleFacts.ts';
import { selectRows, type ShownRows } from '../lib/shownRows.ts';
import { TextSearch } from '../lib/textSearch.ts';
import type { SampleRow } from './runStream.ts';

/** What narrows a run's samples in the run view. */
export interface SampleQuery {
  readonly errorsOnly: boolean;
  /** The search box's text, trimmed and lower-cased ('' for none). */
  readonly text: string;
  /** The filter expression's test (null: no expression, or one that does not compile). */
  readonly test: ((facts: SampleFacts) => boolean) | null;
}

/** The search box's text over the rows' search texts, joined once per rows given. */
const search = new TextSearch<SampleRow>((row) => row.search);

/** Join the rows' search texts ahead of the first keystroke, until `timeUp`; true once done. */
export function prepareSampleSearch(
  rows: ReadonlyArray<SampleRow>,
  timeUp: () => boolean,
): boolean {
  return search.prepare(rows, timeUp);
}

/** The last answer, kept so the next keystroke can narrow it instead of testing every row. */
let last: { rows: ReadonlyArray<SampleRow>; query: SampleQuery; shown: ShownRows | null } | null =
  null;

/**
 * The samples of `rows` the query lets through (null: every row, nothing narrows them). Typing
 * on in the search box (the new text holds the last one) tests only the rows the last text let
 * through, and only for the text: the other conditions have not changed.
 */
export function shownSamples(rows: ReadonlyArray<SampleRow>, query: SampleQuery): ShownRows | null {
  const { errorsOnly, text, test } = query;
  let shown: ShownRows | null;
  if (!errorsOnly && !text && !test) shown = null;
  else if (
    last?.shown &&
    last.rows === rows &&
    last.query.errorsOnly === errorsOnly &&
    last.query.test === test &&
    text.includes(last.query.text)
  )
    shown = text === last.query.text ? last.shown : search.select(rows, text, last.shown);
  else {
    const matched = text ? search.select(rows, text) : null;
    shown =
      errorsOnly || test
        ? selectRows(
            rows,
            (row) => (!errorsOnly || row.facts.error !== '') && (!test || test(row.facts)),
            matched,
          )
        : matched;
  }
  last = { rows, query, shown };
  return shown;
}
