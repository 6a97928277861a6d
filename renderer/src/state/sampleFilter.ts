import type { JsonValue } from '../../../shared/formats/json/inspectJson.ts';
import { displayText } from '../../../shared/model/display.ts';
import type { SampleFacts } from '../../../shared/model/sampleFacts.ts';
import { parseSearchQuery } from '../../../shared/search/searchQuery.ts';
import {
  compile,
  FilterSyntaxError,
  namesUsed,
  parseFilter,
  regex,
  type Bindings,
  type Compiled,
  type Node,
  type Value,
} from '../lib/filterExpression.ts';

/** A compiled filter expression, or why it cannot be used. */
export type SampleFilter =
  | { readonly ok: true; readonly test: (facts: SampleFacts) => boolean }
  | { readonly ok: false; readonly message: string };

/**
 * Whether a sample's text matches a `text_contains` query, as the search index answers it;
 * null while the answer is not in yet (the sample is left out until it is).
 */
export type TextIndex = (query: string, facts: SampleFacts) => boolean | null;

/** `text_contains("query")`: the run's search index over every text of the sample. */
const TEXT_CONTAINS = 'text_contains';

/** The names an expression may use besides the run's scorers and `metadata.<key>`. */
export const FILTER_NAMES = [
  'id',
  'epoch',
  'input',
  'target',
  'answer',
  'error',
  'limit',
  'retries',
  'tokens',
  'duration',
  'has_error',
  'has_limit',
  'has_retries',
] as const;

/** `x_contains("regex")`: a case-insensitive regular expression over a text of the sample. */
const CONTAINS = ['input', 'target', 'answer', 'error', 'limit', 'id'] as const;
type TextField = (typeof CONTAINS)[number];

const NUMERIC: Readonly<Record<string, (...args: number[]) => number>> = {
  abs: Math.abs,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  min: Math.min,
  max: Math.max,
};

const FUNCTIONS = new Set([
  ...CONTAINS.map((field) => `${field}_contains`),
  TEXT_CONTAINS,
  ...Object.keys(NUMERIC),
  'exists',
  'empty',
]);

/** How a name reads a sample: chosen once per expression, not once per row. */
function nameReader(name: string): Compiled<SampleFacts> {
  switch (name) {
    case 'id':
    case 'input':
    case 'target':
    case 'answer':
    case 'error':
    case 'limit':
    case 'epoch':
    case 'retries':
    case 'tokens':
    case 'duration': {
      const field = name;
      return (facts) => facts[field];
    }
    case 'has_error':
      return (facts) => facts.error !== '';
    case 'has_limit':
      return (facts) => facts.limit !== '';
    case 'has_retries':
      return (facts) => facts.retries > 0;
  }
  if (name.startsWith('metadata.')) {
    const key = name.slice('metadata.'.length);
    return (facts) => {
      const value = facts.metadata[key];
      return value === undefined ? null : scalar(value);
    };
  }
  return (facts) => facts.scores[name] ?? null;
}

function scalar(value: JsonValue): Value {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return displayText(value);
}

function sampleBindings(textIndex: TextIndex | undefined): Bindings<SampleFacts> {
  return {
    name: nameReader,
    call: (name, args) => {
      const first = args[0] ?? (() => undefined);
      if (name === TEXT_CONTAINS) {
        return (facts) => {
          const query = first(facts);
          return typeof query === 'string' && textIndex?.(query, facts) === true;
        };
      }
      if (name.endsWith('_contains')) {
        const field = name.slice(0, -'_contains'.length) as TextField;
        return (facts) => {
          const pattern = first(facts);
          return typeof pattern === 'string' && regex(pattern).test(facts[field]);
        };
      }
      if (name === 'exists')
        return (facts) => {
          const value = first(facts);
          return value !== null && value !== undefined;
        };
      if (name === 'empty')
        return (facts) => {
          const value = first(facts);
          return value === null || value === '';
        };
      const numeric = NUMERIC[name]!;
      return (facts) => {
        const numbers: number[] = [];
        for (const arg of args) {
          const value = arg(facts);
          if (typeof value !== 'number') return null;
          numbers.push(value);
        }
        return numeric(...numbers);
      };
    },
  };
}

