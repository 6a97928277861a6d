import {
  memo,
  useEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type MouseEvent,
  type ReactNode,
} from 'react';
import {
  columnOrderingFeature,
  columnPinningFeature,
  columnResizingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createSortedRowModel,
  FlexRender,
  rowSortingFeature,
  sortFns,
  tableFeatures,
  useTable,
  type ColumnDef,
  type Row as TableRowModel,
  type RowData,
  type SortingState,
} from '@tanstack/react-table';
import { handleRowKeys } from '../lib/rowKeys.ts';
import { useRowWindow } from '../lib/rowWindow.ts';
import { placesShown, type ShownRows } from '../lib/shownRows.ts';
import { loadTablePrefs, saveTablePrefs, type TablePrefs } from '../lib/tablePrefs.ts';

export const TABLE_FEATURES = tableFeatures({
  rowSortingFeature,
  columnVisibilityFeature,
  columnSizingFeature,
  columnResizingFeature,
  columnOrderingFeature,
  columnPinningFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns,
});

export type TableColumn<Row extends RowData> = ColumnDef<typeof TABLE_FEATURES, Row>;

/** Frames to wait for a row to be rendered before giving up focusing it. */
const FOCUS_TRIES = 20;

/** Rows drawn beyond each edge of the view, so scrolling does not show blank rows first. */
const OVERSCAN = 6;

const NONE: ReadonlyArray<string> = [];

/** Columns that are controls, not data: never hidden, moved or resized by the user. */
const FIXED = new Set(['select', 'action']);

export interface VirtualTableProps<Row extends RowData> {
  readonly label: string;
  readonly rows: ReadonlyArray<Row>;
  /**
   * The rows shown, out of `rows` (null: all). Filtering after sorting keeps the sorted rows
   * across keystrokes: at 100,000 rows, sorting them again cost more than the filter itself.
   */
  readonly shown?: ShownRows | null;
  readonly columns: Array<TableColumn<Row>>;
  readonly rowKey: (row: Row) => string;
  /** Where the column layout (sizes, order, visibility, pinning) is remembered. */
  readonly storageKey: string;
  readonly initialSorting?: SortingState;
  readonly onOpen: (row: Row) => void;
  readonly rowHeight: number;
  readonly rowClassName: string;
  readonly rowTitle?: (row: Row) => string;
  /** The row to bring into view and focus when the table is shown again (the one last opened). */
  readonly focusKey?: string | null;
  /** Whether the table is on screen; focus and scroll are restored when it comes back. */
  readonly visible?: boolean;
  /** Columns hidden until the user shows them (the column chooser lists them). */
  readonly defaultHidden?: ReadonlyArray<string>;
}

/**
 * A table for thousands of rows: sorted by any column (with an indicator), columns resized by
 * dragging, reordered, pinned and hidden (remembered per table), only the rows in view rendered.
 * One click or Enter opens a row; j/k and the arrows move between rows.
 *
 * Drawn again only when its props change (a keystroke in a filter above it redraws the parent):
 * callers pass stable functions and memoized arrays.
 */
export const VirtualTable = memo(VirtualTableOf) as typeof VirtualTableOf;

