import { SalvageError } from '../util/errors.ts';

/**
 * The search language, and its translation into an SQLite FTS5 query.
 *
 *   words          every word must occur (in any order): `timed out`
 *   "a phrase"     the words in this order, next to each other: `"tool call failed"`
 *   prefix*        words starting so (at least 2 characters before the star): `ValueErr*`
 *   a OR b         either (binds tighter than the implied AND): `timeout OR timed`
 *   -word          must not occur: `error -retry`
 *
 * Case and accents are ignored; punctuation separates words as the index does (`foo_bar()` finds
 * the words `foo bar` next to each other). The FTS5 query is built only from quoted tokens and
 * the operators above, so what a user types can never be read as FTS5 syntax (a column filter, a
 * NEAR group, an unbalanced bracket); what cannot be run is refused here with a `bad-query`
 * error that says why, never an SQLite message.
 */

/** One term: the words of a phrase (one word for a plain word), the last one maybe a prefix. */
export interface QueryTerm {
  readonly words: ReadonlyArray<string>;
  readonly prefix: boolean;
}

/** A parsed query: terms that must all match (each a list of alternatives), terms that must not. */
export interface SearchQuery {
  readonly required: ReadonlyArray<ReadonlyArray<QueryTerm>>;
  readonly excluded: ReadonlyArray<QueryTerm>;
}

/** Longest query accepted: a pasted page is not a search. */
export const MAX_QUERY_CHARS = 1_000;
/** Most terms in one query: each is a lookup in the index. */
export const MAX_TERMS = 32;
/** Shortest prefix before a `*`: a one-letter prefix reads a large part of the index. */
export const MIN_PREFIX_CHARS = 2;

/**
 * Words as the index's tokenizer (unicode61) cuts them: runs of letters, digits and marks;
 * everything else separates. Lower-cased here only for display; the index folds case itself.
 */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

export function wordsOf(text: string): string[] {
  return text.match(WORD) ?? [];
}

interface RawTerm {
  readonly text: string;
  readonly quoted: boolean;
  readonly negated: boolean;
  readonly prefix: boolean;
  readonly at: number;
}

function bad(message: string): SalvageError {
  return new SalvageError('bad-query', message);
}

/** Split what was typed into terms and OR operators. */
function lex(source: string): Array<RawTerm | 'OR'> {
  const items: Array<RawTerm | 'OR'> = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    const start = at;
    const negated = char === '-' && at + 1 < source.length && !/\s/.test(source[at + 1]!);
    if (negated) at += 1;
    if (source[at] === '"') {
      const close = source.indexOf('"', at + 1);
      if (close === -1)
        throw bad(
          `The quote at character ${at + 1} is never closed: add the closing " or remove it.`,
        );
      const prefix = source[close + 1] === '*';
      items.push({ text: source.slice(at + 1, close), quoted: true, negated, prefix, at: start });
      at = close + (prefix ? 2 : 1);
      continue;
    }
    let end = at;
    while (end < source.length && !/\s/.test(source[end]!) && source[end] !== '"') end += 1;
    const word = source.slice(at, end);
    at = end;
    if (word === 'OR' && !negated) {
      items.push('OR');
      continue;
    }
    const prefix = word.endsWith('*');
    items.push({
      text: prefix ? word.replace(/\*+$/, '') : word,
      quoted: false,
      negated,
      prefix,
      at: start,
    });
  }
  return items;
}

function termOf(raw: RawTerm): QueryTerm | null {
  const words = wordsOf(raw.text);
  if (words.length === 0) {
    if (raw.prefix) throw bad(`A * at character ${raw.at + 1} needs a word before it.`);
    return null;
  }
  if (raw.prefix && words.at(-1)!.length < MIN_PREFIX_CHARS) {
    throw bad(
      `"${raw.text}*" is too short a prefix: give at least ${MIN_PREFIX_CHARS} letters before the *.`,
    );
  }
  return { words, prefix: raw.prefix };
}

/** Parse a query, or throw a `bad-query` SalvageError saying what to change. */
export function parseSearchQuery(source: string): SearchQuery {
  if (source.length > MAX_QUERY_CHARS)
    throw bad(`The query is longer than ${MAX_QUERY_CHARS} characters: search for fewer words.`);
  const items = lex(source);
  const required: QueryTerm[][] = [];
  const excluded: QueryTerm[] = [];
  let pendingOr = false;
  for (const item of items) {
    if (item === 'OR') {
      if (required.length === 0 || pendingOr)
        throw bad('OR needs a word on each side, as in: timeout OR timed.');
      pendingOr = true;
      continue;
    }
    const term = termOf(item);
    if (item.negated) {
      if (pendingOr) throw bad('OR cannot join an excluded word (-word).');
      if (term) excluded.push(term);
      continue;
    }
    if (!term) continue;
    if (pendingOr) required.at(-1)!.push(term);
    else required.push([term]);
    pendingOr = false;
  }
  if (pendingOr) throw bad('OR needs a word on each side, as in: timeout OR timed.');
  if (required.length === 0) {
    throw bad(
      excluded.length > 0
        ? 'Say what to find as well as what to leave out: a search of only -words finds nothing.'
        : 'Type a word to search for (letters or digits; punctuation alone finds nothing).',
    );
  }
  const terms = required.reduce((sum, group) => sum + group.length, 0) + excluded.length;
  if (terms > MAX_TERMS)
    throw bad(`The query has ${terms} terms; search with ${MAX_TERMS} or fewer.`);
  return { required, excluded };
}

/**
 * A term as an FTS5 phrase: its words quoted (a quote inside doubled), `*` for a prefix, whose
 * last word is cut to `prefixChars` characters.
 */
function ftsTerm(term: QueryTerm, prefixChars: number): string {
  const words = term.prefix
    ? [...term.words.slice(0, -1), [...term.words.at(-1)!].slice(0, prefixChars).join('')]
    : term.words;
  return `"${words.join(' ').replaceAll('"', '""')}"${term.prefix ? '*' : ''}`;
}

/**
 * The FTS5 MATCH expression of a parsed query. `prefixChars` shortens prefixes (to one the index
 * keeps a prefix index for: a wider match, used where only the marks of a snippet depend on it).
 */
export function ftsExpression(query: SearchQuery, prefixChars = Number.POSITIVE_INFINITY): string {
  const term = (item: QueryTerm): string => ftsTerm(item, prefixChars);
  const groups = query.required.map((alternatives) =>
    alternatives.length === 1 ? term(alternatives[0]!) : `(${alternatives.map(term).join(' OR ')})`,
  );
  return [groups.join(' AND '), ...query.excluded.map(term)].join(' NOT ');
}
