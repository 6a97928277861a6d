import { useEffect, useMemo, useRef } from 'react';
import { RUN_FORMATS, RUN_STATUSES, type RunRow } from '../../../../shared/model/run.ts';
import {
  describePlace,
  type SearchFilters,
  type SearchHit,
  type Snippet,
} from '../../../../shared/search/searchTypes.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { errorOf } from '../../state/request.ts';
import { folderOf, statusLabel } from '../../state/runsFilter.ts';
import { useStore } from '../../state/useStore.ts';

/** A run's hits, in the order the index gave them. */
interface RunHits {
  readonly run: string;
  readonly hits: ReadonlyArray<{ readonly hit: SearchHit; readonly index: number }>;
}

function byRun(hits: ReadonlyArray<SearchHit>): RunHits[] {
  const groups: Array<{ run: string; hits: Array<{ hit: SearchHit; index: number }> }> = [];
  hits.forEach((hit, index) => {
    const last = groups.at(-1);
    if (last?.run === hit.run) last.hits.push({ hit, index });
    else groups.push({ run: hit.run, hits: [{ hit, index }] });
  });
  return groups;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}

function parentOf(path: string): string {
  return path.replace(/[\\/][^\\/]*$/, '');
}

/**
 * Hits of the search over every run, grouped by run: each with the sample, where in it, and the
 * words matched in a snippet. Filters narrow by the runs' facts (the runs list's values).
 */
