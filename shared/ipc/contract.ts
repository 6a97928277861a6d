import type { LogHeader, Sample, SampleSummary } from '../model/log.ts';
import type { ExportFormat } from '../model/exportFormat.ts';
import type { MarkdownPart } from '../model/sampleMarkdown.ts';
import type { BackendFailure } from './outcome.ts';
import type { RunRow } from '../model/run.ts';
import type { RunComparison } from '../resume/comparison.ts';
import type { IndexProgress, SearchFilters, SearchResult } from '../search/searchTypes.ts';
import type {
  EventRows,
  OpenedSample,
  OutlinePage,
  PooledList,
  SampleField,
  SamplePage,
  StringSlice,
} from '../formats/sample/pageTypes.ts';
import type {
  RecoveryPlan,
  RecoveryReport,
  RepairCheck,
  RepairReport,
  UndoReport,
} from '../model/recovery.ts';

/**
 * The one contract between the renderer and the back end (rule 2).
 *
 * Every invoke channel maps its argument to a Promise of its result; both transports (Electron IPC
 * and the HTTP server of web mode) are typed from this map.
 */
export interface InvokeMap {
  /** The opened folders. */
  'salvage:folders:list': (args: Record<string, never>) => Promise<ReadonlyArray<string>>;
  /**
   * Open a folder; returns the opened folders. Desktop: the native dialog asks (the path is
   * ignored). Web mode: `path` is a folder on the serving machine.
   */
  'salvage:folders:add': (args: { readonly path: string | null }) => Promise<ReadonlyArray<string>>;
  /** Close an opened folder (remembered across restarts); returns the opened folders. */
  'salvage:folders:remove': (args: { readonly folder: string }) => Promise<ReadonlyArray<string>>;
  /** Every run under an opened folder at once, sorted by path (the renderer streams instead). */
  'salvage:runs:list': (args: { readonly folder: string }) => Promise<ReadonlyArray<RunRow>>;
  /**
   * List an opened folder's runs as `salvage:runs:batch` events: rows as soon as they are known
   * (unchanged runs from the digest first, then the logs read), until a batch says done.
   */
  'salvage:runs:stream': (args: {
    readonly folder: string;
  }) => Promise<{ readonly streamId: string }>;
  'salvage:runs:cancel': (args: { readonly streamId: string }) => Promise<void>;
  'salvage:recovery:plan': (args: { readonly path: string }) => Promise<RecoveryPlan>;
  /** Write the recovered log; `overwrite` replaces an earlier recovered output (never the log). */
  'salvage:recovery:run': (args: {
    readonly path: string;
    readonly overwrite: boolean;
  }) => Promise<RecoveryReport>;
  'salvage:repair:check': (args: { readonly path: string }) => Promise<RepairCheck>;
  'salvage:repair:run': (args: { readonly path: string }) => Promise<RepairReport>;
  'salvage:repair:undo': (args: { readonly sidecar: string }) => Promise<UndoReport>;
  'salvage:log:header': (args: { readonly path: string }) => Promise<LogHeader>;
  /** Two runs side by side: configuration diff (throughput vs result) and per-sample scores. */
  'salvage:compare:runs': (args: {
    readonly a: string;
    readonly b: string;
  }) => Promise<RunComparison>;
  /** Export a run beside itself (`<log>.export.<ext>`, never overwriting). */
  'salvage:export:run': (args: {
    readonly path: string;
    readonly format: ExportFormat;
  }) => Promise<{ readonly output: string; readonly samples: number }>;
  /**
   * Export one sample's conversation and transcript as Markdown: on the desktop where the user
   * chooses in a save dialog (`output` null when cancelled), elsewhere beside the log (never
   * overwriting). Web mode downloads `salvage:sample:markdown` instead.
   */
  'salvage:export:sample': (args: {
    readonly path: string;
    readonly id: string;
    readonly epoch: number;
  }) => Promise<{ readonly output: string | null }>;
  /**
   * One sample as Markdown text (all of it, or its transcript alone), and the file name it would
   * have: what web mode downloads and what Copy puts on the clipboard.
   */
  'salvage:sample:markdown': (args: {
    readonly path: string;
    readonly id: string;
    readonly epoch: number;
    readonly part: MarkdownPart;
  }) => Promise<{ readonly name: string; readonly markdown: string }>;
  /** Start streaming a run's sample summaries as `salvage:samples:batch` events. */
  'salvage:samples:stream': (args: {
    readonly path: string;
  }) => Promise<{ readonly streamId: string }>;
  'salvage:samples:cancel': (args: { readonly streamId: string }) => Promise<void>;
  /** One whole sample, resolved (kept while the sample view moves to the paged channels below). */
  'salvage:log:sample': (args: {
    readonly path: string;
    readonly id: string;
    readonly epoch: number;
  }) => Promise<Sample>;
  /**
   * Open a sample for paged reading, whatever its size: the back end indexes it once and answers
   * with a handle, the counts, the small top-level fields and the start of the outline.
   */
  'salvage:sample:open': (args: {
    readonly path: string;
    readonly id: string;
    readonly epoch: number;
  }) => Promise<OpenedSample>;
  /** Messages [start, start + count), resolved, long strings cut; fewer when large. */
  'salvage:sample:messages': (args: SampleRange) => Promise<SamplePage>;
  /** Events [start, start + count), pools and attachments resolved, long strings cut. */
  'salvage:sample:events': (args: SampleRange) => Promise<SamplePage>;
  /** A model event's input or request messages that its page deferred for their size. */
  'salvage:sample:pooled': (
    args: SampleRange & {
      readonly event: number;
      readonly list: PooledList;
    },
  ) => Promise<SamplePage>;
  /** Nodes of the transcript's span/step tree. */
  'salvage:sample:outline': (args: SampleRange) => Promise<OutlinePage>;
  /** Kind, time, outline node and size of events, from the index alone. */
  'salvage:sample:rows': (args: SampleRange) => Promise<EventRows>;
  /** A top-level field too large for the overview. */
  'salvage:sample:field': (args: {
    readonly handle: string;
    readonly key: string;
  }) => Promise<SampleField>;
  /** A cut string in full, or `length` UTF-16 units of it from `start`. */
  'salvage:sample:string': (args: {
    readonly handle: string;
    readonly ref: string;
    readonly start: number;
    readonly length: number;
  }) => Promise<StringSlice>;
  /**
   * An open sample as JSON text, pools and attachments resolved (what `salvage sample --json`
   * prints), for the clipboard: refused as `size-limit` beyond `SAMPLE_COPY_LIMIT_BYTES`.
   */
  'salvage:sample:json': (args: { readonly handle: string }) => Promise<{ readonly text: string }>;
  /** Release an open sample (its spill file goes with its last handle). */
  'salvage:sample:close': (args: { readonly handle: string }) => Promise<void>;
  /**
   * Search the text of every run under the opened folders (the background index answers, as far
   * as it has got): the first `limit` hits in run order, narrowed by the runs' facts.
   */
  'salvage:search:query': (args: SearchRequest) => Promise<SearchResult>;
  /** The samples of one run whose text matches a query (the run view's `text_contains`). */
  'salvage:search:samples': (args: {
    readonly path: string;
    readonly query: string;
  }) => Promise<ReadonlyArray<{ readonly id: string; readonly epoch: number }>>;
  /** How far the background indexing is. */
  'salvage:search:status': (args: Record<string, never>) => Promise<IndexProgress>;
}

