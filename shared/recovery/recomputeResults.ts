import {
  isJsonObject,
  LexicalNumber,
  numberOf,
  pythonFloat,
  type JsonObject,
  type JsonValue,
} from '../formats/json/inspectJson.ts';
import { scalarText } from '../model/log.ts';
import { exactMean, numpyMean, numpyVar } from './pythonNumbers.ts';
import { getOwn, setOwn } from '../util/records.ts';

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
 * reducers the eval spec names, as Inspect's recovery does (`eval_results`): per scorer, scores
 * grouped by sample and reduced over epochs (mean unless `epochs_reducer` says otherwise), NaN
 * values counted as unscored, each metric's value a float, the scorer's options as its `params`.
 * `total_samples` is the number of samples in the recovered log and `completed_samples` those
 * without an error, as Inspect writes them.
 *
 * The built-in metrics (accuracy, mean, stderr, std, var) and reducers (mean, median, mode, max,
 * at_least_k, pass_at_k, pass_k_k) are computed as Inspect computes them, to the last bit. A metric
 * or reducer Salvage cannot compute is a warning and is left out, never a failure.
 */
export function recomputeResults(
  spec: JsonObject,
  samples: ReadonlyArray<ScoredSample>,
): RecomputedResults {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (!warnings.includes(message)) warnings.push(message);
  };
  const config = isJsonObject(spec.config) ? spec.config : {};
  const views = reducerViews(config.epochs_reducer, warn);
  const scored = samples.filter(
    (sample) => sample.scores !== null && Object.keys(sample.scores).length > 0,
  );
  const scores: JsonValue[] = [];
  const reductions: JsonValue[] = [];
  const used: string[] = [];
  for (const scorer of scorersOf(spec, scored)) {
    const name = uniqueScorerName(scorer.name, used);
    used.push(name);
    const sampleScores: SampleScore[] = [];
    for (const sample of scored) {
      const score = sample.scores?.[name];
      if (isJsonObject(score)) sampleScores.push({ sampleId: sample.id, score });
    }
    const toFloat = (value: JsonValue | undefined): number => valueToFloat(value, name, warn);
    for (const view of views) {
      const reduced = reduceScores(sampleScores, view, toFloat, warn);
      if (reduced === null) continue;
      reductions.push({
        scorer: name,
        ...(view.display === null ? {} : { reducer: view.display }),
        samples: reduced.map((item) => ({ ...item.score, sample_id: item.sampleId })),
      });
      scores.push(evalScore(name, scorer, view.display, reduced, toFloat, warn));
    }
  }
  const results: JsonObject = {
    total_samples: samples.length,
    completed_samples: samples.filter((sample) => !sample.hasError).length,
    scores,
  };
  return { results, reductions, warnings };
}

interface SampleScore {
  readonly sampleId: JsonValue;
  readonly score: JsonObject;
}

interface ScorerInfo {
  readonly name: string;
  /** Metric definitions: `{name, options}`, or a dict of them (Salvage leaves those out). */
  readonly metrics: ReadonlyArray<JsonValue>;
  readonly params: JsonObject;
  readonly metadata: JsonObject;
}

/** The spec's scorers, then one per score name no scorer accounts for (with the eval's metrics, else accuracy and stderr). */
function scorersOf(spec: JsonObject, samples: ReadonlyArray<ScoredSample>): ScorerInfo[] {
  const infos: ScorerInfo[] = [];
  if (Array.isArray(spec.scorers)) {
    for (const scorer of (spec.scorers as JsonValue[]).filter(isJsonObject)) {
      infos.push({
        name: typeof scorer.name === 'string' ? scorer.name : 'score',
        metrics: asList(scorer.metrics),
        params: isJsonObject(scorer.options) ? scorer.options : {},
        metadata: isJsonObject(scorer.metadata) ? scorer.metadata : {},
      });
    }
  }
  const names = new Set<string>();
  for (const info of infos) names.add(uniqueScorerName(info.name, [...names]));
  const fallback: ReadonlyArray<JsonValue> = Array.isArray(spec.metrics)
    ? (spec.metrics as JsonValue[])
    : isJsonObject(spec.metrics)
      ? [spec.metrics]
      : [{ name: 'accuracy' }, { name: 'stderr' }];
  for (const sample of samples) {
    for (const name of Object.keys(sample.scores ?? {})) {
      if (names.has(name)) continue;
      names.add(name);
      infos.push({ name, metrics: fallback, params: {}, metadata: {} });
    }
  }
  return infos;
}

