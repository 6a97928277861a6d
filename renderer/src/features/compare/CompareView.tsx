import { useMemo, useState } from 'react';
import {
  stringifyInspectJson,
  type JsonValue,
} from '../../../../shared/formats/json/inspectJson.ts';
import type { ComparedSample } from '../../../../shared/resume/comparison.ts';
import {
  changeOf,
  type Change,
  type ScorerChange,
} from '../../../../shared/resume/scoreChanges.ts';
import { BarChart } from '../../components/BarChart.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { ScoreValue } from '../../components/ScoreValue.tsx';
import { VirtualTable, type TableColumn } from '../../components/VirtualTable.tsx';
import { errorOf } from '../../state/request.ts';
import { useStore } from '../../state/useStore.ts';

function fileName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}

/** A score value for a cell: scalars coloured by meaning, anything else as JSON. */
function Value({ value }: { value: JsonValue | undefined }) {
  if (value === undefined) return <span className="muted">—</span>;
  if (value === null || typeof value === 'object' || typeof value === 'bigint')
    return <span>{stringifyInspectJson(value ?? null)}</span>;
  return <ScoreValue value={value} />;
}

const CHANGE_MARKS: Readonly<Record<Change, { mark: string; className: string }>> = {
  improved: { mark: '▲ improved', className: 'change-good' },
  regressed: { mark: '▼ regressed', className: 'change-bad' },
  unchanged: { mark: '', className: '' },
  changed: { mark: '≠ changed', className: 'change-other' },
  'only-a': { mark: 'A only', className: 'muted' },
  'only-b': { mark: 'B only', className: 'muted' },
};

/** `p = 0.031`, or `p < 0.001`. */
function pValue(value: number): string {
  return value < 0.001 ? 'p < 0.001' : `p = ${value.toFixed(3)}`;
}

