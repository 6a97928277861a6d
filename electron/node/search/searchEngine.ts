import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import type { SearchRequest } from '../../../shared/ipc/contract.ts';
import { isRunStatus, RUN_FORMATS } from '../../../shared/model/run.ts';
import { ftsExpression, parseSearchQuery } from '../../../shared/search/searchQuery.ts';
import {
  IDLE_PROGRESS,
  type IndexProgress,
  type SearchFilters,
  type SearchHit,
  type SearchResult,
} from '../../../shared/search/searchTypes.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import type { RunDigest } from '../index/runDigest.ts';
import { indexFolders } from './folderIndexer.ts';
import { isCorruption, queryExpressions, runFilter, SearchStore } from './searchStore.ts';

/** Most hits one answer carries (the view asks for more as it scrolls). */
export const MAX_HITS = 1000;

export interface SearchEngineOptions {
  readonly codecs?: Codecs;
  readonly spillDirectory?: string;
  readonly digest?: RunDigest;
}

/**
 * The search index as one service: indexing passes over folders and queries, over one store that
 * is rebuilt whenever it proves corrupt (a cache is never trusted past an error that says its
 * file is damaged). The app runs it in a worker thread; `salvage search` in its own process.
 */
export class SearchEngine {
  private store: SearchStore;
  private readonly options: SearchEngineOptions;
  /** A query found the file damaged: the next pass starts from a new one. */
  private damaged = false;
  progress: IndexProgress = IDLE_PROGRESS;

  constructor(path: string, options: SearchEngineOptions = {}) {
    this.store = SearchStore.open(path);
    this.options = options;
  }

  get path(): string {
    return this.store.path;
  }

  /** Bring the index up to date with the runs under `folders`. */
  async index(
    folders: ReadonlyArray<string>,
    signal?: AbortSignal,
    onProgress?: (progress: IndexProgress) => void,
  ): Promise<IndexProgress> {
    const pass = () =>
      indexFolders(this.store, folders, {
        ...this.options,
        signal,
        onProgress: (progress) => {
          this.progress = progress;
          onProgress?.(progress);
        },
      });
    if (this.damaged) this.rebuild();
    try {
      this.progress = await pass();
    } catch (error) {
      if (!isCorruption(error)) throw error;
      this.rebuild();
      this.progress = await pass();
    }
    return this.progress;
  }

  /** The first `limit` hits of a query in the runs under `folders` that pass the filters. */
  search(request: SearchRequest, folders: ReadonlyArray<string>): SearchResult {
    const query = queryExpressions(parseSearchQuery(request.query));
    const limit = Math.max(1, Math.min(MAX_HITS, Math.floor(request.limit)));
    const filters = checkedFilters(request);
    const { hits, more } = this.guarded(() =>
      this.store.search(query, runFilter(folders, filters), limit),
    );
    return {
      hits: hits.map((hit): SearchHit => ({
        run: hit.run.path,
        format: hit.run.facts.format,
        task: hit.run.facts.task,
        model: hit.run.facts.model,
        sample: hit.sample,
        place: hit.place,
        snippet: hit.snippet,
      })),
      more,
      progress: this.progress,
    };
  }

  /** The samples of the run at `path` whose text matches `query` (`text_contains`). */
  matchingSamples(path: string, query: string): ReadonlyArray<{ id: string; epoch: number }> {
    const expression = ftsExpression(parseSearchQuery(query));
    return this.guarded(() => {
      const run = this.store.run(path);
      return run ? this.store.matchingSamples(run, expression) : [];
    });
  }

  close(): void {
    this.store.close();
  }

  /** Whether the next pass must start from a new file (a query found this one damaged). */
  get needsRebuild(): boolean {
    return this.damaged;
  }

  /**
   * A query against a damaged file is refused with a typed error and the index is rebuilt by the
   * next pass; SQLite refusing a query (never expected: queries are built from quoted words only)
   * is the user's to change, said plainly rather than in SQLite's words.
   */
  private guarded<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      if (isCorruption(error)) {
        this.damaged = true;
        throw new SalvageError(
          'io',
          'The search index was damaged; it is being built again. Search again in a moment.',
        );
      }
      if ((error as { code?: unknown }).code === 'ERR_SQLITE_ERROR')
        throw new SalvageError(
          'bad-query',
          'This search cannot be run as typed: search for plain words, "phrases" or prefix*.',
        );
      throw error;
    }
  }

  private rebuild(): void {
    this.damaged = false;
    const path = this.store.path;
    this.store.close();
    SearchStore.remove(path);
    this.store = SearchStore.open(path);
  }
}

/** Filters as sent over the contract, checked where the contract's field types cannot. */
function checkedFilters(request: SearchRequest): SearchFilters {
  if (request.status !== null && !isRunStatus(request.status))
    throw new SalvageError('invalid-arguments', `"${String(request.status)}" is not a run status.`);
  if (request.format !== null && !RUN_FORMATS.includes(request.format))
    throw new SalvageError('invalid-arguments', `"${request.format}" is not a log format.`);
  for (const date of [request.createdFrom, request.createdTo]) {
    if (date !== null && !Number.isFinite(Date.parse(date)))
      throw new SalvageError('invalid-arguments', `"${date}" is not a date (use YYYY-MM-DD).`);
  }
  return {
    status: request.status,
    format: request.format,
    task: request.task,
    model: request.model,
    folder: request.folder,
    minScore: request.minScore,
    maxScore: request.maxScore,
    createdFrom: request.createdFrom,
    createdTo: request.createdTo,
  };
}