function asList(value: JsonValue | undefined): ReadonlyArray<JsonValue> {
  if (Array.isArray(value)) return value as JsonValue[];
  return isJsonObject(value) ? [value] : [];
}

/** Inspect's unique_scorer_name: `name`, then `name1`, `name2`… */
function uniqueScorerName(base: string, used: ReadonlyArray<string>): string {
  let name = base;
  for (let count = 1; used.includes(name); count++) name = `${base}${count}`;
  return name;
}

/** The last path part of a registry name (`inspect_ai/accuracy` → `accuracy`). */
function unqualified(name: string): string {
  const parts = name.split('/');
  return parts.length === 1 ? name : parts.slice(1).join('/');
}

/** A registry name as Inspect logs it: its own package prefix dropped. */
function logName(name: string): string {
  return name.replace('inspect_ai/', '');
}

function evalScore(
  name: string,
  scorer: ScorerInfo,
  reducer: string | null,
  reduced: ReadonlyArray<SampleScore>,
  toFloat: (value: JsonValue | undefined) => number,
  warn: (message: string) => void,
): JsonObject {
  const withValues = reduced.filter((item) => !isNaNValue(item.score.value));
  const values = withValues.map((item) => toFloat(item.score.value));
  const metrics: Record<string, JsonValue> = {};
  for (const definition of scorer.metrics) {
    if (!isJsonObject(definition) || typeof definition.name !== 'string') {
      warn(
        `Scorer ${name} has grouped metrics, which Salvage cannot compute; they are left out of the results.`,
      );
      continue;
    }
    const options = isJsonObject(definition.options) ? definition.options : {};
    const value =
      values.length === 0 ? Number.NaN : computeMetric(definition.name, options, values);
    if (value === null) {
      warn(
        `Metric ${definition.name} of scorer ${name} cannot be computed by Salvage; it is left out of the results.`,
      );
      continue;
    }
    let key = unqualified(definition.name);
    if (Object.hasOwn(metrics, key)) key = uniqueMetricKey(key, Object.keys(metrics));
    setOwn(metrics, key, {
      name: logName(definition.name),
      value: pythonFloat(value),
      params: options,
    });
  }
  const score: Record<string, JsonValue> = { name, scorer: name };
  if (reducer !== null) score.reducer = reducer;
  score.scored_samples = withValues.length;
  score.unscored_samples = reduced.length - withValues.length;
  score.params = scorer.params;
  score.metrics = metrics;
  if (Object.keys(scorer.metadata).length > 0) score.metadata = scorer.metadata;
  return score;
}

/** Inspect's metrics_unique_key: `key2`, or one past the highest `keyN` already there. */
function uniqueMetricKey(key: string, existing: ReadonlyArray<string>): string {
  let index = 2;
  for (const other of existing) {
    const match = other.startsWith(key) ? /^(\d+)/.exec(other.slice(key.length)) : null;
    const number = match ? Number(match[1]) : 0;
    if (number >= index) index = number + 1;
  }
  return `${key}${index}`;
}

/** A built-in metric over the scored values, as Inspect computes it; null when Salvage cannot. */
function computeMetric(
  name: string,
  options: JsonObject,
  values: ReadonlyArray<number>,
): number | null {
  // Options such as to_float or cluster change the computation; Salvage knows only the defaults.
  if (Object.values(options).some((option) => option !== null)) return null;
  const n = values.length;
  switch (unqualified(name)) {
    case 'accuracy': {
      let total = 0;
      for (const value of values) total += value;
      return total / n;
    }
    case 'mean':
      return numpyMean(values);
    case 'stderr':
      return n < 2 ? 0 : Math.sqrt(numpyVar(values, 1)) / Math.sqrt(n);
    case 'std':
      return n < 2 ? 0 : Math.sqrt(numpyVar(values, 1));
    case 'var':
      return n < 2 ? 0 : numpyVar(values, 1);
    default:
      return null;
  }
}

interface ReducerView {
  readonly name: string;
  readonly k: number | null;
  /** The reducer as results name it; null for the implicit mean (no `epochs_reducer`). */
  readonly display: string | null;
}

