import {
  LexicalNumber,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../formats/json/inspectJson.ts';

/** Inspect's eval status; `started` means running or crashed (the file alone cannot tell which). */
export type EvalStatus = 'started' | 'success' | 'cancelled' | 'error';

export const EVAL_STATUSES: ReadonlyArray<EvalStatus> = [
  'started',
  'success',
  'cancelled',
  'error',
];

/** The log formats Salvage reads. */
export type LogFormat = 'inspect-eval' | 'inspect-json';

/** The log header exactly as Inspect defines it (`EvalLog` without samples); fields vary by version, so it stays JSON. */
export type LogHeader = JsonObject;

/** One row of `summaries.json` (`EvalSampleSummary`), as written. */
export type SampleSummary = JsonObject;

/** A full `EvalSample` with attachments and pools resolved. */
export type Sample = JsonObject;

/** How a sample is stored in a `.eval`: one JSON entry, or the chunked layout of `inspect log convert-chunked`. */
export type SampleLayout = 'monolith' | 'chunked';

/** A sample present in a log, named as in its entry (`samples/<id>_epoch_<epoch>…`). */
export interface SampleRef {
  /** The id as text, exactly as in the entry name (ints stay exact even beyond 2^53). */
  readonly id: string;
  readonly epoch: number;
  readonly layout: SampleLayout;
}

/** The key under which (id, epoch) pairs are compared. */
export function sampleKey(id: JsonValue | undefined, epoch: JsonValue | undefined): string {
  return `${scalarText(id)}\u0000${scalarText(epoch)}`;
}

/**
 * A JSON scalar as text, exactly (bigints keep every digit); containers as Inspect JSON (a
 * bigint or NaN inside, any depth), never through their own `toString`/`valueOf` members.
 */
export function scalarText(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return String(value);
  // A lexical number by its value, as the default parse gives it (keys agree across parses).
  if (value instanceof LexicalNumber) return String(value.value);
  if (typeof value === 'object') return stringifyInspectJson(value);
  return String(value);
}

/**
 * A JSON value as a number, as Number() reads a scalar (a lexical number by its value, a bigint
 * rounded); arrays and objects are NaN, never read through their own `valueOf`/`toString`
 * members, which a file may set to anything (Number() of such an object threw).
 */
export function numberFrom(value: JsonValue | undefined): number {
  if (value instanceof LexicalNumber) return value.value;
  if (typeof value === 'object' && value !== null) return Number.NaN;
  return Number(value);
}

export function isEvalStatus(value: unknown): value is EvalStatus {
  return typeof value === 'string' && (EVAL_STATUSES as ReadonlyArray<string>).includes(value);
}
