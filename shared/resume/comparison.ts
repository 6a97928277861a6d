import type { JsonValue } from '../formats/json/inspectJson.ts';
import type { ConfigDiff, ConfigKind } from './configDiff.ts';
import type { ScorerChange } from './scoreChanges.ts';

/** One sample of two runs, side by side: each run's score values by scorer, or null when absent. */
export interface ComparedSample {
  readonly id: string;
  readonly epoch: number;
  readonly a: { readonly [scorer: string]: JsonValue } | null;
  readonly b: { readonly [scorer: string]: JsonValue } | null;
}

/** Two runs compared: their configuration diff and their samples aligned by (id, epoch). */
export interface RunComparison {
  readonly kind: ConfigKind;
  readonly config: ConfigDiff;
  /** The runs that record no configuration (compared on their samples only). */
  readonly unknownConfig: ReadonlyArray<'a' | 'b'>;
  readonly samples: ReadonlyArray<ComparedSample>;
  /** Per scorer: improved, regressed, unchanged, means, and a paired test. */
  readonly changes: ReadonlyArray<ScorerChange>;
}
