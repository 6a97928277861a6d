import type { RunFormat, RunStatus } from '../model/run.ts';

/**
 * What the search index answers with, for the renderer, the CLI and the contract alike.
 */

/** What part of a run or sample a piece of indexed text came from. */
export type PlaceKind =
  'run' | 'input' | 'target' | 'message' | 'event' | 'score' | 'metadata' | 'error';

/**
 * Where in a sample a hit is: a message or an event (by its position, from 0, as the paged reader
 * counts them) or a field; `label` is the message's role, the event's kind or the scorer's name.
 */
export interface Place {
  readonly kind: PlaceKind;
  readonly index: number | null;
  readonly label: string | null;
}

/** A piece of text around a match; `marks` are the matched words, [start, end) in UTF-16 units. */
export interface Snippet {
  readonly text: string;
  readonly marks: ReadonlyArray<readonly [number, number]>;
}

export interface SearchHit {
  /** The run's log, absolute. */
  readonly run: string;
  readonly format: RunFormat;
  readonly task: string | null;
  readonly model: string | null;
  /** The sample (rollout, session) the text is in; null for the run's own facts (task, model, tags). */
  readonly sample: { readonly id: string; readonly epoch: number } | null;
  readonly place: Place;
  readonly snippet: Snippet;
}

/** Narrowing a search by the run's facts; null leaves a fact free. */
export interface SearchFilters {
  readonly status: RunStatus | null;
  readonly format: RunFormat | null;
  readonly task: string | null;
  readonly model: string | null;
  /** Runs under this folder (absolute). */
  readonly folder: string | null;
  /** Headline score range (a run without a score is out of any range). */
  readonly minScore: number | null;
  readonly maxScore: number | null;
  /** Created on or after / before this date (ISO 8601; a run without a date is out of any range). */
  readonly createdFrom: string | null;
  readonly createdTo: string | null;
}

export const NO_SEARCH_FILTERS: SearchFilters = {
  status: null,
  format: null,
  task: null,
  model: null,
  folder: null,
  minScore: null,
  maxScore: null,
  createdFrom: null,
  createdTo: null,
};

/** How far the background indexing is. */
export interface IndexProgress {
  readonly phase: 'idle' | 'indexing';
  /** Runs looked at in this pass, of how many. */
  readonly runsDone: number;
  readonly runsTotal: number;
  /** Samples indexed in this pass (unchanged runs cost none). */
  readonly samples: number;
  /** Runs in the index. */
  readonly runsIndexed: number;
  /** A run being read now, when one is. */
  readonly current: string | null;
  /** Runs that could not be read in this pass (listed unreadable: nothing to index). */
  readonly failed: number;
}

export const IDLE_PROGRESS: IndexProgress = {
  phase: 'idle',
  runsDone: 0,
  runsTotal: 0,
  samples: 0,
  runsIndexed: 0,
  current: null,
  failed: 0,
};

export interface SearchResult {
  /** Hits in run order (runs by path, then samples and places as stored). */
  readonly hits: ReadonlyArray<SearchHit>;
  /** More hits exist beyond `limit`. */
  readonly more: boolean;
  /** The index as it was when answering: results may be partial while it is being built. */
  readonly progress: IndexProgress;
}

/** "message 4 (assistant)", "event 12 (tool)", "score match", "input": where a hit is, numbered as the sample view numbers. */
export function describePlace(place: Place): string {
  const numbered = place.index !== null ? ` ${place.index + 1}` : '';
  switch (place.kind) {
    case 'message':
    case 'event':
      return `${place.kind}${numbered}${place.label ? ` (${place.label})` : ''}`;
    case 'score':
    case 'metadata':
      return place.label ? `${place.kind} ${place.label}` : place.kind;
    case 'run':
      return 'run (task, model, tags)';
    default:
      return place.kind;
  }
}

/** Snippet markers FTS5 puts around matches (control characters never kept in indexed text). */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

/** A marked snippet as text and the ranges of its matches. */
export function parseSnippet(marked: string): Snippet {
  const marks: Array<readonly [number, number]> = [];
  let text = '';
  let open = -1;
  for (const char of marked) {
    if (char === MARK_OPEN) open = text.length;
    else if (char === MARK_CLOSE) {
      if (open >= 0) marks.push([open, text.length]);
      open = -1;
    } else text += char;
  }
  return { text, marks };
}