function VirtualTableOf<Row extends RowData>({
  label,
  rows,
  shown = null,
  columns,
  rowKey,
  storageKey,
  initialSorting = [],
  onOpen,
  rowHeight,
  rowClassName,
  rowTitle,
  focusKey = null,
  visible = true,
  defaultHidden = NONE,
}: VirtualTableProps<Row>) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [prefs, setPrefs] = useState<TablePrefs>(() => loadTablePrefs(storageKey));
  const change = (next: Partial<TablePrefs>): void =>
    setPrefs((current) => {
      const updated = { ...current, ...next };
      saveTablePrefs(storageKey, updated);
      return updated;
    });
  const data = useMemo(() => [...rows], [rows]);
  const ids = columns.map((column) => column.id ?? '');
  const order = [
    ...prefs.order.filter((id) => ids.includes(id)),
    ...ids.filter((id) => !prefs.order.includes(id)),
  ];
  const visibility = {
    ...Object.fromEntries(defaultHidden.map((id) => [id, false])),
    ...prefs.visibility,
  };
  const table = useTable({
    features: TABLE_FEATURES,
    columns,
    data,
    getRowId: (row) => rowKey(row),
    columnResizeMode: 'onChange',
    state: {
      sorting,
      columnVisibility: visibility,
      columnSizing: prefs.sizing,
      columnOrder: order,
      columnPinning: {
        start: [
          ...ids.filter((id) => FIXED.has(id)),
          ...prefs.pinned.filter((id) => ids.includes(id)),
        ],
        end: [],
      },
    },
    onSortingChange: setSorting,
    onColumnVisibilityChange: (updater) =>
      change({ visibility: typeof updater === 'function' ? updater(visibility) : updater }),
    onColumnSizingChange: (updater) =>
      change({ sizing: typeof updater === 'function' ? updater(prefs.sizing) : updater }),
  });
  const allSortedRows = table.getRowModel().rows;
  // The sorted rows' places in `rows` (a row's index is its place there, where the mask has its
  // byte), once per sort; then each filter keystroke picks the places shown from typed arrays.
  const sortedIndexes = useMemo(
    () => Int32Array.from(allSortedRows, (row) => row.index),
    [allSortedRows],
  );
  const places = useMemo(
    () => (shown ? placesShown(sortedIndexes, shown) : null),
    [sortedIndexes, shown],
  );
  const count = places ? places.length : allSortedRows.length;
  const rowAt = (index: number) => allSortedRows[places ? places[index]! : index]!;
  const scroller = useRef<HTMLDivElement>(null);
  const { first, end, scrollToRow } = useRowWindow(scroller, count, rowHeight, OVERSCAN);

  // Coming back to the table (from a run or a sample): the row last opened is in view and
  // focused, so j/k go on from where the user was. The table was hidden, so its rows appear only
  // once the table has been measured again: look for the row over a few frames.
  useEffect(() => {
    if (!visible || focusKey === null) return;
    let index = 0;
    while (index < count && rowAt(index).id !== focusKey) index++;
    if (index === count) return;
    let frame = 0;
    let tries = 0;
    const focus = (): void => {
      scrollToRow(index);
      // By index: a row key can hold characters a CSS selector cannot (sample keys hold NUL).
      const element = scroller.current?.querySelector<HTMLElement>(`tr[data-index="${index}"]`);
      if (element) element.focus({ preventScroll: true });
      else if (++tries < FOCUS_TRIES) frame = requestAnimationFrame(focus);
    };
    frame = requestAnimationFrame(focus);
    return () => cancelAnimationFrame(frame);
    // Only when shown again or the key changes: not on every streamed batch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visible, focusKey]);

  const padTop = first * rowHeight;
  const padBottom = (count - end) * rowHeight;
  // In the order the headers and cells are drawn (pinned columns first).
  const leafColumns = (table.getHeaderGroups().at(-1)?.headers ?? []).map(
    (header) => header.column,
  );
  // Pinned columns stay at the left as the table scrolls sideways; one style object per column
  // and render, shared by its header and cells.
  const stickyStyles = new Map<string, CSSProperties>();
  for (const column of leafColumns)
    if (column.getIsPinned() === 'start')
      stickyStyles.set(column.id, {
        position: 'sticky',
        left: column.getStart('start'),
        zIndex: 1,
      });
  // What the cells of a row depend on besides the row: a row is drawn again only when it or this
  // changes (a filter keystroke that leaves a row in its place does not draw it again).
  const layoutKey = leafColumns
    .map((column) => `${column.id}:${stickyStyles.get(column.id)?.left ?? ''}`)
    .join(' ');
  const layout = useMemo<RowLayout>(
    () => ({ stickyStyles }),
    // The columns' definitions, and which are drawn where: not the style objects made each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [columns, layoutKey],
  );

  return (
    <div className="virtual-table">
      <ColumnChooser
        columns={table
          .getAllLeafColumns()
          .filter((column) => !FIXED.has(column.id))
          .map((column) => ({
            id: column.id,
            label:
              typeof column.columnDef.header === 'string' ? column.columnDef.header : column.id,
            visible: column.getIsVisible(),
            pinned: prefs.pinned.includes(column.id),
          }))}
        onToggle={(id) => table.getColumn(id)?.toggleVisibility()}
        onPin={(id) =>
          change({
            pinned: prefs.pinned.includes(id)
              ? prefs.pinned.filter((item) => item !== id)
              : [...prefs.pinned, id],
          })
        }
        onMove={(id, by) => {
          const index = order.indexOf(id);
          const target = index + by;
          if (index < 0 || target < 0 || target >= order.length) return;
          const next = [...order];
          next.splice(index, 1);
          next.splice(target, 0, id);
          change({ order: next });
        }}
        onReset={() => change({ sizing: {}, order: [], visibility: {}, pinned: [] })}
      />
      <div className="table-scroller" ref={scroller}>
        <table
          className="grid"
          aria-label={label}
          aria-rowcount={count + 1}
          style={{ width: table.getTotalSize() }}
        >
          <colgroup>
            {leafColumns.map((column) => (
              <col key={column.id} style={{ width: column.getSize() }} />
            ))}
          </colgroup>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const canSort = header.column.getCanSort();
                  return (
                    <th
                      key={header.id}
                      style={stickyStyles.get(header.column.id)}
                      aria-sort={
                        sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'
                      }
                      title={
                        typeof header.column.columnDef.header === 'string'
                          ? header.column.columnDef.header
                          : undefined
                      }
                    >
                      {canSort ? (
                        <button
                          type="button"
                          className="sort-button"
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          <table.FlexRender header={header} />
                          <span className="sort-indicator" aria-hidden="true">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                          </span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                      {!FIXED.has(header.column.id) && (
                        <span
                          className={`resize-handle${header.column.getIsResizing() ? ' resizing' : ''}`}
                          role="separator"
                          aria-label={`Resize column ${header.column.id}`}
                          onMouseDown={header.getResizeHandler()}
                          onTouchStart={header.getResizeHandler()}
                          onDoubleClick={() => header.column.resetSize()}
                        />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && <tr style={{ height: padTop }} aria-hidden="true" />}
            {Array.from({ length: end - first }, (_, offset) => {
              const index = first + offset;
              // Keyed by place, not by row: when a filter keystroke changes which rows are in
              // view, the rows and cells drawn are updated in place rather than removed and
              // made again (much of a keystroke's cost at 100,000 rows). A focused row keeps
              // its place on screen and shows what is there now.
              return (
                <TableRow
                  key={index}
                  row={rowAt(index)}
                  index={index}
                  layout={layout}
                  className={rowClassName}
                  height={rowHeight}
                  rowTitle={rowTitle}
                  onOpen={onOpen}
                />
              );
            })}
            {padBottom > 0 && <tr style={{ height: padBottom }} aria-hidden="true" />}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The pinned columns' styles; a new one whenever the columns drawn change. */
interface RowLayout {
  readonly stickyStyles: ReadonlyMap<string, CSSProperties>;
}

interface TableRowProps<Row extends RowData> {
  readonly row: TableRowModel<typeof TABLE_FEATURES, Row>;
  readonly index: number;
  readonly layout: RowLayout;
  readonly className: string;
  readonly height: number;
  readonly rowTitle: ((row: Row) => string) | undefined;
  readonly onOpen: (row: Row) => void;
}

/** One row of a table: drawn again only when its row, place, columns or callbacks change. */
const TableRow = memo(function TableRow<Row extends RowData>({
  row,
  index,
  layout,
  className,
  height,
  rowTitle,
  onOpen,
}: TableRowProps<Row>) {
  const openFromClick = (event: MouseEvent): void => {
    // A click on a control inside the row (a checkbox, a button, a link) is the control's.
    if ((event.target as Element).closest('button, input, a, select, label, summary')) return;
    onOpen(row.original);
  };
  return (
    <tr
      data-key={row.id}
      data-index={index}
      className={className}
      tabIndex={0}
      aria-rowindex={index + 2}
      style={{ height }}
      title={rowTitle?.(row.original)}
      onClick={openFromClick}
      onKeyDown={(event) => handleRowKeys(event, `tr.${className}`, () => onOpen(row.original))}
    >
      {row.getVisibleCells().map((cell) => (
        <td key={cell.column.id} style={layout.stickyStyles.get(cell.column.id)}>
          <FlexRender cell={cell} />
        </td>
      ))}
    </tr>
  );
}) as <Row extends RowData>(props: TableRowProps<Row>) => ReactNode;

/** Show, hide, pin and reorder columns; reset the layout. */
function ColumnChooser({
  columns,
  onToggle,
  onPin,
  onMove,
  onReset,
}: {
  columns: ReadonlyArray<{ id: string; label: string; visible: boolean; pinned: boolean }>;
  onToggle: (id: string) => void;
  onPin: (id: string) => void;
  onMove: (id: string, by: number) => void;
  onReset: () => void;
}) {
  return (
    <details className="column-chooser">
      <summary>Columns</summary>
      <ul>
        {columns.map((column) => (
          <li key={column.id}>
            <label>
              <input
                type="checkbox"
                checked={column.visible}
                onChange={() => onToggle(column.id)}
              />
              {column.label}
            </label>
            <button
              type="button"
              className="link"
              aria-pressed={column.pinned}
              aria-label={`Pin ${column.label} to the left`}
              onClick={() => onPin(column.id)}
            >
              {column.pinned ? 'unpin' : 'pin'}
            </button>
            <button
              type="button"
              className="link"
              aria-label={`Move ${column.label} left`}
              onClick={() => onMove(column.id, -1)}
            >
              ←
            </button>
            <button
              type="button"
              className="link"
              aria-label={`Move ${column.label} right`}
              onClick={() => onMove(column.id, 1)}
            >
              →
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onReset}>
        Reset columns
      </button>
    </details>
  );
}
