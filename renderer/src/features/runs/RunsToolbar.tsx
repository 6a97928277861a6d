import { useStore } from '../../state/useStore.ts';
import { filterRuns, RUNS_STATUS_FILTERS, type RunsStatusFilter } from '../../state/runsFilter.ts';

/** A number input's value as a bound, or none when empty or not a number. */
function bound(text: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Narrow the runs list: a text over what is shown, a status as the badges say it, a score range. */
export function RunsToolbar() {
  const filter = useStore((state) => state.runsFilter);
  const runs = useStore((state) => state.listing.runs);
  const pending = useStore((state) => state.listingRequest.phase === 'pending');
  const progress = useStore((state) => state.listingProgress);
  const set = useStore((state) => state.setRunsFilter);
  // The count says what the table shows (the same filtering, done once for both).
  const shown = filterRuns(runs, filter).count;
  return (
    <div className="toolbar runs-toolbar">
      <input
        aria-label="Filter runs"
        placeholder="Filter runs: file, folder, task, model, status…"
        value={filter.text}
        onChange={(event) => set({ text: event.target.value })}
      />
      <select
        aria-label="Filter runs by status"
        value={filter.status}
        onChange={(event) => set({ status: event.target.value as RunsStatusFilter })}
      >
        {RUNS_STATUS_FILTERS.map((choice) => (
          <option key={choice} value={choice}>
            {choice === 'all' ? 'all statuses' : choice}
          </option>
        ))}
      </select>
      <label className="score-range">
        score
        <input
          aria-label="Lowest score"
          type="number"
          step="any"
          placeholder="min"
          value={filter.minScore ?? ''}
          onChange={(event) => set({ minScore: bound(event.target.value) })}
        />
        –
        <input
          aria-label="Highest score"
          type="number"
          step="any"
          placeholder="max"
          value={filter.maxScore ?? ''}
          onChange={(event) => set({ maxScore: bound(event.target.value) })}
        />
      </label>
      <span className="muted" data-testid="runs-status">
        {pending && runs.length === 0
          ? 'Loading…'
          : shown === runs.length
            ? `${runs.length} runs`
            : `${shown} of ${runs.length} runs`}
      </span>
      {progress && (
        <span className="muted" data-testid="runs-progress" role="status">
          listing… {progress.listed.toLocaleString()} of {progress.found.toLocaleString()} files
        </span>
      )}
    </div>
  );
}
