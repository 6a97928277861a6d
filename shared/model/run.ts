import type { SalvageErrorKind } from '../util/errors.ts';
import { EVAL_STATUSES, type EvalStatus, type LogFormat } from './log.ts';

/** Why a log could not be read, for listing it anyway. */
export interface RunProblem {
  readonly kind: SalvageErrorKind;
  readonly message: string;
}

/** Where a crashed run can be recovered from (see `salvage recover`). */
export type RecoverySource = 'database' | 'filestore' | 'truncated-archive' | 'torn-tail';

/** What a crashed Inspect run is recovered from (a torn JSONL log is repaired instead). */
export type InspectRecoverySource = Exclude<RecoverySource, 'torn-tail'>;

/** Every format `salvage ls` lists. */
export type RunFormat = LogFormat | 'verifiers' | 'codex';

export const RUN_FORMATS: ReadonlyArray<RunFormat> = [
  'inspect-eval',
  'inspect-json',
  'verifiers',
  'codex',
];

/**
 * A run's status: Inspect's, with `started` split into `running` (its writer is alive) and
 * `started` (crashed, or no way to tell), and `incomplete`: a verifiers run with fewer rollouts than
 * it planned (or no plan to compare with), nothing torn and no writer alive.
 */
export type RunStatus = EvalStatus | 'running' | 'incomplete';

export const RUN_STATUSES: ReadonlyArray<RunStatus> = [...EVAL_STATUSES, 'running', 'incomplete'];

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as ReadonlyArray<string>).includes(value);
}

/** What Salvage wrote beside a run, and what a run was made from: found by their names. */
export interface RunLinks {
  /** The recovered log beside this crashed run (`<name>-recovered.eval`). */
  readonly recovered: string | null;
  /** For a recovered log: the crashed log it was recovered from, when it is still beside it. */
  readonly recoveredFrom: string | null;
  /** Exports of this run beside it (`<name>.export.<ext>`), listed with it rather than as runs. */
  readonly exports: ReadonlyArray<string>;
  /** The sidecar of this log's last repair, while the log is as that repair left it. */
  readonly undoableRepair: string | null;
}

export const NO_LINKS: RunLinks = {
  recovered: null,
  recoveredFrom: null,
  exports: [],
  undoableRepair: null,
};

/**
 * Whether an unfinished run in object storage still runs, judged from what the bucket shows
 * (when its log and its buffer manifest were last written) or from a buffer database on this
 * machine, and how sure that verdict is. A bucket cannot see the writing process: a run that is
 * quiet for a while (one long model call) and a crashed one look alike for some minutes.
 */
export interface Liveness {
  readonly verdict: 'running' | 'crashed';
  readonly confidence: 'high' | 'medium' | 'low';
  /** What the verdict rests on, in words: "buffer manifest written 3 min ago". */
  readonly evidence: string;
}

/** One named score of a run. */
export interface RunScore {
  readonly name: string;
  readonly value: number;
}

/** One run as `salvage ls` and the runs table show it. */
export interface RunRow {
  /** Relative to the listed folder. */
  readonly path: string;
  /** The log's absolute path, for opening it. */
  readonly location: string;
  readonly format: RunFormat;
  readonly task: string | null;
  readonly model: string | null;
  /** null only when the log cannot be read at all (see `problem`). */
  readonly status: RunStatus | null;
  /** Where a crashed run can be recovered from; null for finished, running or unrecoverable runs. */
  readonly recovery: RecoverySource | null;
  readonly samples: { readonly completed: number; readonly total: number | null };
  /** When the eval was created (eval.created), ISO 8601. */
  readonly created: string | null;
  /** The headline score: the first metric of the first scorer (Inspect), the mean reward (verifiers). */
  readonly score: number | null;
  /**
   * Every score of the run by name, the headline first: `metric` for a run with one scorer,
   * `scorer/metric` with several (Inspect); `reward` and each named reward function (verifiers).
   */
  readonly scores: ReadonlyArray<RunScore>;
  /** Samples that ended in an error. */
  readonly errors: number;
  /** What the run cost, in the provider's currency, when the log records it. */
  readonly cost: number | null;
  /** The eval's tags. */
  readonly tags: ReadonlyArray<string>;
  /** Tokens the run used (all models), when the log records them. */
  readonly tokens: number | null;
  /** Wall-clock seconds from start to end, when the log records both. */
  readonly duration: number | null;
  readonly size: number;
  /** Last modification of the file, ISO 8601. */
  readonly modified: string;
  readonly problem: RunProblem | null;
  /** Outputs of this run and its source, as the listing found them beside it. */
  readonly links: RunLinks;
  /** For an unfinished run in object storage: running or crashed, and how sure (see Liveness). */
  readonly liveness?: Liveness;
}
