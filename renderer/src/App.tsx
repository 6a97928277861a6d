import { useEffect } from 'react';
import { useStore } from './state/store.ts';
import {
  RUNS_STATUS_FILTERS,
  RunsTable,
  type RunsStatusFilter,
} from './features/runs/RunsTable.tsx';
import { FolderBar } from './features/runs/FolderBar.tsx';
import { RunView } from './features/run/RunView.tsx';
import { SampleView } from './features/sample/SampleView.tsx';
import { RecoveryDialog } from './features/recovery/RecoveryDialog.tsx';
import { RepairDialog } from './features/repair/RepairDialog.tsx';
import { CompareView } from './features/compare/CompareView.tsx';
import { readRoute, writeRoute } from './lib/route.ts';
import { onRunsChanged } from './api/client.ts';
import { scalarText } from '../../shared/model/log.ts';

/** The app shell: runs table, run, sample; the URL hash deep-links to a run and a sample. */
export function App() {
  const runs = useStore((state) => state.runs);
  const runsStatus = useStore((state) => state.runsStatus);
  const runsError = useStore((state) => state.runsError);
  const filter = useStore((state) => state.runsFilter);
  const statusFilter = useStore((state) => state.runsStatusFilter);
  const runPath = useStore((state) => state.runPath);
  const header = useStore((state) => state.header);
  const summaries = useStore((state) => state.summaries);
  const runError = useStore((state) => state.runError);
  const streamProgress = useStore((state) => state.streamProgress);
  const cancelStream = useStore((state) => state.cancelStream);
  const compareCount = useStore((state) => state.compareSelection.length);
  const comparing = useStore((state) => state.comparison !== null || state.compareError !== null);
  const sample = useStore((state) => state.sample);
  const sampleError = useStore((state) => state.sampleError);
  const actions = useStore.getState();

  useEffect(() => {
    // Once, at start: the slices' actions are stable functions.
    const actions = useStore.getState();
    void actions.loadRuns();
    const route = readRoute(window.location.hash);
    if (route.run) {
      void actions.openRun(route.run).then(() => {
        if (route.sample) void actions.openSample(route.sample.id, route.sample.epoch);
      });
    }
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      const state = useStore.getState();
      if (state.sample || state.sampleError) state.closeSample();
      else if (state.runPath) state.closeRun();
    };
    window.addEventListener('keydown', onKey);
    // The list refreshes by itself when files appear, grow or change.
    // A running run keeps streaming: its open view re-reads the rows when its files change.
    const unsubscribe = onRunsChanged(() => {
      void useStore.getState().loadRuns();
      void useStore.getState().refreshRun();
    });
    return () => {
      window.removeEventListener('keydown', onKey);
      unsubscribe();
    };
  }, []);

  useEffect(() => {
    writeRoute({
      run: runPath,
      sample: sample ? { id: scalarText(sample.id), epoch: Number(sample.epoch) } : null,
    });
  }, [runPath, sample]);

  return (
    <main>
      <header className="app-header">
        <h1>Salvage</h1>
        <input
          aria-label="Filter runs"
          placeholder="Filter runs"
          value={filter}
          onChange={(event) => actions.setRunsFilter(event.target.value)}
        />
        <select
          aria-label="Filter runs by status"
          value={statusFilter}
          onChange={(event) => actions.setRunsStatusFilter(event.target.value as RunsStatusFilter)}
        >
          {RUNS_STATUS_FILTERS.map((choice) => (
            <option key={choice} value={choice}>
              {choice === 'all' ? 'all statuses' : choice}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void actions.loadRuns()}>
          Refresh
        </button>
        <button
          type="button"
          disabled={compareCount !== 2}
          onClick={() => void actions.openComparison()}
        >
          Compare
        </button>
        <span className="muted" data-testid="runs-status">
          {runsStatus === 'loading' ? 'Loading…' : `${runs.length} runs`}
        </span>
      </header>
      {!runPath && !comparing && <FolderBar />}
      {runsError && <p role="alert">{runsError}</p>}
      {comparing && <CompareView />}
      {!runPath && !comparing && (
        <RunsTable
          runs={runs}
          filter={filter}
          statusFilter={statusFilter}
          onOpen={(row) => void actions.openRun(row.location)}
        />
      )}
      {runPath && !sample && !sampleError && (
        <RunView
          path={runPath}
          header={header}
          summaries={summaries}
          error={runError}
          onOpenSample={(id, epoch) => void actions.openSample(id, epoch)}
          onBack={actions.closeRun}
          progress={streamProgress}
          onCancel={cancelStream}
        />
      )}
      {runPath && (sample || sampleError) && (
        <SampleView sample={sample} error={sampleError} onClose={actions.closeSample} />
      )}
      <RecoveryDialog />
      <RepairDialog />
    </main>
  );
}
