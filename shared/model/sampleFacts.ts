import { isJsonObject, type JsonValue } from '../formats/json/inspectJson.ts';
import { displayText } from './display.ts';
import { scalarText, type SampleSummary } from './log.ts';
import { setOwn } from '../util/records.ts';

/**
 * What the sample grid, its filters and the CLI show of one sample, read once from its summary
 * (`EvalSampleSummary`, or the Inspect-shaped summary of a verifiers rollout or Codex session).
 */
export interface SampleFacts {
  readonly id: string;
  readonly epoch: number;
  readonly input: string;
  readonly target: string;
  /** The first scorer's answer (what the model answered, as the scorer extracted it). */
  readonly answer: string;
  /** Each scorer's value: a number, a string (`C`, `I`), a boolean, or null. */
  readonly scores: Readonly<Record<string, number | string | boolean | null>>;
  /** Total tokens over every model, when recorded. */
  readonly tokens: number | null;
  /** Seconds from start to end of the sample, when recorded. */
  readonly duration: number | null;
  readonly error: string;
  /** The limit the sample hit (`token`, `time`, `message`…), or empty. */
  readonly limit: string;
  readonly retries: number;
  readonly metadata: Readonly<Record<string, JsonValue>>;
}

export function sampleFacts(summary: SampleSummary): SampleFacts {
  const scores = isJsonObject(summary.scores) ? summary.scores : {};
  const values: Record<string, number | string | boolean | null> = {};
  let answer = '';
  for (const [name, score] of Object.entries(scores)) {
    const value = isJsonObject(score) ? score.value : undefined;
    setOwn(values, name, scalarOrNull(value));
    if (!answer && isJsonObject(score) && score.answer !== undefined)
      answer = displayText(score.answer);
  }
  return {
    id: scalarText(summary.id),
    epoch: typeof summary.epoch === 'number' ? summary.epoch : 1,
    input: displayText(summary.input),
    target: displayText(summary.target),
    answer,
    scores: values,
    tokens: totalTokens(summary.model_usage),
    duration: typeof summary.total_time === 'number' ? summary.total_time : null,
    error: displayText(isJsonObject(summary.error) ? summary.error.message : summary.error),
    limit: displayText(isJsonObject(summary.limit) ? summary.limit.type : summary.limit),
    retries: typeof summary.retries === 'number' ? summary.retries : 0,
    metadata: isJsonObject(summary.metadata) ? summary.metadata : {},
  };
}

/** A score value as a filter and a grid cell compare it: scalars as they are, others as text. */
function scalarOrNull(value: JsonValue | undefined): number | string | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (typeof value === 'bigint') return Number(value);
  return displayText(value);
}

/** Total tokens over every model of a `model_usage` map, or null when none is recorded. */
export function totalTokens(usage: JsonValue | undefined): number | null {
  if (!isJsonObject(usage)) return null;
  let total = 0;
  let found = false;
  for (const model of Object.values(usage)) {
    if (isJsonObject(model) && typeof model.total_tokens === 'number') {
      total += model.total_tokens;
      found = true;
    }
  }
  return found ? total : null;
}

/** What a text search of a sample looks at: the text shown of it, lower-cased. */
export function searchTextOf(facts: SampleFacts): string {
  return [
    facts.id,
    facts.input,
    facts.target,
    facts.answer,
    ...Object.values(facts.scores).map((value) => (value === null ? '' : String(value))),
    facts.error,
  ]
    .join('\n')
    .toLowerCase();
}
