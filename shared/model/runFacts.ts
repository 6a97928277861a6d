import { isJsonObject, type JsonValue } from '../formats/json/inspectJson.ts';
import type { EvalStatus, LogHeader, SampleSummary } from './log.ts';
import { headerSummary, headlineScore, type HeaderSummary } from './headerSummary.ts';
import type { RunScore } from './run.ts';
import { totalTokens } from './sampleFacts.ts';

/** The facts of a run the runs list shows, read from its header and summaries. */
export interface RunFacts {
  readonly task: string | null;
  readonly model: string | null;
  readonly status: EvalStatus;
  readonly samples: { readonly completed: number; readonly total: number | null };
  readonly created: string | null;
  readonly score: number | null;
  readonly scores: ReadonlyArray<RunScore>;
  readonly errors: number;
  readonly cost: number | null;
  readonly tags: ReadonlyArray<string>;
  readonly tokens: number | null;
  readonly duration: number | null;
}

/**
 * The sample fields runFacts reads through summaries (a sample's error, model usage and end), and
 * the id and epoch that tell samples apart: all a listing parses of a `.json` log's samples.
 */
export const RUN_FACT_SAMPLE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'epoch',
  'error',
  'model_usage',
  'completed_at',
]);

export function runFacts(header: LogHeader, summaries: ReadonlyArray<SampleSummary>): RunFacts {
  const spec = isJsonObject(header.eval) ? header.eval : {};
  const results = isJsonObject(header.results) ? header.results : undefined;
  const summary = headerSummary(header);
  const completedFromResults = toCount(results?.completed_samples);
  return {
    task: summary.task,
    model: summary.model,
    status: summary.status,
    samples: {
      // A finished log counts samples that completed without error; a started one, what it flushed.
      completed:
        completedFromResults ?? summaries.filter((summary) => summary.error === undefined).length,
      total: toCount(results?.total_samples) ?? plannedSamples(spec),
    },
    created: summary.created,
    score: headlineScore(summary),
    scores: namedScores(summary),
    errors: summaries.filter((row) => row.error !== undefined && row.error !== null).length,
    cost: costOf(header),
    tags: Array.isArray(spec.tags)
      ? (spec.tags as JsonValue[]).filter((tag): tag is string => typeof tag === 'string')
      : [],
    tokens: tokensUsed(header, summaries),
    duration: runDuration(header, summaries),
  };
}

/**
 * Every numeric metric of every scorer, named `metric` when the run has one scorer and
 * `scorer/metric` when it has several.
 */
function namedScores(summary: HeaderSummary): RunScore[] {
  const several = summary.scores.length > 1;
  return summary.scores.flatMap((scorer) =>
    scorer.metrics.flatMap(({ name, value }) =>
      typeof value === 'number'
        ? [{ name: several ? `${scorer.scorer}/${name}` : name, value }]
        : [],
    ),
  );
}

/** The total cost over every model, when the header's usage records one. */
function costOf(header: LogHeader): number | null {
  const stats = isJsonObject(header.stats) ? header.stats : {};
  const usage = isJsonObject(stats.model_usage) ? stats.model_usage : {};
  let total: number | null = null;
  for (const model of Object.values(usage)) {
    if (isJsonObject(model) && typeof model.total_cost === 'number')
      total = (total ?? 0) + model.total_cost;
  }
  return total;
}

/** Inspect's header error of a log rebuilt by `inspect log recover` (or Salvage's recovery). */
const RECOVERED_MESSAGE = 'Eval recovered from crash';

/**
 * How long the run ran, from its own times: the header's start to its end. A recovered log's
 * `completed_at` is the moment of recovery (days after the crash, perhaps), so its run ends at
 * the last sample that completed instead: the list never shows crash-to-recovery as run time.
 */
export function runDuration(
  header: LogHeader,
  summaries: ReadonlyArray<SampleSummary>,
): number | null {
  if (!isJsonObject(header.stats)) return null;
  const { started_at: start, completed_at: end } = header.stats;
  const recovered = isJsonObject(header.error) && header.error.message === RECOVERED_MESSAGE;
  if (!recovered) return secondsBetween(start, end);
  let last: string | null = null;
  let lastTime = Number.NEGATIVE_INFINITY;
  for (const summary of summaries) {
    const time = typeof summary.completed_at === 'string' ? Date.parse(summary.completed_at) : NaN;
    if (time > lastTime) {
      lastTime = time;
      last = summary.completed_at as string;
    }
  }
  return last === null ? null : secondsBetween(start, last);
}

/** Total tokens over every model: the header's stats, or (a run that never finished) its samples'. */
function tokensUsed(header: LogHeader, summaries: ReadonlyArray<SampleSummary>): number | null {
  const stats = isJsonObject(header.stats) ? header.stats : undefined;
  if (isJsonObject(stats?.model_usage)) return totalTokens(stats.model_usage);
  let total: number | null = null;
  for (const summary of summaries) {
    const tokens = totalTokens(summary.model_usage);
    if (tokens !== null) total = (total ?? 0) + tokens;
  }
  return total;
}

/** Seconds from one ISO timestamp to another, or null unless both parse and run forwards. */
export function secondsBetween(
  start: JsonValue | null | undefined,
  end: JsonValue | null | undefined,
): number | null {
  if (typeof start !== 'string' || typeof end !== 'string') return null;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** Samples the eval planned to run: dataset size narrowed by limit or sample ids, times epochs. */
export function plannedSamples(spec: { readonly [key: string]: JsonValue }): number | null {
  const dataset = isJsonObject(spec.dataset) ? spec.dataset : {};
  const config = isJsonObject(spec.config) ? spec.config : {};
  let count = toCount(dataset.samples);
  if (count === null) return null;
  const limit = config.limit;
  if (typeof limit === 'number') count = Math.min(count, limit);
  else if (Array.isArray(limit) && limit.length === 2) {
    const [start, end] = limit as ReadonlyArray<JsonValue>;
    if (typeof start === 'number' && typeof end === 'number')
      count = Math.max(0, Math.min(count, end) - start);
  }
  if (Array.isArray(config.sample_id)) count = config.sample_id.length;
  else if (config.sample_id !== undefined && config.sample_id !== null) count = 1;
  const epochs = toCount(config.epochs) ?? 1;
  return count * Math.max(1, epochs);
}

function toCount(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
