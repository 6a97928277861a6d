import { sampleKey, type SampleSummary } from '../../model/log.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../json/inspectJson.ts';
import { mapJsonLeaves } from '../json/jsonTree.ts';

/**
 * One summary per (id, epoch): the last row's value at the first row's position.
 *
 * Re-logged samples (retries, re-scoring) append a second row; Inspect and its viewer both keep
 * the last one.
 */
export function dedupeSummaries(rows: ReadonlyArray<SampleSummary>): SampleSummary[] {
  const byKey = new Map<string, SampleSummary>();
  for (const row of rows) byKey.set(sampleKey(row.id, row.epoch), row);
  return [...byKey.values()];
}

/** Longest string kept in a summary's input, target and metadata; longer ones are cut, as Inspect thins its summaries so they load in bulk. */
const SUMMARY_STRING_CHARS = 1000;

/**
 * The summary Inspect would write for a sample (`EvalSample.summary()`), for logs that store only
 * full samples (`.json` logs) and for rebuilt logs.
 */
export function summaryFromSample(sample: JsonObject): SampleSummary {
  const summary: Record<string, JsonValue> = {
    id: sample.id ?? null,
    epoch: sample.epoch ?? null,
    input: thin(sample.input ?? ''),
    target: thin(sample.target ?? ''),
    metadata: thin(sample.metadata ?? {}),
  };
  if (sample.choices !== undefined) summary.choices = sample.choices;
  copy(sample, summary, ['scores', 'model_usage', 'role_usage', 'model_fallbacks']);
  copy(sample, summary, ['started_at', 'completed_at', 'total_time', 'working_time', 'uuid']);
  const error = isJsonObject(sample.error) ? sample.error.message : undefined;
  if (typeof error === 'string') summary.error = error;
  const limit = isJsonObject(sample.limit) ? sample.limit.type : undefined;
  if (typeof limit === 'string') summary.limit = limit;
  if (Array.isArray(sample.error_retries)) summary.retries = sample.error_retries.length;
  summary.completed = true;
  if (Array.isArray(sample.messages)) summary.message_count = sample.messages.length;
  copy(sample, summary, ['turn_count', 'token_limit', 'token_limit_type', 'token_limit_usage']);
  return summary;
}

function copy(from: JsonObject, to: Record<string, JsonValue>, keys: ReadonlyArray<string>): void {
  for (const key of keys) {
    const value = from[key];
    if (value !== undefined && value !== null) to[key] = value;
  }
}

/** A copy with long strings cut (iterative: metadata may nest deeper than the stack goes). */
function thin(value: JsonValue): JsonValue {
  return mapJsonLeaves(value, (item) =>
    typeof item === 'string' && item.length > SUMMARY_STRING_CHARS
      ? `${item.slice(0, SUMMARY_STRING_CHARS)}…`
      : item,
  );
}
