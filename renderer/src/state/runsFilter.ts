import type { RunRow, RunStatus } from '../../../shared/model/run.ts';
import { selectRows, type ShownRows } from '../lib/shownRows.ts';
import { TextSearch } from '../lib/textSearch.ts';

/** A run's status as people read it: `started` and not running is crashed. */
export function statusLabel(status: RunStatus | null): string {
  return status === 'started' ? 'crashed' : (status ?? 'unreadable');
}

/** The status filter's choices: a status as the table shows it, or every run that needs a fix. */
export const RUNS_STATUS_FILTERS = [
  'all',
  'success',
  'error',
  'cancelled',
  'running',
  'crashed',
  'incomplete',
  'needs recovery or repair',
] as const;
export type RunsStatusFilter = (typeof RUNS_STATUS_FILTERS)[number];

/** The opened folder's name and the folders below it, e.g. `logs/verifiers/gsm8k/8f3c2a`. */
export function folderOf(row: RunRow): string {
  const opened = row.location
    .slice(0, row.location.length - row.path.length)
    .replace(/[\\/]+$/, '');
  const openedName = opened.split(/[\\/]/).at(-1) ?? opened;
  const inner = row.path.split(/[\\/]/).slice(0, -1).join('/');
  return inner ? `${openedName}/${inner}` : openedName;
}

const RECOVERY_LABELS: Readonly<Record<string, string>> = {
  database: 'database',
  filestore: 'filestore',
  'truncated-archive': 'truncated archive',
  'torn-tail': 'torn tail',
};

/** The recovery source as the table shows it. */
export function recoveryLabel(row: RunRow): string {
  return RECOVERY_LABELS[row.recovery ?? ''] ?? '';
}

/** A group of runs picked in the sidebar: a folder (and the folders below it) or a task. */
export type RunsGroup = { readonly by: 'folder' | 'task'; readonly value: string };

/** How the runs list is narrowed: a group, a text, a status, a range of the headline score. */
export interface RunsFilter {
  readonly text: string;
  readonly status: RunsStatusFilter;
  readonly minScore: number | null;
  readonly maxScore: number | null;
  readonly group: RunsGroup | null;
}

export const NO_RUNS_FILTER: RunsFilter = {
  text: '',
  status: 'all',
  minScore: null,
  maxScore: null,
  group: null,
};

function inGroup(row: RunRow, group: RunsGroup | null): boolean {
  if (!group) return true;
  if (group.by === 'task') return (row.task ?? '(no task)') === group.value;
  const folder = folderOf(row);
  return folder === group.value || folder.startsWith(`${group.value}/`);
}

/** One entry of the sidebar: a folder (with its depth in the tree) or a task, and its runs. */
export interface GroupEntry {
  readonly value: string;
  readonly label: string;
  readonly depth: number;
  readonly count: number;
}

/**
 * The folders of the listed runs as a tree (each folder counts the runs in it and below it,
 * parents before children), and the tasks by name, each with its count.
 */
export function runGroups(runs: ReadonlyArray<RunRow>): {
  folders: ReadonlyArray<GroupEntry>;
  tasks: ReadonlyArray<GroupEntry>;
} {
  const folders = new Map<string, number>();
  const tasks = new Map<string, number>();
  for (const row of runs) {
    const parts = folderOf(row).split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      folders.set(folder, (folders.get(folder) ?? 0) + 1);
    }
    const task = row.task ?? '(no task)';
    tasks.set(task, (tasks.get(task) ?? 0) + 1);
  }
  return {
    folders: [...folders]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([value, count]) => {
        const parts = value.split('/');
        return { value, label: parts.at(-1)!, depth: parts.length - 1, count };
      }),
    tasks: [...tasks]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([value, count]) => ({ value, label: value, depth: 0, count })),
  };
}

/**
 * The runs the table shows: the text matched against what is shown of each run (file, folder,
 * task, model, status as its badge says it, recovery source, tags), the status as the badge
 * reads, and the headline score within the range (a run without a score is out of any range).
 */
export function filterRuns(runs: ReadonlyArray<RunRow>, filter: RunsFilter): ShownRows {
  // The list and its count ask for the same narrowing on every keystroke: do it once.
  if (last?.runs === runs && last.filter === filter) return last.result;
  const result =
    last?.runs === runs && typedOn(last.filter, filter)
      ? // Typing on: only the runs the last text let through can match, and only the text changed.
        runSearch.select(runs, needleOf(filter), last.result)
      : narrow(runs, filter);
  last = { runs, filter, result };
  return result;
}

let last: {
  runs: ReadonlyArray<RunRow>;
  filter: RunsFilter;
  result: ShownRows;
} | null = null;

function needleOf(filter: RunsFilter): string {
  return filter.text.trim().toLowerCase();
}

/** Whether `next` differs from `previous` only by a text that holds the previous one. */
function typedOn(previous: RunsFilter, next: RunsFilter): boolean {
  return (
    previous.status === next.status &&
    previous.minScore === next.minScore &&
    previous.maxScore === next.maxScore &&
    previous.group === next.group &&
    needleOf(next).includes(needleOf(previous))
  );
}

/** What the text filter looks at in a run, lower-cased: computed once per row, not per keystroke. */
const searchTexts = new WeakMap<RunRow, string>();

function searchTextOf(row: RunRow): string {
  let text = searchTexts.get(row);
  if (text === undefined) {
    text = [
      row.path,
      folderOf(row),
      row.task,
      row.model,
      statusLabel(row.status),
      recoveryLabel(row),
      row.format,
      ...row.tags,
    ]
      .filter(Boolean)
      .join('\n')
      .toLowerCase();
    searchTexts.set(row, text);
  }
  return text;
}

/** The text filter over the runs' search texts, joined once per listing. */
const runSearch = new TextSearch<RunRow>(searchTextOf);

/** Build the runs' search texts ahead of the first keystroke, until `timeUp`; true once done. */
export function prepareRunSearch(runs: ReadonlyArray<RunRow>, timeUp: () => boolean): boolean {
  return runSearch.prepare(runs, timeUp);
}

function narrow(runs: ReadonlyArray<RunRow>, filter: RunsFilter): ShownRows {
  const needle = needleOf(filter);
  const matched = needle ? runSearch.select(runs, needle) : null;
  const ranged = filter.minScore !== null || filter.maxScore !== null;
  if (matched && filter.status === 'all' && !filter.group && !ranged) return matched;
  return selectRows(
    runs,
    (row) => {
      if (!matchesStatus(row, filter.status) || !inGroup(row, filter.group)) return false;
      if (ranged) {
        const score = row.scores[0]?.value ?? row.score;
        if (score === null || score === undefined) return false;
        if (filter.minScore !== null && score < filter.minScore) return false;
        if (filter.maxScore !== null && score > filter.maxScore) return false;
      }
      return true;
    },
    matched,
  );
}

function matchesStatus(row: RunRow, filter: RunsStatusFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'needs recovery or repair':
      return row.recovery !== null;
    default:
      return statusLabel(row.status) === filter;
  }
}