export function SearchView() {
  const results = useStore((state) => state.searchResults);
  const selected = useStore((state) => state.searchSelected);
  const progress = useStore((state) => state.indexProgress);
  const { openSearchHit, moreSearchHits, selectSearchHit } = useStore.getState();
  const list = useRef<HTMLDivElement>(null);
  const hits = useMemo(() => (results.phase === 'ready' ? results.value.hits : []), [results]);
  const groups = useMemo(() => byRun(hits), [hits]);
  useEffect(() => {
    list.current?.querySelector(`[data-hit="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected, hits]);
  const error = errorOf(results);
  const runs = new Set(hits.map((hit) => hit.run)).size;
  return (
    <section className="search-view" aria-label="Search results">
      <SearchFiltersBar />
      <p className="muted search-status" data-testid="search-status">
        {results.phase === 'pending'
          ? 'Searching…'
          : results.phase === 'ready'
            ? hits.length === 0
              ? 'No hits.'
              : `${hits.length.toLocaleString()}${results.value.more ? '+' : ''} hit${hits.length === 1 ? '' : 's'} in ${runs} run${runs === 1 ? '' : 's'}`
            : ''}
        {progress.phase === 'indexing' &&
          ` — the index is still being built (${progress.runsDone.toLocaleString()} of ${progress.runsTotal.toLocaleString()} runs): more may come.`}
      </p>
      {error && <ErrorNotice error={error} />}
      <div className="search-hits" ref={list} role="listbox" aria-label="Hits">
        {groups.map((group) => (
          <RunGroup
            key={group.run}
            group={group}
            selected={selected}
            onOpen={(hit, index) => {
              selectSearchHit(index);
              void openSearchHit(hit);
            }}
          />
        ))}
        {results.phase === 'ready' && results.value.more && (
          <button type="button" className="link more-hits" onClick={() => void moreSearchHits()}>
            More hits
          </button>
        )}
      </div>
    </section>
  );
}

function RunGroup({
  group,
  selected,
  onOpen,
}: {
  group: RunHits;
  selected: number;
  onOpen: (hit: SearchHit, index: number) => void;
}) {
  const first = group.hits[0]!.hit;
  return (
    <section className="search-run" aria-label={fileName(group.run)}>
      <h3>
        {fileName(group.run)}{' '}
        <span className="muted">
          {[first.task, first.model, first.format].filter(Boolean).join(' · ')}
        </span>
      </h3>
      <ul>
        {group.hits.map(({ hit, index }) => (
          <li
            key={index}
            role="option"
            aria-selected={index === selected}
            data-hit={index}
            className={`search-hit${index === selected ? ' selected' : ''}`}
            onClick={() => onOpen(hit, index)}
          >
            <span className="search-where">
              {hit.sample ? `sample ${hit.sample.id} · epoch ${hit.sample.epoch} · ` : ''}
              {describePlace(hit.place)}
            </span>
            <SnippetText snippet={hit.snippet} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The snippet on a few lines, its white space collapsed so the match shows, the matched words
 * marked (as React text: nothing of it is read as HTML).
 */
function SnippetText({ snippet }: { snippet: Snippet }) {
  const parts: Array<{ text: string; marked: boolean }> = [];
  const add = (text: string, marked: boolean): void => {
    if (text) parts.push({ text: text.replace(/\s+/g, ' '), marked });
  };
  let at = 0;
  for (const [start, end] of snippet.marks) {
    add(snippet.text.slice(at, start), false);
    add(snippet.text.slice(start, end), true);
    at = end;
  }
  add(snippet.text.slice(at), false);
  return (
    <span className="search-snippet">
      {parts.map((part, index) =>
        part.marked ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>,
      )}
    </span>
  );
}

/** Choices of the listed runs' facts, each once, sorted. */
function choices(runs: ReadonlyArray<RunRow>, of: (row: RunRow) => string | null): string[] {
  return [...new Set(runs.map(of).filter((value): value is string => !!value))].sort();
}

/** A local calendar day as the instant it starts (or ends), for the date filters. */
function dayBound(day: string, end: boolean): string | null {
  if (day === '') return null;
  const date = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isFinite(date.getTime()) ? date.toISOString() : null;
}

function localDay(instant: string | null): string {
  if (!instant) return '';
  const date = new Date(instant);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function SearchFiltersBar() {
  const filters = useStore((state) => state.searchFilters);
  const runs = useStore((state) => state.listing.runs);
  const set = useStore((state) => state.setSearchFilters);
  const tasks = useMemo(() => choices(runs, (row) => row.task), [runs]);
  const models = useMemo(() => choices(runs, (row) => row.model), [runs]);
  const folders = useMemo(() => {
    const byPath = new Map<string, string>();
    for (const row of runs) byPath.set(parentOf(row.location), folderOf(row));
    return [...byPath].sort(([, a], [, b]) => a.localeCompare(b));
  }, [runs]);
  const select = (
    label: string,
    key: keyof SearchFilters,
    options: ReadonlyArray<readonly [string, string]>,
    all: string,
  ) => (
    <select
      aria-label={label}
      value={(filters[key] as string | null) ?? ''}
      onChange={(event) => set({ [key]: event.target.value === '' ? null : event.target.value })}
    >
      <option value="">{all}</option>
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
  const bound = (text: string): number | null => {
    const value = Number(text);
    return text.trim() === '' || !Number.isFinite(value) ? null : value;
  };
  return (
    <div className="toolbar search-filters">
      {select(
        'Search runs of status',
        'status',
        RUN_STATUSES.map((status) => [status, statusLabel(status)] as const),
        'all statuses',
      )}
      {select(
        'Search runs of format',
        'format',
        RUN_FORMATS.map((format) => [format, format] as const),
        'all formats',
      )}
      {select(
        'Search runs of task',
        'task',
        tasks.map((task) => [task, task] as const),
        'all tasks',
      )}
      {select(
        'Search runs of model',
        'model',
        models.map((model) => [model, model] as const),
        'all models',
      )}
      {select('Search runs in folder', 'folder', folders, 'all folders')}
      <label className="score-range">
        score
        <input
          aria-label="Search runs scoring at least"
          type="number"
          step="any"
          placeholder="min"
          value={filters.minScore ?? ''}
          onChange={(event) => set({ minScore: bound(event.target.value) })}
        />
        –
        <input
          aria-label="Search runs scoring at most"
          type="number"
          step="any"
          placeholder="max"
          value={filters.maxScore ?? ''}
          onChange={(event) => set({ maxScore: bound(event.target.value) })}
        />
      </label>
      <label>
        from{' '}
        <input
          aria-label="Search runs created from"
          type="date"
          value={localDay(filters.createdFrom)}
          onChange={(event) => set({ createdFrom: dayBound(event.target.value, false) })}
        />
      </label>
      <label>
        to{' '}
        <input
          aria-label="Search runs created until"
          type="date"
          value={localDay(filters.createdTo)}
          onChange={(event) => set({ createdTo: dayBound(event.target.value, true) })}
        />
      </label>
    </div>
  );
}
