import { useMemo, useState } from 'react';
import type { RunRow } from '../../../../shared/model/run.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { VirtualTable, type TableColumn } from '../../components/VirtualTable.tsx';
import { selectRows } from '../../lib/shownRows.ts';
import type { CrossRunRow } from '../../state/crossRunSlice.ts';
import { compileSampleFilter } from '../../state/sampleFilter.ts';
import { useStore } from '../../state/useStore.ts';
import { sampleColumns } from '../run/SampleGrid.tsx';

function fileName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}

/** Every sample of the selected runs in one grid, with the run each came from. */
export function CrossRunSamples() {
  const crossRun = useStore((state) => state.crossRun);
  const runs = useStore((state) => state.listing.runs);
  const [expression, setExpression] = useState('');
  const byLocation = useMemo(() => new Map(runs.map((run) => [run.location, run])), [runs]);
  const rows = crossRun?.rows;
  const scorers = useMemo(() => {
    const seen = new Set<string>();
    for (const row of (rows ?? []).slice(0, 5_000))
      for (const name in row.facts.scores) seen.add(name);
    return [...seen];
  }, [rows]);
  const filter = useMemo(() => compileSampleFilter(expression, scorers), [expression, scorers]);
  const shown = useMemo(
    () =>
      filter.ok && expression.trim() && rows
        ? selectRows(rows, (row) => filter.test(row.facts))
        : null,
    [rows, filter, expression],
  );
  const columns = useMemo(
    () => [...runColumns((run) => byLocation.get(run)), ...sampleColumns<CrossRunRow>(scorers)],
    [byLocation, scorers],
  );
  if (!crossRun) return null;
  const { closeCrossRun, openRun, openSample } = useStore.getState();
  return (
    <section className="run-view" aria-label="Samples of the selected runs">
      <header className="run-header">
        <button type="button" onClick={closeCrossRun}>
          ← Runs
        </button>
        <h2>Samples of {crossRun.runs.length} runs</h2>
        {crossRun.phase === 'streaming' && (
          <span className="muted">
            reading run {crossRun.read + 1} of {crossRun.runs.length}…
          </span>
        )}
      </header>
      {crossRun.error && <ErrorNotice error={crossRun.error} />}
      <div className="toolbar">
        <input
          aria-label="Filter expression"
          className={`filter-expression${filter.ok ? '' : ' invalid'}`}
          placeholder='Filter: has_error, match == "C", tokens > 1000 …'
          value={expression}
          onChange={(event) => setExpression(event.target.value)}
        />
        <span className="muted" data-testid="sample-count">
          {shown?.count ?? crossRun.rows.length} of {crossRun.rows.length} samples
        </span>
      </div>
      {!filter.ok && (
        <p className="filter-error" role="status">
          {filter.message}
        </p>
      )}
      <VirtualTable
        label="Samples"
        rows={crossRun.rows}
        shown={shown}
        columns={columns}
        rowKey={(row) => row.key}
        storageKey="salvage.crossrun.columns"
        onOpen={(row) => {
          closeCrossRun();
          void openRun(row.run);
          void openSample(row.facts.id, row.facts.epoch);
        }}
        rowHeight={30}
        rowClassName="sample-row"
      />
    </section>
  );
}

function runColumns(
  runOf: (location: string) => RunRow | undefined,
): Array<TableColumn<CrossRunRow>> {
  return [
    {
      id: 'run',
      header: 'Run',
      size: 200,
      accessorFn: (row) => fileName(row.run),
      cell: (info) => (
        <span className="file-link" title={info.row.original.run}>
          <bdi>{fileName(info.row.original.run)}</bdi>
        </span>
      ),
    },
    {
      id: 'run-task',
      header: 'Task',
      size: 120,
      accessorFn: (row) => runOf(row.run)?.task ?? '',
    },
    {
      id: 'run-model',
      header: 'Model',
      size: 130,
      accessorFn: (row) => runOf(row.run)?.model ?? '',
    },
    {
      id: 'run-status',
      header: 'Eval status',
      size: 96,
      accessorFn: (row) => runOf(row.run)?.status ?? '',
      cell: (info) => <StatusBadge status={runOf(info.row.original.run)?.status ?? null} />,
    },
  ];
}
