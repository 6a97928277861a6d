import { useEffect, useMemo } from 'react';
import type { RunRow } from '../../../../shared/model/run.ts';
import {
  formatBytes,
  formatDuration,
  formatScore,
  formatTokens,
} from '../../../../shared/util/format.ts';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { VirtualTable, type TableColumn } from '../../components/VirtualTable.tsx';
import { routeHash } from '../../lib/route.ts';
import {
  filterRuns,
  folderOf,
  prepareRunSearch,
  recoveryLabel,
  statusLabel,
} from '../../state/runsFilter.ts';
import { whenIdle } from '../../lib/idleWork.ts';
import { useStore } from '../../state/useStore.ts';
import { RunsSidebar } from './RunsSidebar.tsx';

/** Height of one table row in pixels, for virtualization. */
const ROW_HEIGHT = 34;

/** Unknown values sort last whichever way a column is sorted. */
const MISSING = Number.NEGATIVE_INFINITY;

function fileNameOf(row: RunRow): string {
  return row.path.split(/[\\/]/).at(-1) ?? row.path;
}

const columns: Array<TableColumn<RunRow>> = [
  {
    id: 'select',
    header: '',
    size: 32,
    enableSorting: false,
    enableResizing: false,
    cell: (info) => <CompareBox row={info.row.original} />,
  },
  {
    id: 'status',
    accessorFn: (row) => statusLabel(row.status),
    header: 'Status',
    size: 96,
    cell: (info) => (
      <StatusBadge status={info.row.original.status} liveness={info.row.original.liveness} />
    ),
  },
  // Health next to status: a crashed run's one-click fix is the first thing in its row.
  {
    id: 'action',
    header: '',
    size: 170,
    enableSorting: false,
    enableResizing: false,
    cell: (info) => <RowAction row={info.row.original} />,
  },
  {
    id: 'file',
    accessorFn: fileNameOf,
    header: 'File',
    size: 240,
    cell: (info) => <FileLink row={info.row.original} />,
  },
  { id: 'folder', accessorFn: folderOf, header: 'Folder', size: 140 },
  { id: 'task', accessorFn: (row) => row.task ?? '', header: 'Task', size: 120 },
  { id: 'model', accessorFn: (row) => row.model ?? '', header: 'Model', size: 140 },
  {
    id: 'score',
    accessorFn: (row) => row.scores[0]?.value ?? MISSING,
    header: 'Score',
    size: 130,
    cell: (info) => {
      const headline = info.row.original.scores[0];
      return headline ? (
        <span
          title={info.row.original.scores
            .map(({ name, value }) => `${name} ${formatScore(value)}`)
            .join('\n')}
        >
          <span className="muted">{headline.name}</span> {formatScore(headline.value)}
        </span>
      ) : (
        ''
      );
    },
  },
  {
    id: 'samples',
    accessorFn: (row) => row.samples.completed,
    header: 'Samples',
    size: 120,
    cell: (info) => {
      const { completed, total } = info.row.original.samples;
      return (
        <span className="samples-cell">
          {completed}/{total ?? '?'}{' '}
          {total !== null && <ProgressBar done={completed} total={total} />}
        </span>
      );
    },
  },
  {
    id: 'errors',
    accessorFn: (row) => row.errors,
    header: 'Errors',
    size: 64,
    cell: (info) =>
      info.row.original.errors > 0 ? (
        <span className="cell-error">{info.row.original.errors}</span>
      ) : (
        ''
      ),
  },
  {
    id: 'tokens',
    accessorFn: (row) => row.tokens ?? MISSING,
    header: 'Tokens',
    size: 76,
    cell: (info) =>
      info.row.original.tokens === null ? '' : formatTokens(info.row.original.tokens),
  },
  {
    id: 'duration',
    accessorFn: (row) => row.duration ?? MISSING,
    header: 'Duration',
    size: 84,
    cell: (info) =>
      info.row.original.duration === null ? '' : formatDuration(info.row.original.duration),
  },
  {
    id: 'created',
    // By the instant, not the text: timestamps of different zones sort as they happened.
    accessorFn: (row) => (row.created ? Date.parse(row.created) || MISSING : MISSING),
    header: 'Created',
    size: 136,
    cell: (info) => (
      <span title={info.row.original.created ?? ''}>{shortTime(info.row.original.created)}</span>
    ),
  },
  {
    id: 'recovery',
    accessorFn: recoveryLabel,
    header: 'Recovery source',
    size: 120,
  },
  {
    id: 'size',
    accessorFn: (row) => row.size,
    header: 'Size',
    size: 80,
    cell: (info) => formatBytes(info.row.original.size),
  },
  {
    id: 'cost',
    accessorFn: (row) => row.cost ?? MISSING,
    header: 'Cost',
    size: 72,
    cell: (info) =>
      info.row.original.cost === null ? '' : `$${info.row.original.cost.toFixed(2)}`,
  },
  { id: 'format', accessorFn: (row) => row.format, header: 'Format', size: 100 },
  {
    id: 'tags',
    accessorFn: (row) => row.tags.join(' '),
    header: 'Tags',
    size: 140,
    cell: (info) =>
      info.row.original.tags.map((tag) => (
        <span key={tag} className="tag">
          {tag}
        </span>
      )),
  },
];

// Stable props: the table is drawn again only when one of its props changes.
const runLocation = (row: RunRow): string => row.location;
const RUNS_ORDER = [{ id: 'created', desc: true }];

/** Columns the chooser offers that are hidden until shown: the table fits a laptop's screen. */
const HIDDEN_AT_FIRST = ['recovery', 'size', 'format', 'cost', 'tags'];

