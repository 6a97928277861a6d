import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { inspectJsonLength } from '../../../shared/formats/sample/jsonLength.ts';
import type {
  OutlineNode,
  PageItem,
  PooledList,
  SamplePage,
} from '../../../shared/formats/sample/pageTypes.ts';
import type { Client } from '../api/client.ts';
import { toBackendError, type BackendError } from '../api/transport.ts';

/**
 * Items asked for at once: a page the back end keeps under ~2 MB whatever this says. A screen
 * shows fewer; each page's JSON and objects are garbage soon after, and 50 items a page made the
 * page's peak memory 15–20 MB higher in `bench:sample` than 25.
 */
export const PAGE_ITEMS = 25;
/**
 * The JSON characters of pages kept per list: the least recently used pages beyond it are
 * dropped, so the page's memory stays bounded (an agent's events resolve to megabytes a page).
 * A few screens back is enough: a page dropped comes back in tens of milliseconds. After
 * `bench:sample`'s 40 scrolls the page's JS heap held 47–51 MB with 16M characters a list and
 * 39–40 MB with 4M; with 2M its peak footprint was 257–278 MB against 285–289 MB with 4M.
 */
export const CACHE_CHARS = 2_000_000;
/** Pages kept whatever their size: the ones in view must not be dropped as they arrive. */
const MIN_PAGES = 4;
/** Event rows (kind, time, span) asked for at once: compact, from the index alone. */
const ROWS_CHUNK = 20_000;

export type ItemList = 'messages' | 'events';

export interface PageCache {
  /** JSON characters of pages kept per list, beyond which the least recently used go. */
  readonly chars: number;
  /** Pages kept whatever their size. */
  readonly minPages: number;
}

interface CachedPage {
  readonly items: ReadonlyArray<PageItem>;
  /** Its size as JSON: a measure of its memory that costs one walk when it arrives. */
  readonly chars: number;
}

/** A place in a sample a find found, or a deep link names. */
export interface SamplePlace {
  readonly list: ItemList;
  readonly index: number;
}

/** What the sample view knows of an open sample's transcript without reading its events. */
export interface EventIndex {
  readonly kinds: ReadonlyArray<string>;
  readonly nodes: ReadonlyArray<number>;
}

/**
 * The pages of one open sample, framework-free: pages are asked for as the view scrolls to them
 * (each at most once at a time), kept in a bounded cache, and dropped with the handle when the
 * sample closes. The store hears of every arrival through `onChange` and redraws.
 */
export class SampleReader {
  readonly handle: string;
  private readonly client: Client;
  private readonly onChange: () => void;
  private readonly pages: Record<ItemList, Map<number, CachedPage>> = {
    messages: new Map(),
    events: new Map(),
  };
  private readonly cachedChars: Record<ItemList, number> = { messages: 0, events: 0 };
  private readonly cache: PageCache;
  private readonly loading = new Set<string>();
  private closed = false;
  private outlineNodes: OutlineNode[];
  private outlineTotal: number;
  private eventIndex: EventIndex | null = null;
  error: BackendError | null = null;

  constructor(
    client: Client,
    handle: string,
    outline: { nodes: ReadonlyArray<OutlineNode>; total: number },
    onChange: () => void,
    /** How much of each list is kept (tests set a small cache). */
    cache: PageCache = { chars: CACHE_CHARS, minPages: MIN_PAGES },
  ) {
    this.cache = cache;
    this.client = client;
    this.handle = handle;
    this.onChange = onChange;
    this.outlineNodes = [...outline.nodes];
    this.outlineTotal = outline.total;
  }

  /** A message or event when its page has arrived (ask for it with `want`). */
  item(list: ItemList, index: number): PageItem | undefined {
    const start = index - (index % PAGE_ITEMS);
    const page = this.pages[list].get(start);
    if (!page) return undefined;
    // A recently used page moves to the end of the cache's order.
    this.pages[list].delete(start);
    this.pages[list].set(start, page);
    return page.items[index - start];
  }

  /** Ask for the pages holding items [from, to) of a list; those already here or coming are not asked again. */
  want(list: ItemList, from: number, to: number): void {
    for (let start = Math.max(0, from - (from % PAGE_ITEMS)); start < to; start += PAGE_ITEMS) {
      if (this.pages[list].has(start)) continue;
      void this.load(list, start);
    }
  }

  private async load(list: ItemList, start: number): Promise<void> {
    const key = `${list}:${start}`;
    if (this.loading.has(key) || this.closed) return;
    this.loading.add(key);
    try {
      const items: PageItem[] = [];
      // A page may come back short (its bytes budget): ask on until the span is covered.
      let next: number | null = start;
      while (next !== null && next < start + PAGE_ITEMS) {
        const page: SamplePage = await this.client.call(`salvage:sample:${list}`, {
          handle: this.handle,
          start: next,
          count: start + PAGE_ITEMS - next,
        });
        items.push(...page.items);
        next = page.items.length === 0 ? null : page.next;
      }
      if (this.closed) return;
      this.keep(list, start, items);
      this.onChange();
    } catch (error) {
      this.error = toBackendError(error);
      this.onChange();
    } finally {
      this.loading.delete(key);
    }
  }