/** The queries of the `text_contains("…")` calls of an expression (none when it does not parse). */
export function textQueries(expression: string): string[] {
  if (expression.trim() === '') return [];
  const queries: string[] = [];
  const visit = (node: Node): void => {
    switch (node.kind) {
      case 'call':
        if (node.name === TEXT_CONTAINS) {
          const first = node.args[0];
          if (first?.kind === 'literal' && typeof first.value === 'string')
            queries.push(first.value);
        }
        node.args.forEach(visit);
        return;
      case 'not':
      case 'negate':
        return visit(node.operand);
      case 'binary':
        visit(node.left);
        return visit(node.right);
      case 'in':
        visit(node.item);
        return node.list.forEach(visit);
      default:
        return;
    }
  };
  try {
    visit(parseFilter(expression));
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
  }
  return [...new Set(queries)];
}

/**
 * Compile a sample filter in Inspect View's filter language: `has_error`, `match == "C"`,
 * `accuracy > 0.5`, `tokens > 10000 and duration < 60`, `metadata.subject == "math"`,
 * `input_contains("prime|composite")`, `answer ~= "^[A-D]$"`, combined with `and`, `or`, `not`.
 * A scorer whose name is not a plain word is written in single quotes (`'model-graded' == "C"`).
 * Text matches (`~=`, `x_contains`) are case-insensitive regular expressions. An empty expression
 * keeps every sample. A bad expression's message says what is wrong and which names exist.
 *
 * `text_contains("words")` looks in every text of the sample (messages, tool calls, events,
 * scores, errors, metadata) through the search index (`textIndex`), in the search box's language
 * (words, "phrases", prefix*); where no index is given it is refused.
 */
export function compileSampleFilter(
  expression: string,
  scorers: ReadonlyArray<string>,
  textIndex?: TextIndex,
): SampleFilter {
  if (expression.trim() === '') return { ok: true, test: () => true };
  let tree;
  try {
    tree = parseFilter(expression);
  } catch (error) {
    if (error instanceof FilterSyntaxError)
      return { ok: false, message: `Bad filter: ${error.message}.` };
    throw error;
  }
  const { names, functions, patterns } = namesUsed(tree);
  const functionList = [...FUNCTIONS].map((name) => `${name}()`).join(', ');
  const unknownFunctions = [...functions].filter((name) => !FUNCTIONS.has(name));
  if (unknownFunctions.length > 0) {
    return {
      ok: false,
      message: `Bad filter: unknown function ${unknownFunctions.map((name) => `${name}()`).join(', ')}. Functions: ${functionList}.`,
    };
  }
  const known = new Set<string>([...FILTER_NAMES, ...scorers]);
  const unknown = [...names].filter((name) => !known.has(name) && !name.startsWith('metadata.'));
  if (unknown.length > 0) {
    const listed = [...FILTER_NAMES, ...scorers, 'metadata.<key>'].join(', ');
    return {
      ok: false,
      message: `Unknown name ${unknown.map((name) => `"${name}"`).join(', ')}. Names: ${listed}; functions: ${functionList}.`,
    };
  }
  const queries = textQueries(expression);
  if (functions.has(TEXT_CONTAINS) && !textIndex) {
    return {
      ok: false,
      message: `Bad filter: ${TEXT_CONTAINS}() searches one run's index: use it in a run's view.`,
    };
  }
  // A bad search query is said now, in the search box's words.
  for (const query of queries) {
    try {
      parseSearchQuery(query);
    } catch (error) {
      return { ok: false, message: `Bad filter: ${TEXT_CONTAINS}: ${(error as Error).message}` };
    }
  }
  // A bad regular expression is a bad filter, said now rather than on every row.
  try {
    for (const pattern of patterns) if (!queries.includes(pattern)) regex(pattern);
  } catch (error) {
    return { ok: false, message: `Bad filter: ${(error as Error).message}.` };
  }
  const value = compile(tree, sampleBindings(textIndex));
  return { ok: true, test: (facts) => value(facts) === true };
}
