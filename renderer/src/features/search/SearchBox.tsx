import type { KeyboardEvent } from 'react';
import { useStore } from '../../state/useStore.ts';

/**
 * The search over every run, in the app's header: typing searches (after a pause); the arrow
 * keys pick a hit and Enter opens it, at its message or event; Escape clears.
 */
export function SearchBox() {
  const query = useStore((state) => state.searchQuery);
  const progress = useStore((state) => state.indexProgress);
  const { setSearchQuery, selectSearchHit, clearSearch, openSearchHit } = useStore.getState();
  const onKey = (event: KeyboardEvent<HTMLInputElement>): void => {
    const state = useStore.getState();
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      selectSearchHit(state.searchSelected + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      const results = state.searchResults;
      const hit = results.phase === 'ready' ? results.value.hits[state.searchSelected] : undefined;
      if (!hit) return;
      // The keys are the sample's now (Escape goes back to the run, then to the hits).
      event.currentTarget.blur();
      void openSearchHit(hit);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      clearSearch();
    }
  };
  return (
    <span className="search-box">
      <input
        type="search"
        aria-label="Search all runs"
        placeholder='Search every run: words, "a phrase", prefix*, -word'
        value={query}
        onChange={(event) => setSearchQuery(event.target.value)}
        onKeyDown={onKey}
      />
      {progress.phase === 'indexing' && (
        <span className="muted index-progress" data-testid="index-progress">
          indexing {progress.runsDone.toLocaleString()} of {progress.runsTotal.toLocaleString()}{' '}
          runs…
        </span>
      )}
    </span>
  );
}
