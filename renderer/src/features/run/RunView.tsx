import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { isJsonObject, type JsonValue } from '../../../../shared/formats/json/inspectJson.ts';
import { sampleKey, type LogHeader } from '../../../../shared/model/log.ts';
import { displayText } from '../../../../shared/model/display.ts';
import { headerSummary } from '../../../../shared/model/headerSummary.ts';
import { EXPORT_FORMATS } from '../../../../shared/model/exportFormat.ts';
import { plannedSamples, runDuration } from '../../../../shared/model/runFacts.ts';
import { formatDuration, formatTokens } from '../../../../shared/util/format.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { JsonTree } from '../../components/JsonTree.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { errorOf } from '../../state/request.ts';
import type { SampleRow } from '../../state/runStream.ts';
import { compileSampleFilter, textQueries, type TextIndex } from '../../state/sampleFilter.ts';
import { textMatchKey } from '../../state/searchSlice.ts';
import { prepareSampleSearch, shownSamples } from '../../state/shownSamples.ts';
import { whenIdle } from '../../lib/idleWork.ts';
import { useStore } from '../../state/useStore.ts';
import { CrashBanner } from './CrashBanner.tsx';
import { SampleGrid } from './SampleGrid.tsx';
import { ScoreCharts } from './ScoreCharts.tsx';

const EMPTY: ReadonlyArray<SampleRow> = [];

/** One function for every render, so the grid is not drawn again when only a filter's text changes. */
function openSampleRow(row: SampleRow): void {
  void useStore.getState().openSample(row.facts.id, row.facts.epoch);
}

/** One run: its facts, then its samples in a grid, filtered by text, expression, score or error. */
export function RunView({ visible }: { visible: boolean }) {
  const run = useStore((state) => state.run);
  const { closeRun, stopRun } = useStore.getState();
  const [text, setText] = useState('');
  const [expression, setExpression] = useState('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  const rows = run?.rows ?? EMPTY;
  const header = run?.header ?? null;
  const scorers = useMemo(() => scorersOf(rows), [rows]);
  const textIndex = useTextIndex(run?.path ?? null, expression);
  const filter = useMemo(
    () => compileSampleFilter(expression, scorers, textIndex.test),
    [expression, scorers, textIndex.test],
  );
  // Filtered in the keystroke's own update, not deferred: the search costs a few milliseconds at
  // 100,000 rows, and a deferred update drew one frame more (the input alone) before the rows.
  const needle = text.trim().toLowerCase();
  const test = filter.ok && expression.trim() ? filter.test : null;
  const shown = useMemo(
    () => shownSamples(rows, { errorsOnly, text: needle, test }),
    [rows, errorsOnly, needle, test],
  );
  // The search texts joined while the page is idle: the first keystroke only searches.
  useEffect(() => whenIdle((timeUp) => prepareSampleSearch(rows, timeUp)), [rows]);
  // The sample last opened is the row focused when the grid is shown again.
  const lastSample = useStore((state) => state.lastOpened.sample);
  if (!run) return null;
  const { progress, error, path } = run;
  const summary = header ? headerSummary(header) : null;
  return (
    <section className="run-view" aria-label="Run" hidden={!visible}>
      <header className="run-header">
        <button type="button" onClick={closeRun}>
          ← Runs
        </button>
        <h2>{summary?.task ?? fileName(path)}</h2>
        <span className="muted">{summary?.model ?? ''}</span>
        {summary && <StatusBadge status={summary.status} />}
        <span className="muted path" title={path}>
          {fileName(path)}
        </span>
        <ExportMenu />
      </header>
      <CrashBanner path={path} />
      {header && <RunFacts header={header} rows={rows} />}
      {error && (
        <ErrorNotice error={error} onRetry={() => void useStore.getState().openRun(path)} />
      )}
      {rows.length > 0 && <ScoreCharts rows={rows} scorers={scorers} />}
      <div className="toolbar">
        <input
          aria-label="Search samples"
          placeholder="Search input, target, answer, error"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <input
          aria-label="Filter expression"
          className={`filter-expression${filter.ok ? '' : ' invalid'}`}
          placeholder='Filter: has_error, match == "C", tokens > 1000, text_contains("timed out") …'
          value={expression}
          onChange={(event) => setExpression(event.target.value)}
        />
        <label>
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(event) => setErrorsOnly(event.target.checked)}
          />{' '}
          errors only
        </label>
        <span className="muted" data-testid="sample-count">
          {shown?.count ?? rows.length} of {rows.length} samples
        </span>
        {progress.phase === 'streaming' && (
          <span className="stream-progress">
            <progress
              aria-label="Reading samples"
              max={Math.max(1, progress.bytesTotal)}
              value={progress.bytesRead}
            />
            <button type="button" onClick={stopRun}>
              Stop
            </button>
          </span>
        )}
        {progress.phase === 'stopped' && <span className="muted">stopped</span>}
      </div>
      {!filter.ok && (
        <p className="filter-error" role="status">
          {filter.message}
        </p>
      )}
      {filter.ok && textIndex.note && (
        <p className="muted filter-note" role="status">
          {textIndex.note}
        </p>
      )}
      <SampleGrid
        rows={rows}
        shown={shown}
        scorers={scorers}
        onOpen={openSampleRow}
        focusKey={lastSample}
        visible={visible}
      />
    </section>
  );
}

/**
 * `text_contains("…")` of a run's filter, answered by the search index (so a run of 100,000
 * samples is not read again): each query asked once per run and index pass. `note` says when an
 * answer is pending or failed, or the index is still being built.
 */
