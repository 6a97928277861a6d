import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SearchRequest } from '../../../shared/ipc/contract.ts';
import { NO_SEARCH_FILTERS, type IndexProgress } from '../../../shared/search/searchTypes.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { fixture, TS_MONO } from '../../../test/support/fixtures.ts';
import { EventHub } from '../services/eventHub.ts';
import { OpenedFolders } from '../services/openedFolders.ts';
import { SearchService } from './searchService.ts';

const root = mkdtempSync(join(tmpdir(), 'salvage-search-service-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STRIDS = fixture(
  'real-crashes/expected/db-strids-errors/2026-11-30T18-11-58-00-00_slow_7ANuQBAEah8uuhty7wKbJp-recovered.eval',
);

function request(query: string): SearchRequest {
  return { ...NO_SEARCH_FILTERS, query, limit: 20 };
}

describe('the search service (its worker thread, over the real index)', () => {
  it('indexes the opened folders in the background, answers queries, follows changes, closes', async () => {
    const logs = join(root, 'logs');
    mkdirSync(logs);
    copyFileSync(STRIDS, join(logs, 'strids.eval'));
    const events = new EventHub();
    const progress: IndexProgress[] = [];
    events.subscribe((channel, payload) => {
      if (channel === 'salvage:search:progress') progress.push(payload as IndexProgress);
    });
    const folders = await OpenedFolders.load(join(root, 'data/folders.json'), [logs]);
    const service = new SearchService({
      folders,
      events,
      indexPath: join(root, 'data/search-index.sqlite'),
      digestPath: null,
    });
    const passDone = (runs: number) =>
      expect
        .poll(() => progress.at(-1), { timeout: 20_000 })
        .toMatchObject({ phase: 'idle', runsIndexed: runs });
    service.start();
    await passDone(1);
    // The pass said how far it was as it went.
    expect(progress[0]).toMatchObject({ phase: 'indexing' });
    expect(progress.at(-1)).toMatchObject({ runsDone: 1, runsTotal: 1, samples: 9 });

    const found = await service.search(request('"deliberate failure in sample index 2"'));
    expect(found.hits.map((hit) => [hit.sample?.id, hit.place.kind, hit.place.label])).toEqual([
      ['s-03', 'event', 'logger'],
      ['s-03', 'event', 'error'],
    ]);
    expect(found.hits[0]).toMatchObject({ run: join(logs, 'strids.eval'), format: 'inspect-eval' });
    expect(await service.matchingSamples(join(logs, 'strids.eval'), '"answer is 44"')).toEqual([
      { id: 's-04', epoch: 1 },
    ]);

    // A bad query comes back across the thread as the typed error it is.
    const refused = await service.search(request('"open')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SalvageError);
    expect(refused).toMatchObject({ kind: 'bad-query' });

    // A new log and the watcher's word that files changed: the next pass picks it up.
    copyFileSync(fixture(`${TS_MONO}/original/ais-decoder.eval`), join(logs, 'ais.eval'));
    events.emit('salvage:runs:changed', { at: Date.now() });
    await passDone(2);
    const ais = await service.search(request('"decodes AIS messages"'));
    expect(ais.hits.map((hit) => hit.run)).toEqual([join(logs, 'ais.eval')]);

    await service.close();
    await expect(service.search(request('anything'))).rejects.toMatchObject({ kind: 'io' });
  });
});
