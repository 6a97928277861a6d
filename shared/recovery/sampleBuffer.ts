import type { JsonObject, JsonValue } from '../formats/json/inspectJson.ts';

/** Where a crashed run's unflushed samples are kept (Inspect's sample buffer). */
export type BufferSource = 'database' | 'filestore';

/** One sample the buffer knows: its summary (completed when `completed_at` is set) and its full metadata when stored. */
export interface BufferedSample {
  readonly summary: JsonObject;
  readonly metadata: JsonObject | null;
}

/** One row of the insert-only events table: an event written again when it changes (pending → resolved). */
export interface EventRow {
  readonly rowId: number;
  readonly eventId: string | null;
  readonly event: JsonObject;
}

/** Everything the buffer holds for one sample, pools in row order. */
export interface BufferedSampleData {
  readonly events: ReadonlyArray<EventRow>;
  readonly attachments: JsonObject;
  readonly messagePool: ReadonlyArray<JsonValue>;
  readonly callPool: ReadonlyArray<JsonValue>;
}

/** A readable sample buffer, database or filestore. */
export interface SampleBuffer {
  readonly source: BufferSource;
  /** The buffer's path, for reports. */
  readonly location: string;
  /** What was skipped while reading (a corrupt segment, a row that is not JSON…). */
  readonly warnings: string[];
  samples(): Promise<BufferedSample[]>;
  sampleData(id: string, epoch: number): Promise<BufferedSampleData>;
  close(): Promise<void>;
}