/** The epoch reducers of `epochs_reducer` (`pass_at_2` is pass_at with k 2), or the implicit mean. */
function reducerViews(
  value: JsonValue | undefined,
  warn: (message: string) => void,
): ReducerView[] {
  if (value === undefined || value === null) return [{ name: 'mean', k: null, display: null }];
  const names = (Array.isArray(value) ? (value as JsonValue[]) : [value]).filter(
    (name): name is string => typeof name === 'string',
  );
  const views: ReducerView[] = [];
  for (const full of names) {
    const match = /^(.*?)_(\d+)$/.exec(full);
    const view = KNOWN_REDUCERS.has(full)
      ? { name: full, k: null, display: full }
      : match && KNOWN_REDUCERS.has(match[1]!)
        ? { name: match[1]!, k: Number(match[2]), display: full }
        : null;
    if (view) views.push(view);
    else
      warn(
        `Epoch reducer ${full} is not known to Salvage; its reductions and metrics are left out.`,
      );
  }
  return views;
}

const KNOWN_REDUCERS = new Set(['mean', 'median', 'mode', 'max', 'at_least', 'pass_at', 'pass_k']);

type Scalar = string | number | boolean | LexicalNumber;

/** Inspect's reduce_scores: group by sample id (first seen first), reduce each group's epochs. */
function reduceScores(
  scores: ReadonlyArray<SampleScore>,
  view: ReducerView,
  toFloat: (value: JsonValue | undefined) => number,
  warn: (message: string) => void,
): SampleScore[] | null {
  const groups = new Map<string, SampleScore[]>();
  for (const item of scores) {
    if (item.sampleId === null || item.sampleId === undefined) continue;
    const key = scalarText(item.sampleId);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const reduced: SampleScore[] = [];
  for (const group of groups.values()) {
    const value = reduceValue(
      group.map((item) => item.score.value ?? null),
      view,
      toFloat,
    );
    if (value === undefined) {
      warn(`Scores of this shape cannot be reduced by ${view.display ?? 'mean'} in Salvage.`);
      return null;
    }
    reduced.push({ sampleId: group[0]!.sampleId, score: reducedScore(value, group) });
  }
  return reduced;
}

/** Inspect's _reduced_score: answer and explanation kept only when every epoch agrees. */
function reducedScore(value: JsonValue, group: ReadonlyArray<SampleScore>): JsonObject {
  const first = group[0]!.score;
  const same = (key: string): boolean =>
    group.every((item) => (item.score[key] ?? null) === (first[key] ?? null));
  const score: Record<string, JsonValue> = { value };
  if (same('answer') && first.answer !== undefined && first.answer !== null)
    score.answer = first.answer;
  if (same('explanation') && first.explanation !== undefined && first.explanation !== null)
    score.explanation = first.explanation;
  if (first.metadata !== undefined && first.metadata !== null) score.metadata = first.metadata;
  score.history = [];
  return score;
}

/** One sample's epochs reduced: scalars, or key by key / index by index; undefined when the shapes do not fit. */
function reduceValue(
  values: ReadonlyArray<JsonValue>,
  view: ReducerView,
  toFloat: (value: JsonValue | undefined) => number,
): JsonValue | undefined {
  const scoredValues = values.filter((value) => !isNaNValue(value));
  const representative = scoredValues[0];
  if (representative === undefined) return Number.NaN;
  if (isJsonObject(representative)) {
    if (!scoredValues.every(isJsonObject)) return undefined;
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(representative)) {
      const column = scoredValues.map((value) => getOwn(value, key) ?? null);
      const reduced = reduceScalars(column, view, toFloat);
      if (reduced === undefined) return undefined;
      setOwn(out, key, reduced);
    }
    return out;
  }
  if (Array.isArray(representative)) {
    if (!scoredValues.every((value) => Array.isArray(value))) return undefined;
    const rows = scoredValues as ReadonlyArray<ReadonlyArray<JsonValue>>;
    const out: JsonValue[] = [];
    for (let index = 0; index < representative.length; index++) {
      const reduced = reduceScalars(
        rows.map((row) => row[index] ?? null),
        view,
        toFloat,
      );
      if (reduced === undefined) return undefined;
      out.push(reduced);
    }
    return out;
  }
  return reduceScalars(values, view, toFloat);
}

