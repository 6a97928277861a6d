import type { JsonValue } from './json/inspectJson.ts';
import type { LogHeader, Sample, SampleRef, SampleSummary } from '../model/log.ts';
import type { RunFormat } from '../model/run.ts';

/** Rows read so far, and how far through the file. */
export interface SummaryProgress {
  readonly summaries: ReadonlyArray<SampleSummary>;
  readonly bytesRead: number;
  readonly bytesTotal: number;
}

/** What every Inspect log reader offers, whatever the file format. */
export interface InspectLogReader {
  readonly format: RunFormat;
  /** The log header (EvalLog without samples). */
  readHeader(): Promise<LogHeader>;
  /** De-duplicated sample summaries. */
  readSummaries(): Promise<SampleSummary[]>;
  /** Epoch-reduced scores, or null when the log has none. */
  readReductions(): Promise<JsonValue[] | null>;
  /** The samples stored in the log. */
  listSamples(): Promise<SampleRef[]>;
  /** Summaries as they are read, with progress; rows may repeat a key (the later row wins). */
  streamSummaries(): AsyncIterable<SummaryProgress>;
  /** One full sample, pools and attachments resolved. */
  readSample(id: string, epoch: number): Promise<Sample>;
}