/** Two runs side by side: configuration differences classified, per-sample scores aligned. */
export function CompareView() {
  const request = useStore((state) => state.comparison);
  const closeComparison = useStore((state) => state.closeComparison);
  const [changedOnly, setChangedOnly] = useState(false);
  const comparison = request.phase === 'ready' ? request.value : null;
  const scorers = useMemo(
    () => (comparison ? comparison.changes.map((change) => change.scorer) : []),
    [comparison],
  );
  const rows = useMemo(() => {
    const samples = comparison?.samples ?? [];
    return changedOnly
      ? samples.filter((sample) =>
          scorers.some((scorer) => {
            const change = changeOf(sample, scorer);
            return change !== null && change !== 'unchanged';
          }),
        )
      : samples;
  }, [comparison, changedOnly, scorers]);
  const columns = useMemo(() => sampleColumns(scorers), [scorers]);
  if (request.phase === 'idle') return null;
  const [a, b] = request.target;
  const error = errorOf(request);
  return (
    <section className="compare-view" aria-label="Compare runs">
      <header className="run-header">
        <button type="button" onClick={closeComparison}>
          ← Runs
        </button>
        <h2>Compare</h2>
        <span className="muted path" title={`A: ${a}\nB: ${b}`}>
          A: {fileName(a)} · B: {fileName(b)}
        </span>
      </header>
      {request.phase === 'pending' && <p className="muted">Comparing…</p>}
      {error && (
        <ErrorNotice error={error} onRetry={() => void useStore.getState().openComparison()} />
      )}
      {comparison && (
        <>
          <p data-testid="resume-verdict" className="verdict">
            {comparison.config.compatible === null
              ? `Resume-compatibility unknown: ${comparison.unknownConfig.map((side) => side.toUpperCase()).join(' and ')} recorded no configuration (compared on samples only)`
              : `${comparison.config.compatible ? 'Resume-compatible' : 'Not resume-compatible'}: ${
                  comparison.config.differences.filter((item) => item.class === 'result').length
                } result-affecting, ${
                  comparison.config.differences.filter((item) => item.class === 'throughput').length
                } throughput difference(s)`}
          </p>
          <ChangesTable changes={comparison.changes} />
          {comparison.config.differences.length > 0 && (
            <table aria-label="Configuration differences" className="compare-table">
              <thead>
                <tr>
                  <th>Class</th>
                  <th>Key</th>
                  <th>A</th>
                  <th>B</th>
                </tr>
              </thead>
              <tbody>
                {comparison.config.differences.map((item) => (
                  <tr key={item.key} className={`difference-${item.class}`}>
                    <td>
                      <span className={`tag class-${item.class}`}>{item.class}</span>
                    </td>
                    <td>{item.key}</td>
                    <td title={show(item.a)}>{show(item.a)}</td>
                    <td title={show(item.b)}>{show(item.b)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="toolbar">
            <label>
              <input
                type="checkbox"
                checked={changedOnly}
                onChange={(event) => setChangedOnly(event.target.checked)}
              />{' '}
              changed samples only
            </label>
            <span className="muted" data-testid="compared-count">
              {rows.length} of {comparison.samples.length} samples
            </span>
          </div>
          <div className="compare-samples">
            <VirtualTable
              label="Samples compared"
              rows={rows}
              columns={columns}
              rowKey={(row) => `${row.id}\u0000${row.epoch}`}
              storageKey="salvage.compare.columns"
              onOpen={() => undefined}
              rowHeight={30}
              rowClassName="compare-row"
            />
          </div>
        </>
      )}
    </section>
  );
}

/** Per scorer: how many samples went up, down or stayed, the means, and a paired test. */
function ChangesTable({ changes }: { changes: ReadonlyArray<ScorerChange> }) {
  if (changes.length === 0) return null;
  return (
    <div className="changes">
      <table aria-label="Score changes" className="compare-table">
        <thead>
          <tr>
            <th>Scorer</th>
            <th>Paired</th>
            <th>Improved</th>
            <th>Regressed</th>
            <th>Unchanged</th>
            <th>A only / B only</th>
            <th>Mean A → B</th>
            <th>Paired test</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.scorer}>
              <td>{change.scorer}</td>
              <td>{change.paired}</td>
              <td className="change-good">{change.improved}</td>
              <td className="change-bad">{change.regressed}</td>
              <td>{change.unchanged + (change.changed ? ` (+${change.changed} changed)` : '')}</td>
              <td>
                {change.onlyA} / {change.onlyB}
              </td>
              <td>
                {change.meanA === null || change.meanB === null
                  ? '—'
                  : `${change.meanA.toFixed(3)} → ${change.meanB.toFixed(3)}`}
              </td>
              <td title="Two-sided exact test on the samples that changed">
                {change.test ? `${change.test.name}, ${pValue(change.test.pValue)}` : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="charts">
        {changes.map((change) => (
          <BarChart
            key={change.scorer}
            title={`${change.scorer}: per-sample change`}
            bars={[
              { label: 'improved', count: change.improved, tone: 'good' },
              { label: 'unchanged', count: change.unchanged, tone: 'neutral' },
              { label: 'regressed', count: change.regressed, tone: 'bad' },
            ]}
          />
        ))}
      </div>
    </div>
  );
}

function sampleColumns(scorers: ReadonlyArray<string>): Array<TableColumn<ComparedSample>> {
  return [
    { id: 'id', header: 'Id', size: 90, accessorFn: (row) => row.id },
    { id: 'epoch', header: 'Epoch', size: 64, accessorFn: (row) => row.epoch },
    ...scorers.flatMap((scorer): Array<TableColumn<ComparedSample>> => [
      {
        id: `a:${scorer}`,
        header: `${scorer} (A)`,
        size: 110,
        accessorFn: (row) => stringifyInspectJson(row.a?.[scorer] ?? null),
        cell: (info) => <Value value={info.row.original.a?.[scorer]} />,
      },
      {
        id: `b:${scorer}`,
        header: `${scorer} (B)`,
        size: 110,
        accessorFn: (row) => stringifyInspectJson(row.b?.[scorer] ?? null),
        cell: (info) => <Value value={info.row.original.b?.[scorer]} />,
      },
      {
        id: `change:${scorer}`,
        header: `${scorer} change`,
        size: 120,
        accessorFn: (row) => changeOf(row, scorer) ?? '',
        cell: (info) => {
          const change = changeOf(info.row.original, scorer);
          if (!change) return '';
          const { mark, className } = CHANGE_MARKS[change];
          return <span className={className}>{mark}</span>;
        },
      },
    ]),
  ];
}

function show(value: JsonValue | null): string {
  return value === null ? '(absent)' : stringifyInspectJson(value);
}
