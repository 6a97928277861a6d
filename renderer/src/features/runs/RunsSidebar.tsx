import { memo, useMemo } from 'react';
import { runGroups, type GroupEntry, type RunsGroup } from '../../state/runsFilter.ts';
import { useStore } from '../../state/useStore.ts';

/** Folders shown at most: a tree of thousands of run folders is searched, not read. */
const MAX_ENTRIES = 400;

/**
 * The runs grouped by folder (a tree) and by task, each with its count; a click narrows the list.
 * Drawn again only when the runs or the group change, not on each filter keystroke of its parent.
 */
export const RunsSidebar = memo(function RunsSidebar() {
  const runs = useStore((state) => state.listing.runs);
  const group = useStore((state) => state.runsFilter.group);
  const setFilter = useStore((state) => state.setRunsFilter);
  const { folders, tasks } = useMemo(() => runGroups(runs), [runs]);
  const pick = (next: RunsGroup): void =>
    setFilter({
      group: group?.by === next.by && group.value === next.value ? null : next,
    });
  return (
    <nav className="runs-sidebar" aria-label="Groups">
      <h3>Folders</h3>
      <Entries entries={folders} by="folder" group={group} onPick={pick} />
      <h3>Tasks</h3>
      <Entries entries={tasks} by="task" group={group} onPick={pick} />
    </nav>
  );
});

function Entries({
  entries,
  by,
  group,
  onPick,
}: {
  entries: ReadonlyArray<GroupEntry>;
  by: RunsGroup['by'];
  group: RunsGroup | null;
  onPick: (group: RunsGroup) => void;
}) {
  return (
    <ul>
      {entries.slice(0, MAX_ENTRIES).map((entry) => {
        const selected = group?.by === by && group.value === entry.value;
        return (
          <li key={entry.value} style={{ paddingLeft: entry.depth * 12 }}>
            <button
              type="button"
              className={`group-entry${selected ? ' selected' : ''}`}
              aria-pressed={selected}
              title={entry.value}
              onClick={() => onPick({ by, value: entry.value })}
            >
              <span className="group-label">{entry.label}</span>
              <span className="muted">{entry.count}</span>
            </button>
          </li>
        );
      })}
      {entries.length > MAX_ENTRIES && (
        <li className="muted">… {entries.length - MAX_ENTRIES} more: use the filter</li>
      )}
    </ul>
  );
}