function useTextIndex(path: string | null, expression: string): { test: TextIndex; note: string } {
  const matches = useStore((state) => state.textMatches);
  const indexing = useStore((state) => state.indexProgress.phase === 'indexing');
  const queries = useMemo(() => textQueries(expression), [expression]);
  useEffect(() => {
    if (!path) return;
    for (const query of queries) void useStore.getState().matchSampleText(path, query);
  }, [path, queries, matches]);
  const test = useCallback<TextIndex>(
    (query, facts) => {
      const found = path ? matches[textMatchKey(path, query)] : undefined;
      return found?.phase === 'ready' ? found.value.has(sampleKey(facts.id, facts.epoch)) : null;
    },
    [path, matches],
  );
  const asked = queries.map((query) => (path ? matches[textMatchKey(path, query)] : undefined));
  const failed = asked.find((request) => request?.phase === 'failed');
  const note =
    failed?.phase === 'failed'
      ? `text_contains: ${failed.error.message}`
      : asked.some((request) => request?.phase !== 'ready') && queries.length > 0
        ? 'text_contains: searching the index…'
        : queries.length > 0 && indexing
          ? 'text_contains: the search index is still being built; more samples may match.'
          : '';
  return { test, note };
}

/** The scorers that occur in the run's samples, in order of first appearance. */
function scorersOf(rows: ReadonlyArray<SampleRow>): string[] {
  const seen = new Set<string>();
  // The first rows name the scorers; scanning all of a huge run on every batch would not pay.
  for (const row of rows.slice(0, 2_000)) for (const name in row.facts.scores) seen.add(name);
  return [...seen];
}

function fileName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}

/** Export the open run in the formats other tools read. */
function ExportMenu() {
  const exported = useStore((state) => state.exported);
  const exportError = errorOf(exported);
  return (
    <span className="export-menu">
      <span className="muted">Export</span>
      {EXPORT_FORMATS.map((format) => (
        <button
          key={format}
          type="button"
          onClick={() => void useStore.getState().exportCurrentRun(format)}
        >
          {format}
        </button>
      ))}
      {exported.phase === 'pending' && <span role="status">Exporting…</span>}
      {exported.phase === 'ready' && (
        <span role="status" title={exported.value.output}>
          Exported to {fileName(exported.value.output)}
        </span>
      )}
      {exportError && <span role="status">Export failed: {exportError.message}</span>}
    </span>
  );
}

/**
 * The run's facts: when, how long, how many, tokens per model, every metric, configuration.
 * Drawn again only when the header or the rows change, not on every keystroke of a filter.
 */
const RunFacts = memo(function RunFacts({
  header,
  rows,
}: {
  header: LogHeader;
  rows: ReadonlyArray<SampleRow>;
}) {
  const summary = headerSummary(header);
  const spec = isJsonObject(header.eval) ? header.eval : {};
  const plan = isJsonObject(header.plan) ? header.plan : {};
  const planned = plannedSamples(spec);
  const duration = runDuration(
    header,
    rows.map((row) => row.summary),
  );
  const usage = modelUsage(header);
  const configuration: Record<string, JsonValue> = {
    task_args: spec.task_args ?? {},
    config: spec.config ?? {},
    model_generate_config: spec.model_generate_config ?? {},
    model_args: spec.model_args ?? {},
    dataset: spec.dataset ?? {},
    plan: plan.steps ?? [],
    generate_config: plan.config ?? {},
    tags: spec.tags ?? [],
    metadata: spec.metadata ?? {},
    // A verifiers run's metadata.json and a Codex session's meta, as the log has them.
    run_metadata: header.metadata ?? {},
  };
  return (
    <div className="run-facts">
      <dl className="facts" data-testid="run-plan">
        {summary.created && (
          <>
            <dt>Created</dt>
            <dd>{summary.created}</dd>
          </>
        )}
        <dt>Duration</dt>
        <dd>{formatDuration(duration)}</dd>
        <dt>Samples</dt>
        <dd>
          {rows.length} read{planned === null ? '' : ` · ${planned} planned`}
        </dd>
        {usage.map(({ model, total, input, output }) => (
          <span key={model} className="usage">
            <dt>Tokens · {model}</dt>
            <dd title={`input ${input ?? '?'}, output ${output ?? '?'}`}>{formatTokens(total)}</dd>
          </span>
        ))}
      </dl>
      <ul className="run-scores" aria-label="Scores">
        {summary.scores.map((scorer, index) => (
          <li key={`${scorer.scorer}-${index}`}>
            <strong>{scorer.scorer}</strong>{' '}
            {scorer.reducer && <span className="muted">({scorer.reducer}) </span>}
            {scorer.metrics.map(({ name, value }) => (
              <span key={name} className="metric">
                <span className="muted">{name}</span>{' '}
                {typeof value === 'number' ? value.toFixed(3) : displayText(value)}
              </span>
            ))}
          </li>
        ))}
        {summary.scores.length === 0 && <li className="muted">no run-level scores in this log</li>}
      </ul>
      <details className="run-config">
        <summary>Configuration</summary>
        <JsonTree value={configuration} label="Configuration" />
      </details>
    </div>
  );
});

/** Tokens per model from the header's stats. */
function modelUsage(
  header: LogHeader,
): Array<{ model: string; total: number | null; input: number | null; output: number | null }> {
  const stats = isJsonObject(header.stats) ? header.stats : {};
  const usage = isJsonObject(stats.model_usage) ? stats.model_usage : {};
  return Object.entries(usage).flatMap(([model, value]) =>
    isJsonObject(value)
      ? [
          {
            model,
            total: typeof value.total_tokens === 'number' ? value.total_tokens : null,
            input: typeof value.input_tokens === 'number' ? value.input_tokens : null,
            output: typeof value.output_tokens === 'number' ? value.output_tokens : null,
          },
        ]
      : [],
  );
}