/** At most this many per-metric columns are offered (a folder of many tasks has many metrics). */
const MAX_METRIC_COLUMNS = 30;

/** One column per score name across the listed runs, hidden until chosen. */
function metricColumns(runs: ReadonlyArray<RunRow>): Array<TableColumn<RunRow>> {
  const names = new Set<string>();
  for (const run of runs) {
    for (const { name } of run.scores) {
      names.add(name);
      if (names.size >= MAX_METRIC_COLUMNS) break;
    }
    if (names.size >= MAX_METRIC_COLUMNS) break;
  }
  return [...names].map((name) => ({
    id: `metric:${name}`,
    header: name,
    size: 96,
    accessorFn: (row: RunRow) => row.scores.find((score) => score.name === name)?.value ?? MISSING,
    cell: (info) => {
      const score = info.row.original.scores.find((item) => item.name === name);
      return score ? formatScore(score.value) : '';
    },
  }));
}

/** `2026-11-23 10:00` from an ISO timestamp (the full one is in the cell's title). */
function shortTime(iso: string | null): string {
  if (!iso) return '';
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

/**
 * The file name, whole at its end (the start is cut when it is long), the full path on hover; a
 * link to the run, so that a middle click or Ctrl+click opens it in a new tab. What the run was
 * recovered from and what was exported from it follow as small tags.
 */
function FileLink({ row }: { row: RunRow }) {
  const name = fileNameOf(row);
  const { recoveredFrom, exports } = row.links;
  return (
    <span className="file-cell">
      <RunLinkAnchor row={row} name={name} />
      {recoveredFrom && (
        <a
          className="tag"
          href={routeHash({ run: recoveredFrom, sample: null })}
          title={`Recovered from ${recoveredFrom}`}
        >
          recovered
        </a>
      )}
      {exports.length > 0 && (
        <span className="tag" title={exports.join('\n')}>
          {exports.length} export{exports.length === 1 ? '' : 's'}
        </span>
      )}
    </span>
  );
}

function RunLinkAnchor({ row, name }: { row: RunRow; name: string }) {
  return (
    <a
      className="file-link"
      href={routeHash({ run: row.location, sample: null })}
      title={row.problem ? `${row.location}\n${row.problem.message}` : row.location}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        void useStore.getState().openRun(row.location);
      }}
    >
      <bdi>{name}</bdi>
    </a>
  );
}

/** Tick two runs to compare them. */
function CompareBox({ row }: { row: RunRow }) {
  const selected = useStore((state) => state.selection.includes(row.location));
  return (
    <input
      type="checkbox"
      aria-label={`Select ${row.path}`}
      checked={selected}
      onChange={() => useStore.getState().toggleSelected(row.location)}
    />
  );
}

/** The one-click action matching a run's state: recover, repair, open what recovery wrote, undo. */
function RowAction({ row }: { row: RunRow }) {
  const { recovered, undoableRepair } = row.links;
  if (recovered) {
    return (
      <a
        className="row-link"
        href={routeHash({ run: recovered, sample: null })}
        title={`Recovered to ${recovered}`}
      >
        recovered →
      </a>
    );
  }
  if (undoableRepair && row.recovery === null) {
    return (
      <button
        type="button"
        title={`Repaired; the moved bytes are in ${undoableRepair}`}
        onClick={() => void useStore.getState().undoRepairOf(undoableRepair)}
      >
        Undo repair
      </button>
    );
  }
  if (row.recovery === null) return null;
  const repair = row.recovery === 'torn-tail';
  return (
    <span className="row-action">
      <button
        type="button"
        onClick={() =>
          void (repair
            ? useStore.getState().checkRepairOf(row.location)
            : useStore.getState().planRecoveryOf(row.location))
        }
      >
        {repair ? 'Repair' : 'Recover'}
      </button>
      <span className="muted">{recoveryLabel(row)}</span>
    </span>
  );
}

/** The runs table: sortable, filtered by status and text, virtualized for thousands of runs. */
export function RunsTable({
  visible,
  onOpen,
}: {
  visible: boolean;
  onOpen: (row: RunRow) => void;
}) {
  const runs = useStore((state) => state.listing.runs);
  // Filtered in the keystroke's own update (see RunView): one frame, the input and the rows.
  const filter = useStore((state) => state.runsFilter);
  // The run last opened is the row focused when the list is shown again.
  const lastOpened = useStore((state) => state.lastOpened.run);
  const shown = useMemo(() => {
    const matched = filterRuns(runs, filter);
    return matched.count === runs.length ? null : matched;
  }, [runs, filter]);
  // The runs' search texts built while the page is idle: the first keystroke only searches.
  useEffect(() => whenIdle((timeUp) => prepareRunSearch(runs, timeUp)), [runs]);
  const metrics = useMemo(() => metricColumns(runs), [runs]);
  const allColumns = useMemo(() => [...columns, ...metrics], [metrics]);
  const hidden = useMemo(
    () => [...HIDDEN_AT_FIRST, ...metrics.map((column) => column.id!)],
    [metrics],
  );
  return (
    <section className="runs-view" hidden={!visible} aria-label="Runs list">
      <RunsSidebar />
      <VirtualTable
        label="Runs"
        rows={runs}
        shown={shown}
        columns={allColumns}
        defaultHidden={hidden}
        rowKey={runLocation}
        storageKey="salvage.runs.layout"
        initialSorting={RUNS_ORDER}
        onOpen={onOpen}
        rowHeight={ROW_HEIGHT}
        rowClassName="run-row"
        rowTitle={runLocation}
        focusKey={lastOpened}
        visible={visible}
      />
    </section>
  );
}
