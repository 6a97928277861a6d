import { memo, useMemo } from 'react';
import { formatDuration, formatTokens } from '../../../../shared/util/format.ts';
import { VirtualTable, type TableColumn } from '../../components/VirtualTable.tsx';
import { ScoreValue } from '../../components/ScoreValue.tsx';
import type { ShownRows } from '../../lib/shownRows.ts';
import type { SampleRow } from '../../state/runStream.ts';

const ROW_HEIGHT = 30;

/** Samples in dataset order, as Inspect View lists them: by id, then epoch. */
export const SAMPLE_ORDER = [
  { id: 'id', desc: false },
  { id: 'epoch', desc: false },
];

/** Sorting keeps unknowns last whatever the direction would put first. */
const MISSING = Number.NEGATIVE_INFINITY;

function scoreSortValue(value: number | string | boolean | null | undefined): number | string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

function compareIds(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  const xNumber = a !== '' && Number.isFinite(x);
  const yNumber = b !== '' && Number.isFinite(y);
  if (xNumber && yNumber) return x - y;
  if (xNumber !== yNumber) return xNumber ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Text cell: one line, cut with an ellipsis, the whole text on hover. */
function Text({ text }: { text: string }) {
  return <span title={text.length > 60 ? text.slice(0, 2000) : undefined}>{text}</span>;
}

/** The grid's columns over any row that carries a sample's facts (one run's, or many runs'). */
export function sampleColumns<Row extends SampleRow>(
  scorers: ReadonlyArray<string>,
): Array<TableColumn<Row>> {
  return [
    {
      id: 'id',
      header: 'Id',
      size: 90,
      // Numeric ids as numbers (2 before 10), text ids after them, in text order.
      accessorFn: (row) => row.facts.id,
      sortFn: (a, b) => compareIds(a.original.facts.id, b.original.facts.id),
    },
    { id: 'epoch', header: 'Epoch', size: 76, accessorFn: (row) => row.facts.epoch },
    {
      id: 'input',
      header: 'Input',
      size: 360,
      accessorFn: (row) => row.facts.input,
      cell: (info) => <Text text={info.row.original.facts.input} />,
    },
    {
      id: 'target',
      header: 'Target',
      size: 140,
      accessorFn: (row) => row.facts.target,
      cell: (info) => <Text text={info.row.original.facts.target} />,
    },
    {
      id: 'answer',
      header: 'Answer',
      size: 160,
      accessorFn: (row) => row.facts.answer,
      cell: (info) => <Text text={info.row.original.facts.answer} />,
    },
    ...scorers.map((scorer): TableColumn<Row> => ({
      id: `score:${scorer}`,
      header: scorer,
      size: 100,
      accessorFn: (row) => scoreSortValue(row.facts.scores[scorer]),
      sortUndefined: 'last',
      cell: (info) => <ScoreValue value={info.row.original.facts.scores[scorer] ?? null} />,
    })),
    {
      id: 'tokens',
      header: 'Tokens',
      size: 80,
      accessorFn: (row) => row.facts.tokens ?? MISSING,
      cell: (info) =>
        info.row.original.facts.tokens === null ? '' : formatTokens(info.row.original.facts.tokens),
    },
    {
      id: 'duration',
      header: 'Duration',
      size: 84,
      accessorFn: (row) => row.facts.duration ?? MISSING,
      cell: (info) =>
        info.row.original.facts.duration === null
          ? ''
          : formatDuration(info.row.original.facts.duration),
    },
    {
      id: 'error',
      header: 'Error',
      size: 200,
      accessorFn: (row) => row.facts.error,
      cell: (info) =>
        info.row.original.facts.error && (
          <span className="cell-error">
            <Text text={info.row.original.facts.error} />
          </span>
        ),
    },
    { id: 'limit', header: 'Limit', size: 80, accessorFn: (row) => row.facts.limit },
    {
      id: 'retries',
      header: 'Retries',
      size: 72,
      accessorFn: (row) => row.facts.retries,
      cell: (info) => info.row.original.facts.retries || '',
    },
  ];
}

/**
 * A run's samples: one column per field and per scorer, sortable, resizable, virtualized. Drawn
 * again only when its rows or what is shown of them change, not when a filter's text does.
 */
export const SampleGrid = memo(function SampleGrid({
  rows,
  shown,
  scorers,
  onOpen,
  focusKey,
  visible,
}: {
  rows: ReadonlyArray<SampleRow>;
  /** The rows that pass the run's filters (null: all). */
  shown: ShownRows | null;
  scorers: ReadonlyArray<string>;
  onOpen: (row: SampleRow) => void;
  focusKey: string | null;
  visible: boolean;
}) {
  const columns = useMemo(() => sampleColumns<SampleRow>(scorers), [scorers]);
  return (
    <VirtualTable
      label="Samples"
      rows={rows}
      shown={shown}
      columns={columns}
      rowKey={(row) => row.key}
      storageKey="salvage.samples.columns"
      initialSorting={SAMPLE_ORDER}
      onOpen={onOpen}
      rowHeight={ROW_HEIGHT}
      rowClassName="sample-row"
      focusKey={focusKey}
      visible={visible}
    />
  );
});
