import { isJsonObject, type JsonValue } from '../formats/json/inspectJson.ts';
import { isEvalStatus, type EvalStatus, type LogHeader } from './log.ts';

/**
 * The facts every view of a run starts with, read one way from Inspect's header (and from the
 * Inspect-shaped headers of verifiers and Codex runs): the runs list, the run view and the CLI
 * all take them from here.
 */
export interface HeaderSummary {
  readonly task: string | null;
  readonly model: string | null;
  /** `started` for a header that never finished (running or crashed). */
  readonly status: EvalStatus;
  /** When the eval was created (`eval.created`), as written. */
  readonly created: string | null;
  /** Every metric of every scorer of `results.scores`, in order. */
  readonly scores: ReadonlyArray<ScorerMetrics>;
}

export interface ScorerMetrics {
  readonly scorer: string;
  /** How epochs were reduced (`mean`, `mode`…), when the log says. */
  readonly reducer: string | null;
  readonly metrics: ReadonlyArray<{ readonly name: string; readonly value: JsonValue }>;
}

export function headerSummary(header: LogHeader): HeaderSummary {
  const spec = isJsonObject(header.eval) ? header.eval : {};
  const results = isJsonObject(header.results) ? header.results : {};
  const scores = Array.isArray(results.scores) ? (results.scores as JsonValue[]) : [];
  return {
    task: textOrNull(spec.task),
    model: textOrNull(spec.model),
    status: isEvalStatus(header.status) ? header.status : 'started',
    created: textOrNull(spec.created),
    scores: scores.filter(isJsonObject).map((score) => ({
      scorer: typeof score.name === 'string' ? score.name : '',
      reducer: typeof score.reducer === 'string' ? score.reducer : null,
      metrics: Object.entries(isJsonObject(score.metrics) ? score.metrics : {}).flatMap(
        ([name, metric]) =>
          isJsonObject(metric) && metric.value !== undefined ? [{ name, value: metric.value }] : [],
      ),
    })),
  };
}

/** The run's headline score: the first metric of the first scorer, as Inspect's log list shows. */
export function headlineScore(summary: HeaderSummary): number | null {
  const value = summary.scores[0]?.metrics[0]?.value;
  return typeof value === 'number' ? value : null;
}

function textOrNull(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
