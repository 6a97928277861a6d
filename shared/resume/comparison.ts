import type { JsonValue } from '../formats/json/inspectJson.ts';
import type { ConfigDiff } from './configDiff.ts';

/** One sample of two runs, side by side: each run's score values by scorer, or null when absent. */
export interface ComparedSample {
  readonly id: string;
  readonly epoch: number;
  readonly a: { readonly [scorer: string]: JsonValue } | null;
  readonly b: { readonly [scorer: string]: JsonValue } | null;
}

/** Two runs compared: their configuration diff and their samples aligned by (id, epoch). */
export interface RunComparison {
  readonly config: ConfigDiff;
  readonly samples: ReadonlyArray<ComparedSample>;
}
