import { isJsonObject, type JsonObject, type JsonValue } from '../formats/json/inspectJson.ts';
import { plannedSamples } from '../formats/runFacts.ts';
import { scalarText } from '../model/log.ts';

/** The scores of one sample, as recovery collects them. */
export interface ScoredSample {
  readonly id: JsonValue;
  readonly epoch: number;
  readonly scores: JsonObject | null;
  readonly hasError: boolean;
}

export interface RecomputedResults {
  readonly results: JsonObject;
  readonly reductions: JsonValue[];
  readonly warnings: string[];
}

/**
 * Results and epoch reductions recomputed from the samples' scores with the scorers, metrics and
 * reducer the eval spec names, as Inspect's recovery does. A metric Salvage cannot compute is a
 * warning and is left out, never a failure.
 */
export function recomputeResults(
  spec: JsonObject,
  samples: ReadonlyArray<ScoredSample>,
): RecomputedResults {
  const warnings: string[] = [];
  const config = isJsonObject(spec.config) ? spec.config : {};
  const reducer = reducerName(config.epochs_reducer, warnings);
  const scorers = scorersOf(spec, samples);
  const scores: JsonValue[] = [];
  const reductions: JsonValue[] = [];
  for (const scorer of scorers) {
    const bySample = new Map<string, { id: JsonValue; values: number[]; last: JsonObject }>();
    let unscored = 0;
    for (const sample of samples) {
      const score = sample.scores?.[scorer.name];
      if (!isJsonObject(score)) {
        if (!sample.hasError) unscored += 1;
        continue;
      }
      const value = valueToFloat(score.value);
      if (value === null) {
        warnings.push(
          `Scorer ${scorer.name}: sample ${scalarText(sample.id)} has a value Salvage cannot reduce; it is left out of the metrics.`,
        );
        continue;
      }
      const key = scalarText(sample.id);
      const entry = bySample.get(key) ?? { id: sample.id, values: [], last: score };
      entry.values.push(value);
      entry.last = score;
      bySample.set(key, entry);
    }
    const reduced = [...bySample.values()].map((entry) => ({
      ...entry,
      value: reduce(entry.values, reducer),
    }));
    reductions.push({
      scorer: scorer.name,
      ...(reducer === 'mean' ? {} : { reducer }),
      samples: reduced.map((entry) => {
        const row: Record<string, JsonValue> = { value: entry.value };
        if (entry.last.answer !== undefined) row.answer = entry.last.answer;
        if (entry.last.explanation !== undefined) row.explanation = entry.last.explanation;
        row.history = [];
        row.sample_id = entry.id;
        return row;
      }),
    });
    const values = reduced.map((entry) => entry.value);
    const metrics: Record<string, JsonValue> = {};
    for (const metric of scorer.metrics) {
      const value = computeMetric(metric, values);
      if (value === null) {
        warnings.push(
          `Metric ${metric} of scorer ${scorer.name} cannot be computed by Salvage; it is left out of the results.`,
        );
        continue;
      }
      metrics[metric] = { name: metric, value, params: {} };
    }
    scores.push({
      name: scorer.name,
      scorer: scorer.name,
      ...(reducer === 'mean' ? {} : { reducer }),
      scored_samples: reduced.length,
      unscored_samples: unscored,
      params: {},
      metrics,
    });
  }
  const results: JsonObject = {
    total_samples: plannedSamples(spec) ?? samples.length,
    completed_samples: samples.filter((sample) => !sample.hasError).length,
    scores,
  };
  return { results, reductions, warnings };
}

interface ScorerPlan {
  readonly name: string;
  readonly metrics: ReadonlyArray<string>;
}

/** The scorers the spec names with their metrics; without a spec entry, every scorer seen with accuracy and stderr. */
function scorersOf(spec: JsonObject, samples: ReadonlyArray<ScoredSample>): ScorerPlan[] {
  const specMetrics = metricNames(spec.metrics);
  if (Array.isArray(spec.scorers)) {
    return (spec.scorers as JsonValue[]).filter(isJsonObject).map((scorer) => ({
      name: typeof scorer.name === 'string' ? scorer.name : 'score',
      metrics: specMetrics ?? metricNames(scorer.metrics) ?? ['accuracy', 'stderr'],
    }));
  }
  const names = new Set<string>();
  for (const sample of samples)
    for (const name of Object.keys(sample.scores ?? {})) names.add(name);
  return [...names].map((name) => ({ name, metrics: specMetrics ?? ['accuracy', 'stderr'] }));
}

/** Metric names from a spec list (`[{name: "inspect_ai/accuracy"}]`); other shapes are not understood. */
function metricNames(metrics: JsonValue | undefined): string[] | null {
  if (!Array.isArray(metrics)) return null;
  return (metrics as JsonValue[])
    .map((metric) => (isJsonObject(metric) ? metric.name : metric))
    .filter((name): name is string => typeof name === 'string')
    .map((name) => name.slice(name.lastIndexOf('/') + 1));
}

type Reducer = 'mean' | 'median' | 'mode' | 'max' | 'min';

function reducerName(value: JsonValue | undefined, warnings: string[]): Reducer {
  const name = Array.isArray(value) ? (value as JsonValue[])[0] : value;
  if (name === undefined || name === null) return 'mean';
  if (name === 'mean' || name === 'median' || name === 'mode' || name === 'max' || name === 'min')
    return name;
  warnings.push(
    `Epoch reducer ${scalarText(name)} is not known to Salvage; epochs are reduced by mean.`,
  );
  return 'mean';
}

/** Inspect's value_to_float: C/I/P/N and yes/no words, booleans and numbers. */
export function valueToFloat(value: JsonValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (text === 'c' || text === 'yes' || text === 'true') return 1;
  if (text === 'i' || text === 'no' || text === 'false' || text === 'n') return 0;
  if (text === 'p') return 0.5;
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : null;
}

function reduce(values: ReadonlyArray<number>, reducer: Reducer): number {
  switch (reducer) {
    case 'mean':
      return mean(values);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'median': {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    }
    case 'mode': {
      const counts = new Map<number, number>();
      for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    }
  }
}

function computeMetric(name: string, values: ReadonlyArray<number>): number | null {
  switch (name) {
    case 'accuracy':
    case 'mean':
      return values.length ? mean(values) : 0;
    case 'stderr':
      return values.length > 1 ? Math.sqrt(variance(values) / values.length) : 0;
    case 'std':
      return values.length > 1 ? Math.sqrt(variance(values)) : 0;
    case 'var':
      return values.length > 1 ? variance(values) : 0;
    default:
      return null;
  }
}

function mean(values: ReadonlyArray<number>): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample variance (ddof = 1), as Inspect's stderr uses. */
function variance(values: ReadonlyArray<number>): number {
  const average = mean(values);
  return values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1);
}
