import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  isJsonObject,
  stringifyInspectJson,
  type JsonValue,
} from '../../../../shared/formats/json/inspectJson.ts';
import { scalarText, type LogHeader, type SampleSummary } from '../../../../shared/model/log.ts';
import { handleRowKeys } from '../../lib/rowKeys.ts';
import { useStore } from '../../state/store.ts';

const ROW_HEIGHT = 30;
/** Distinct score values offered by the score filter (a continuous score has too many). */
const MAX_SCORE_CHOICES = 50;
/** Rows looked at to find the score values offered. */
const SCORE_CHOICE_SCAN = 5_000;

/** One run: its header facts, then its samples (virtualized), filtered by text, score or error. */
export function RunView({
  path,
  header,
  summaries,
  error,
  onOpenSample,
  onBack,
  progress,
  onCancel,
}: {
  progress: {
    readonly bytesRead: number;
    readonly bytesTotal: number;
    readonly done: boolean;
  } | null;
  onCancel: (() => void) | null;
  path: string;
  header: LogHeader | null;
  summaries: ReadonlyArray<SampleSummary>;
  error: string | null;
  onOpenSample: (id: string, epoch: number) => void;
  onBack: () => void;
}) {
  const [filter, setFilter] = useState('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [scoreFilter, setScoreFilter] = useState<string | null>(null);
  // The values of each scorer that occur in the run: what "filter by score" offers.
  const scoreChoices = useMemo(() => {
    const seen = new Set<string>();
    // The first rows tell which values occur; scanning all of a huge run on every batch would not.
    for (const summary of summaries.slice(0, SCORE_CHOICE_SCAN)) {
      for (const choice of scoreLabels(summary.scores)) {
        seen.add(choice);
        if (seen.size >= MAX_SCORE_CHOICES) return [...seen].sort();
      }
    }
    return [...seen].sort();
  }, [summaries]);
  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return summaries.filter(
      (summary) =>
        (!errorsOnly || summary.error !== undefined) &&
        (scoreFilter === null || scoreLabels(summary.scores).includes(scoreFilter)) &&
        (!needle ||
          stringifyInspectJson([summary.id, summary.input, summary.target, summary.scores])
            .toLowerCase()
            .includes(needle)),
    );
  }, [summaries, filter, errorsOnly, scoreFilter]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const spec = header && isJsonObject(header.eval) ? header.eval : {};
  return (
    <section className="run-view" aria-label="Run">
      <header className="run-header">
        <button type="button" onClick={onBack}>
          ← Runs
        </button>
        <h2>{text(spec.task)}</h2>
        <span>{text(spec.model)}</span>
        <span data-testid="run-status">{text(header?.status)}</span>
        <span className="muted">{path}</span>
        <ExportMenu />
      </header>
      {header && <RunFacts header={header} />}
      {error && <p role="alert">{error}</p>}
      <div className="toolbar">
        <input
          aria-label="Filter samples"
          placeholder="Filter samples"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        <select
          aria-label="Filter by score"
          value={scoreFilter ?? ''}
          onChange={(event) =>
            setScoreFilter(event.target.value === '' ? null : event.target.value)
          }
        >
          <option value="">any score</option>
          {scoreChoices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(event) => setErrorsOnly(event.target.checked)}
          />{' '}
          errors only
        </label>
        <span className="muted" data-testid="sample-count">
          {visible.length} of {summaries.length} samples
        </span>
        {progress && !progress.done && (
          <span className="stream-progress">
            <progress
              aria-label="Reading samples"
              max={Math.max(1, progress.bytesTotal)}
              value={progress.bytesRead}
            />
            {onCancel && (
              <button type="button" onClick={onCancel}>
                Stop
              </button>
            )}
          </span>
        )}
      </div>
      <div className="table-scroller" ref={scroller}>
        <div
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
          role="list"
          aria-label="Samples"
        >
          {virtualizer.getVirtualItems().map((item) => {
            const summary = visible[item.index]!;
            const id = scalarText(summary.id);
            const epoch = Number(summary.epoch ?? 1);
            return (
              <div
                key={`${id}:${epoch}`}
                role="listitem"
                className="sample-row"
                tabIndex={0}
                style={{
                  position: 'absolute',
                  top: item.start,
                  height: ROW_HEIGHT,
                  left: 0,
                  right: 0,
                }}
                onClick={() => onOpenSample(id, epoch)}
                onKeyDown={(event) =>
                  handleRowKeys(event, '.sample-row', () => onOpenSample(id, epoch))
                }
              >
                <span className="sample-id">{id}</span>
                <span className="sample-epoch">{epoch}</span>
                <span className="sample-score">{scores(summary.scores)}</span>
                <span className="sample-error">
                  {summary.error === undefined ? '' : text(summary.error)}
                </span>
                <span className="sample-input">{text(summary.input)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function scores(value: JsonValue | undefined): string {
  return scoreLabels(value).join(', ');
}

/** `scorer: value` for each score of a sample (verifiers rewards read as a `reward` scorer). */
function scoreLabels(value: JsonValue | undefined): string[] {
  if (!isJsonObject(value)) return [];
  return Object.entries(value).map(
    ([name, score]) => `${name}: ${isJsonObject(score) ? text(score.value) : ''}`,
  );
}

export function text(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return (value as JsonValue[])
      .map((part) => (isJsonObject(part) ? text(part.content ?? part.text) : text(part)))
      .join(' ');
  }
  return stringifyInspectJson(value);
}

/** Export the open run in the formats other tools read. */
function ExportMenu() {
  const message = useStore((state) => state.exportMessage);
  const exportCurrentRun = useStore((state) => state.exportCurrentRun);
  return (
    <span className="export-menu">
      Export:
      {(['eval', 'json', 'jsonl', 'csv'] as const).map((format) => (
        <button key={format} type="button" onClick={() => void exportCurrentRun(format)}>
          {format}
        </button>
      ))}
      {message && <span role="status">{message}</span>}
    </span>
  );
}

/** The run's scores (every metric of every scorer) and its configuration, folded away. */
function RunFacts({ header }: { header: LogHeader }) {
  const results = isJsonObject(header.results) ? header.results : {};
  const scorers = Array.isArray(results.scores) ? (results.scores as JsonValue[]) : [];
  const spec = isJsonObject(header.eval) ? header.eval : {};
  const plan = isJsonObject(header.plan) ? header.plan : {};
  const configuration = {
    task_args: spec.task_args ?? {},
    config: spec.config ?? {},
    model_generate_config: spec.model_generate_config ?? {},
    model_args: spec.model_args ?? {},
    dataset: spec.dataset ?? {},
    plan: plan.steps ?? [],
    generate_config: plan.config ?? {},
  };
  return (
    <div className="run-facts">
      <ul className="run-scores" aria-label="Scores">
        {scorers.filter(isJsonObject).map((scorer, index) => (
          <li key={`${text(scorer.name)}-${index}`}>
            <strong>{text(scorer.name)}</strong>{' '}
            {isJsonObject(scorer.metrics) &&
              Object.entries(scorer.metrics)
                .filter((entry): entry is [string, { [key: string]: JsonValue }] =>
                  isJsonObject(entry[1]),
                )
                .map(([name, metric]) => (
                  <span key={name} className="metric">
                    {name}{' '}
                    {typeof metric.value === 'number'
                      ? metric.value.toFixed(3)
                      : text(metric.value)}
                  </span>
                ))}
          </li>
        ))}
        {scorers.length === 0 && <li className="muted">no run-level scores in this log</li>}
      </ul>
      <details className="run-config">
        <summary>Configuration</summary>
        <pre>{stringifyInspectJson(configuration, 2)}</pre>
      </details>
    </div>
  );
}