/** One column of scalar values reduced as Inspect's reducer of that name does. */
function reduceScalars(
  values: ReadonlyArray<JsonValue>,
  view: ReducerView,
  toFloat: (value: JsonValue | undefined) => number,
): JsonValue | undefined {
  if (!values.every(isScalar)) return undefined;
  const scalars = (values as Scalar[]).filter((value) => !isNaNValue(value));
  if (scalars.length === 0) return Number.NaN;
  // value_to_float gives the int 0 for "I" and "N" and floats otherwise; statistics keeps an
  // all-int mean an int, so an epoch of "I" reduces to 0, not 0.0.
  const typed = scalars
    .map((value) => ({ value: toFloat(value), int: value === 'I' || value === 'N' }))
    .filter((item) => !Number.isNaN(item.value));
  const floats = typed.map((item) => item.value);
  const threshold = 1;
  switch (view.name) {
    case 'mean': {
      const mean = exactMean(floats);
      return typed.every((item) => item.int) && Number.isInteger(mean) ? mean : pythonFloat(mean);
    }
    case 'median': {
      const sorted = [...typed].sort((a, b) => a.value - b.value);
      const middle = Math.floor(sorted.length / 2);
      if (sorted.length % 2 === 0)
        return pythonFloat((sorted[middle - 1]!.value + sorted[middle]!.value) / 2);
      const item = sorted[middle]!;
      return item.int ? item.value : pythonFloat(item.value);
    }
    case 'mode': {
      const counts = new Map<string, { value: Scalar; count: number }>();
      for (const value of scalars) {
        const key = scalarKey(value);
        const entry = counts.get(key) ?? { value, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
      let best: { value: Scalar; count: number } | undefined;
      for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
      return best!.value;
    }
    case 'max': {
      let best = scalars[0]!;
      for (const value of scalars) if (toFloat(value) > toFloat(best)) best = value;
      return best;
    }
    case 'at_least': {
      const k = view.k ?? 1;
      return scalars.filter((value) => toFloat(value) >= threshold).length >= k ? 1 : 0;
    }
    case 'pass_at': {
      const k = view.k ?? 1;
      const total = floats.length;
      const correct = floats.filter((value) => value >= threshold).length;
      if (total < k) return Number.NaN;
      if (total - correct < k) return pythonFloat(1);
      // 1 - prod(1 - k / arange(total - correct + 1, total + 1)), multiplied in order.
      let product = 1;
      for (let i = total - correct + 1; i <= total; i++) product *= 1 - k / i;
      return pythonFloat(1 - product);
    }
    case 'pass_k': {
      const k = view.k ?? 1;
      const total = floats.length;
      if (total < k) return Number.NaN;
      const correct = floats.filter((value) => value >= threshold).length;
      return pythonFloat(Number(binomial(correct, k)) / Number(binomial(total, k)));
    }
    default:
      return undefined;
  }
}

function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

function isScalar(value: JsonValue): value is Scalar {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value instanceof LexicalNumber
  );
}

/** Python's dict key equality: 1, 1.0 and True are one key; strings are themselves. */
function scalarKey(value: Scalar): string {
  return typeof value === 'string' ? `s:${value}` : `n:${Number(value)}`;
}

function isNaNValue(value: JsonValue | undefined): boolean {
  return typeof value === 'number' && Number.isNaN(value);
}

/**
 * Inspect's value_to_float: numbers and booleans as floats; "C" 1, "P" 0.5, "I" and "N" 0;
 * yes/true 1, no/false 0 (any case); numeric strings; anything else 0, with a warning.
 */
export function valueToFloat(
  value: JsonValue | undefined,
  scorer = 'score',
  warn: (message: string) => void = () => undefined,
): number {
  const number = numberOf(value);
  if (number !== undefined) return number;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (value === 'C') return 1;
  if (value === 'P') return 0.5;
  if (value === 'I' || value === 'N') return 0;
  if (typeof value === 'string') {
    const text = value.toLowerCase();
    if (text === 'yes' || text === 'true') return 1;
    if (text === 'no' || text === 'false') return 0;
    // Python's float(): decimal syntax only (Number() would also take hex and binary).
    if (/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/.test(text)) {
      const parsed = Number(text);
      if (Number.isFinite(parsed)) return parsed;
    }
  }
  warn(`Scorer ${scorer} has a value Salvage (like Inspect) cannot read as a number; it counts 0.`);
  return 0;
}
