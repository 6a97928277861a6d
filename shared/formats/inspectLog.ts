import type { JsonValue } from './json/inspectJson.ts';
import type { LogFormat, LogHeader, Sample, SampleRef, SampleSummary } from '../model/log.ts';

/** What every Inspect log reader offers, whatever the file format. */
export interface InspectLogReader {
  readonly format: LogFormat;
  /** The log header (EvalLog without samples). */
  readHeader(): Promise<LogHeader>;
  /** De-duplicated sample summaries. */
  readSummaries(): Promise<SampleSummary[]>;
  /** Epoch-reduced scores, or null when the log has none. */
  readReductions(): Promise<JsonValue[] | null>;
  /** The samples stored in the log. */
  listSamples(): Promise<SampleRef[]>;
  /** One full sample, pools and attachments resolved. */
  readSample(id: string, epoch: number): Promise<Sample>;
}
