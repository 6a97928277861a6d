import { useEffect } from 'react';
import { useStore } from './state/useStore.ts';
import { errorOf } from './state/request.ts';
import { RunsTable } from './features/runs/RunsTable.tsx';
import { FolderBar } from './features/runs/FolderBar.tsx';
import { RunsToolbar } from './features/runs/RunsToolbar.tsx';
import { RunView } from './features/run/RunView.tsx';
import { SampleView } from './features/sample/SampleView.tsx';
import { RecoveryDialog } from './features/recovery/RecoveryDialog.tsx';
import { RepairDialog } from './features/repair/RepairDialog.tsx';
import { CompareView } from './features/compare/CompareView.tsx';
import { CrossRunSamples } from './features/samples/CrossRunSamples.tsx';
import { ErrorNotice } from './components/ErrorNotice.tsx';
import { SearchBox } from './features/search/SearchBox.tsx';
import { SearchView } from './features/search/SearchView.tsx';
import { useHistoryRoute } from './lib/useHistoryRoute.ts';
import type { RunRow } from '../../shared/model/run.ts';

/** One function for every render: the runs table is not drawn again when the app is. */
function openRunRow(row: RunRow): void {
  void useStore.getState().openRun(row.location);
}

/**
 * The app shell: runs list, run, sample. The list stays mounted (hidden) while a run is open and
 * the run while a sample is, so going back finds them as they were: scroll, filters, focus.
 */
export function App() {
  const listingRequest = useStore((state) => state.listingRequest);
  const runPath = useStore((state) => state.run?.path ?? null);
  const sampleOpen = useStore((state) => state.sample.phase !== 'idle');
  const selected = useStore((state) => state.selection.length);
  const comparing = useStore((state) => state.comparison.phase !== 'idle');
  const crossRunOpen = useStore((state) => state.crossRun !== null);
  const searching = useStore((state) => state.searchQuery.trim() !== '');
  const actions = useStore.getState();
  const listingError = errorOf(listingRequest);
  useHistoryRoute();

  useEffect(() => {
    // Once, at start: the slices' actions are stable functions.
    const actions = useStore.getState();
    void actions.loadRuns();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // Escape inside a dialog or a text box is theirs.
      if ((event.target as Element | null)?.closest?.('[role="dialog"], input, textarea, select'))
        return;
      const state = useStore.getState();
      if (state.sample.phase !== 'idle') state.closeSample();
      else if (state.run) state.closeRun();
    };
    window.addEventListener('keydown', onKey);
    // The list refreshes by itself when files appear, grow or change; an unfinished open run too.
    const unwatch = actions.watchRuns();
    const unwatchIndex = actions.watchIndex();
    return () => {
      window.removeEventListener('keydown', onKey);
      unwatch();
      unwatchIndex();
    };
  }, []);

  const overlaid = !runPath && !comparing && !crossRunOpen;
  // A search shows its hits where the list was; clearing it brings the list back as it was.
  const listVisible = overlaid && !searching;
  return (
    <main>
      <header className="app-header">
        <h1>Salvage</h1>
        <SearchBox />
        <button type="button" onClick={() => void actions.loadRuns()}>
          Refresh
        </button>
        <button
          type="button"
          disabled={selected !== 2}
          title="Tick two runs in the list to compare them"
          onClick={() => void actions.openComparison()}
        >
          Compare
        </button>
        <button
          type="button"
          disabled={selected === 0}
          title="Tick runs in the list to see all their samples together"
          onClick={() => void actions.openCrossRun()}
        >
          Samples of {selected} run{selected === 1 ? '' : 's'}
        </button>
        {selected > 0 && (
          <button type="button" className="link" onClick={actions.clearSelection}>
            clear selection
          </button>
        )}
      </header>
      {listVisible && <FolderBar />}
      {listVisible && <RunsToolbar />}
      {listingError && <ErrorNotice error={listingError} onRetry={() => void actions.loadRuns()} />}
      {overlaid && searching && <SearchView />}
      {comparing && <CompareView />}
      {crossRunOpen && !runPath && <CrossRunSamples />}
      <RunsTable visible={listVisible} onOpen={openRunRow} />
      {runPath && <RunView visible={!sampleOpen} />}
      {runPath && sampleOpen && <SampleView />}
      <RecoveryDialog />
      <RepairDialog />
    </main>
  );
}