  /** Cache a page, dropping the least recently used beyond the list's budget. */
  private keep(list: ItemList, start: number, items: ReadonlyArray<PageItem>): void {
    const cache = this.pages[list];
    const chars = inspectJsonLength(items);
    cache.set(start, { items, chars });
    this.cachedChars[list] += chars;
    while (this.cachedChars[list] > this.cache.chars && cache.size > this.cache.minPages) {
      const [oldest, page] = cache.entries().next().value!;
      cache.delete(oldest);
      this.cachedChars[list] -= page.chars;
    }
  }

  /** JSON characters of the pages cached for a list (what the budget bounds). */
  cached(list: ItemList): { pages: number; chars: number } {
    return { pages: this.pages[list].size, chars: this.cachedChars[list] };
  }

  /** The transcript's span tree, read to its end (the overview brings its first nodes). */
  get outline(): ReadonlyArray<OutlineNode> {
    return this.outlineNodes;
  }

  /** Kinds and outline nodes of every event, read in chunks the first time they are needed. */
  get events(): EventIndex | null {
    return this.eventIndex;
  }

  async loadIndex(total: number): Promise<void> {
    if (this.eventIndex !== null || this.loading.has('index') || this.closed) return;
    this.loading.add('index');
    try {
      while (this.outlineNodes.length < this.outlineTotal) {
        const page = await this.client.call('salvage:sample:outline', {
          handle: this.handle,
          start: this.outlineNodes.length,
          count: 10_000,
        });
        if (page.nodes.length === 0) break;
        this.outlineNodes.push(...page.nodes);
      }
      const kinds: string[] = [];
      const nodes: number[] = [];
      for (let start = 0; start < total; start += ROWS_CHUNK) {
        const rows = await this.client.call('salvage:sample:rows', {
          handle: this.handle,
          start,
          count: ROWS_CHUNK,
        });
        for (let index = 0; index < rows.kinds.length; index++) {
          kinds.push(rows.kinds[index]!);
          nodes.push(rows.nodes[index] ?? -1);
        }
        if (rows.kinds.length === 0) break;
      }
      if (this.closed) return;
      this.eventIndex = { kinds, nodes };
      this.onChange();
    } catch (error) {
      this.error = toBackendError(error);
      this.onChange();
    } finally {
      this.loading.delete('index');
    }
  }

  /**
   * Items [start, start + count) of a model event's pooled list that was too large for its page
   * (`PageItem.deferred`); fewer when they are large. Not cached: the view that asked keeps them.
   */
  pooled(event: number, list: PooledList, start: number, count: number): Promise<SamplePage> {
    return this.client.call('salvage:sample:pooled', {
      handle: this.handle,
      event,
      list,
      start,
      count,
    });
  }

  /** A string the page carried cut short, whole. */
  async fullString(ref: string): Promise<string> {
    let text = '';
    for (;;) {
      const slice = await this.client.call('salvage:sample:string', {
        handle: this.handle,
        ref,
        start: text.length,
        length: 4_194_304,
      });
      text += slice.text;
      if (slice.text.length === 0 || (slice.length !== null && text.length >= slice.length))
        return text;
    }
  }

  /**
   * Every place of the sample whose text holds `query` (case-insensitive), messages then events,
   * read page by page without keeping them: a find reaches what was never shown. Stops early
   * when `cancelled` says so; `progress` hears how far it got.
   */
  async find(
    query: string,
    counts: { readonly messages: number; readonly events: number },
    progress: (done: number, total: number) => void,
    cancelled: () => boolean,
  ): Promise<SamplePlace[]> {
    const needle = query.toLowerCase();
    const found: SamplePlace[] = [];
    const total = counts.messages + counts.events;
    let done = 0;
    for (const list of ['messages', 'events'] as const) {
      let next: number | null = 0;
      while (next !== null && next < counts[list]) {
        if (cancelled() || this.closed) return found;
        const page: SamplePage = await this.client.call(`salvage:sample:${list}`, {
          handle: this.handle,
          start: next,
          count: PAGE_ITEMS,
        });
        for (const item of page.items) {
          if (stringifyInspectJson(item.value).toLowerCase().includes(needle))
            found.push({ list, index: item.index });
        }
        done += page.items.length;
        progress(done, total);
        next = page.items.length === 0 ? null : page.next;
      }
    }
    return found;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pages.messages.clear();
    this.pages.events.clear();
    this.cachedChars.messages = this.cachedChars.events = 0;
    void this.client.call('salvage:sample:close', { handle: this.handle }).catch(() => undefined);
  }
}