/** A search and its filters (null leaves a fact free). */
export interface SearchRequest extends SearchFilters {
  readonly query: string;
  readonly limit: number;
}

/** A range of an open sample's items. */
export interface SampleRange {
  readonly handle: string;
  readonly start: number;
  readonly count: number;
}

export type InvokeChannel = keyof InvokeMap;
export type InvokeArgs<C extends InvokeChannel> = Parameters<InvokeMap[C]>[0];
export type InvokeResult<C extends InvokeChannel> = Awaited<ReturnType<InvokeMap[C]>>;

/** One batch of a sample stream (Perfetto's TraceChunk shape): rows as they are decoded, with progress. */
export interface SampleBatch {
  readonly streamId: string;
  readonly items: ReadonlyArray<SampleSummary>;
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly done: boolean;
  /** Why the stream ended early, typed like a failed call's answer. */
  readonly error?: BackendFailure;
}

/** One batch of a folder's listing: rows as they are known, until one batch says done. */
export interface RunsBatch {
  readonly streamId: string;
  readonly rows: ReadonlyArray<RunRow>;
  /** Log files found in the folder, the rows to expect at most (null until the folder is walked). */
  readonly found: number | null;
  readonly done: boolean;
  /** Why the listing ended early, typed like a failed call's answer. */
  readonly error?: BackendFailure;
}

/** Events the back end pushes to the renderer. */
export interface EventMap {
  'salvage:samples:batch': SampleBatch;
  'salvage:runs:batch': RunsBatch;
  /** Files changed in an opened folder: the runs list is stale. */
  'salvage:runs:changed': { readonly at: number };
  /** A recovery's progress: samples rebuilt and written so far, of how many. */
  'salvage:recovery:progress': {
    readonly path: string;
    readonly done: number;
    readonly total: number;
  };
  /** The opened folders changed (added or removed, possibly from another window). */
  'salvage:folders:changed': { readonly folders: ReadonlyArray<string> };
  /** The background search indexing's progress (a few times a second while it runs). */
  'salvage:search:progress': IndexProgress;
}

export type EventChannel = keyof EventMap;
