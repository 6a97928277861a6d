import { isJsonObject, type JsonObject, type JsonValue } from '../json/inspectJson.ts';
import type { EvalStatus } from '../../model/log.ts';
import { codexLine, environmentCwd } from './codexRecords.ts';
import {
  rolloutEnvironment,
  rolloutMetrics,
  rolloutModel,
  rolloutOk,
  rolloutReward,
  rolloutTimes,
  rolloutTokens,
  sampleIdOf,
  usageTotal,
  verifiersLayout,
  type RolloutPlan,
  type VerifiersLayout,
} from './verifiersRecords.ts';
import { getOwn, setOwn } from '../../util/records.ts';
import { isoOfMillis } from '../../util/instants.ts';

/**
 * The facts of a verifiers run or a Codex session, read one way for every caller: the runs list
 * (`electron/node/logs/jsonlRuns.ts`, folding a growing log from where it last stopped) and the
 * run reader (`shared/formats/jsonl/jsonlRunReader.ts`, whose header the run view and `salvage
 * info` show) both fold the log's records into a `JsonlTally` and call `jsonlRunFacts`.
 */

export type JsonlKind = 'verifiers' | 'codex';

/** What a pass over a run's records gathers. Plain JSON: the runs digest stores it to resume from. */
export interface JsonlTally {
  /** Complete records folded (a last record missing only its newline included). */
  records: number;
  /** Verifiers: the rows' layout (of the first row that has one). */
  layout: VerifiersLayout | null;
  /** Rollouts that completed without error (v1 `ok`; every legacy row). */
  done: number;
  /** Rollouts that errored. */
  errored: number;
  rewardSum: number;
  rewarded: number;
  /** Tokens summed over the records that report them, and how many did. */
  tokens: number;
  tokenRecords: number;
  /** Earliest start and latest end of a rollout, Unix seconds. */
  firstStart: number | null;
  lastEnd: number | null;
  /** Per named score: [sum, count] (at most MAX_METRICS names). */
  metrics: Record<string, [number, number]>;
  /** v1: completed rollouts per sample (at most MAX_GROUPS samples; null beyond). */
  groups: Record<string, number> | null;
  /** v1 episodes' environment and agent model; Codex: the session's model and folder. */
  environment: string | null;
  model: string | null;
  cwd: string | null;
  /** Codex: the first and last timestamps, the messages, the last token count. */
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  messages: number;
  codexTokens: number | null;
}

const MAX_METRICS = 32;
const MAX_GROUPS = 100_000;

export function emptyTally(): JsonlTally {
  return {
    records: 0,
    layout: null,
    done: 0,
    errored: 0,
    rewardSum: 0,
    rewarded: 0,
    tokens: 0,
    tokenRecords: 0,
    firstStart: null,
    lastEnd: null,
    metrics: {},
    groups: {},
    environment: null,
    model: null,
    cwd: null,
    firstTimestamp: null,
    lastTimestamp: null,
    messages: 0,
    codexTokens: null,
  };
}

/** Fold the next record of the log (in file order) into the tally. */
export function foldRecord(kind: JsonlKind, tally: JsonlTally, record: JsonValue): void {
  if (kind === 'verifiers') foldVerifiers(tally, record);
  else foldCodex(tally, record);
}

function foldVerifiers(tally: JsonlTally, record: JsonValue): void {
  const ordinal = tally.records;
  tally.records += 1;
  if (!isJsonObject(record)) return;
  const layout = verifiersLayout(record);
  tally.layout ??= layout;
  const v1 = layout === 'episode' || layout === 'trace';
  const ok = !v1 || rolloutOk(record);
  if (ok) tally.done += 1;
  else tally.errored += 1;
  const reward = rolloutReward(record);
  if (reward !== null && (ok || !v1)) {
    // verifiers' own average counts every legacy row; v1's dashboard, the non-errored ones.
    tally.rewardSum += reward;
    tally.rewarded += 1;
  }
  const tokens = rolloutTokens(record);
  if (tokens !== null) {
    tally.tokens += tokens;
    tally.tokenRecords += 1;
  }
  const { start, end } = rolloutTimes(record);
  if (start !== null) tally.firstStart = Math.min(tally.firstStart ?? start, start);
  if (end !== null) tally.lastEnd = Math.max(tally.lastEnd ?? end, end);
  for (const [name, value] of Object.entries(rolloutMetrics(record))) {
    const entry = getOwn(tally.metrics, name);
    if (entry) {
      entry[0] += value;
      entry[1] += 1;
    } else if (Object.keys(tally.metrics).length < MAX_METRICS)
      setOwn(tally.metrics, name, [value, 1]);
  }
  if (v1) {
    tally.environment ??= rolloutEnvironment(record);
    tally.model ??= rolloutModel(record);
    if (ok && tally.groups) {
      const id = sampleIdOf(record, ordinal, { examples: null, rolloutsPerExample: null });
      if (Object.hasOwn(tally.groups, id) || Object.keys(tally.groups).length < MAX_GROUPS)
        setOwn(tally.groups, id, (getOwn(tally.groups, id) ?? 0) + 1);
      else tally.groups = null;
    }
  }
}

function foldCodex(tally: JsonlTally, record: JsonValue): void {
  const line = codexLine(record, tally.records);
  tally.records += 1;
  if (line.timestamp !== null) {
    tally.firstTimestamp ??= line.timestamp;
    tally.lastTimestamp = line.timestamp;
  }
  switch (line.kind) {
    case 'meta':
      if (typeof line.meta.cwd === 'string') tally.cwd ??= line.meta.cwd;
      if (typeof line.meta.model === 'string') tally.model = line.meta.model;
      break;
    case 'context':
      // The model of the latest turn: a session can switch models, and resumes with the last.
      if (typeof line.context.model === 'string') tally.model = line.context.model;
      if (typeof line.context.cwd === 'string') tally.cwd ??= line.context.cwd;
      break;
    case 'item': {
      if (isCodexMessage(line.item)) tally.messages += 1;
      tally.cwd ??= environmentCwd(line.item);
      break;
    }
    case 'event': {
      const info = isJsonObject(line.event.info) ? line.event.info : undefined;
      const usage =
        info && isJsonObject(info.total_token_usage) ? info.total_token_usage : undefined;
      if (line.event.type === 'token_count' && usage) tally.codexTokens = usageTotal(usage);
      break;
    }
    default:
      break;
  }
}

function isCodexMessage(item: JsonObject): boolean {
  return [
    'message',
    'function_call',
    'function_call_output',
    'custom_tool_call',
    'custom_tool_call_output',
    'local_shell_call',
  ].includes(item.type as string);
}

/** What is known about a run besides its records: the files beside its log and its folders' names. */
export interface JsonlRunContext {
  readonly kind: JsonlKind;
  /** A verifiers run's `metadata.json` (legacy layouts). */
  readonly metadata: JsonObject | null;
  /** A verifiers v1 run's configuration: `configs/eval.json`, or an earlier `config.toml` read as JSON. */
  readonly config: JsonObject | null;
  /** The name of the folder that holds the log, and of the one above. */
  readonly folder: string;
  readonly parentFolder: string;
}

/** How the log ends: a newline, a complete record missing it, or torn bytes. */
export type TailState = 'healthy' | 'missing-newline' | 'torn';

/**
 * A run's status from what its files say: `started` (crashed: a writer died mid-record), `incomplete`
 * (fewer rollouts than planned, or no plan to compare with, and nothing torn), `error` (every
 * rollout in, some errored), `success`. Whether a writer is still alive is not in the files: the
 * runs list asks the OS and calls an unfinished run with a live writer `running`.
 */
export type JsonlStatus = 'success' | 'error' | 'started' | 'incomplete';

export interface JsonlRunFacts {
  readonly task: string | null;
  readonly model: string | null;
  readonly status: JsonlStatus;
  readonly samples: { readonly completed: number; readonly total: number | null };
  /** As the log records it: verifiers' local `date` (and clock `time`), else an ISO instant. */
  readonly created: string | null;
  /** The mean reward. */
  readonly score: number | null;
  /** The run's total tokens. */
  readonly tokens: number | null;
  /** Wall-clock seconds. */
  readonly duration: number | null;
  /** Every named score's mean, `reward` first. */
  readonly scores: ReadonlyArray<{ readonly name: string; readonly value: number }>;
  /** Codex: the session's full working folder (the task is its last part). */
  readonly cwd: string | null;
}

/** The facts of a run from its tally and context. */
export function jsonlRunFacts(
  tally: JsonlTally,
  context: JsonlRunContext,
  tail: TailState,
): JsonlRunFacts {
  return context.kind === 'codex' ? codexFacts(tally, tail) : verifiersFacts(tally, context, tail);
}

function codexFacts(tally: JsonlTally, tail: TailState): JsonlRunFacts {
  const session = tally.records > 0 ? 1 : 0;
  return {
    task: tally.cwd ? lastPathPart(tally.cwd) : null,
    model: tally.model,
    status: tail === 'torn' ? 'started' : 'success',
    // A session is one sample, however many turns it had.
    samples: { completed: session, total: session },
    created: tally.firstTimestamp,
    score: null,
    tokens: tally.codexTokens,
    // One timestamp (a legacy rollout stamps only its header) says nothing of how long it took.
    duration:
      tally.firstTimestamp === tally.lastTimestamp
        ? null
        : secondsBetweenInstants(tally.firstTimestamp, tally.lastTimestamp),
    scores: [],
    cwd: tally.cwd,
  };
}

function verifiersFacts(
  tally: JsonlTally,
  context: JsonlRunContext,
  tail: TailState,
): JsonlRunFacts {
  const metadata = context.metadata ?? {};
  const config = context.config ?? {};
  const plan = rolloutPlan(context);
  const planned =
    plan.examples !== null && plan.examples > 0
      ? plan.examples * (plan.rolloutsPerExample ?? 1)
      : null;
  const v1 = tally.layout === 'episode' || tally.layout === 'trace' || context.config !== null;
  const names = namesFromFolders(context, v1);
  const task =
    text(metadata.env_id) ??
    text(metadata.env) ??
    tally.environment ??
    configEnvironment(config) ??
    names.task;
  const model = text(metadata.model) ?? text(config.model) ?? tally.model ?? names.model;
  return {
    task,
    model,
    status: verifiersStatus(tally, tail, planned, plan.rolloutsPerExample, v1),
    samples: { completed: tally.done, total: planned },
    created: created(metadata, tally),
    score: tally.rewarded > 0 ? tally.rewardSum / tally.rewarded : number(metadata.avg_reward),
    tokens: tokens(metadata, tally),
    duration: duration(metadata, tally),
    scores: scores(tally, metadata),
    cwd: null,
  };
}

function verifiersStatus(
  tally: JsonlTally,
  tail: TailState,
  planned: number | null,
  rolloutsPerExample: number | null,
  v1: boolean,
): JsonlStatus {
  if (tail === 'torn') return 'started';
  if (planned !== null) {
    if (tally.done >= planned) return 'success';
    // Every rollout written, some errored (v1 counts them as owed: a resume redoes them).
    return tally.done + tally.errored >= planned && tally.errored > 0 ? 'error' : 'incomplete';
  }
  // No plan to compare with (no metadata.json, or a v1 run over all tasks): a v1 run whose every
  // sample has its full group of rollouts reads as finished; anything else as incomplete.
  const groups = tally.groups ? Object.values(tally.groups) : [];
  if (v1 && rolloutsPerExample !== null && groups.length > 0 && tally.errored === 0)
    return groups.every((count) => count >= rolloutsPerExample) ? 'success' : 'incomplete';
  return 'incomplete';
}

/** Examples and rollouts per example as the run planned them (metadata.json, or v1's configuration). */
export function rolloutPlan(context: JsonlRunContext): RolloutPlan {
  const metadata = context.metadata ?? {};
  const config = context.config ?? {};
  const examples =
    count(metadata.num_examples) ?? count(config.num_tasks) ?? count(config.num_examples);
  const rollouts =
    count(metadata.rollouts_per_example) ??
    count(config.num_rollouts) ??
    count(config.rollouts_per_example) ??
    (context.metadata || context.config ? 1 : null);
  return { examples, rolloutsPerExample: rollouts };
}

/** `date` as verifiers wrote it (with `time` when that is a clock time), else the first rollout's start. */
function created(metadata: JsonObject, tally: JsonlTally): string | null {
  const date = text(metadata.date);
  if (date) return typeof metadata.time === 'string' ? `${date} ${metadata.time}` : date;
  return tally.firstStart !== null ? isoOfMillis(tally.firstStart * 1000) : null;
}

/** The run's total: summed over the rollouts; else metadata's `usage`, a per-rollout mean, times the rollouts. */
function tokens(metadata: JsonObject, tally: JsonlTally): number | null {
  if (tally.tokenRecords > 0) return Math.round(tally.tokens);
  const mean = isJsonObject(metadata.usage) ? usageTotal(metadata.usage) : null;
  return mean === null || tally.records === 0 ? null : Math.round(mean * tally.records);
}

/** `time_ms` (to 0.1.13), `time` in seconds (0.1.14 on; earlier `time` is a clock time), else the rollouts' span. */
function duration(metadata: JsonObject, tally: JsonlTally): number | null {
  if (typeof metadata.time_ms === 'number') return metadata.time_ms / 1000;
  if (typeof metadata.time === 'number') return metadata.time;
  if (tally.firstStart !== null && tally.lastEnd !== null && tally.lastEnd >= tally.firstStart)
    return tally.lastEnd - tally.firstStart;
  return null;
}

function scores(tally: JsonlTally, metadata: JsonObject): Array<{ name: string; value: number }> {
  const list: Array<{ name: string; value: number }> = [];
  const reward =
    tally.rewarded > 0 ? tally.rewardSum / tally.rewarded : number(metadata.avg_reward);
  if (reward !== null) list.push({ name: 'reward', value: reward });
  for (const [name, [sum, n]] of Object.entries(tally.metrics)) {
    if (name !== 'reward' && n > 0) list.push({ name, value: sum / n });
  }
  return list;
}

/** A v1 configuration's environment: `env.id` + taskset, as verifiers names it. */
function configEnvironment(config: JsonObject): string | null {
  const env = isJsonObject(config.env) ? config.env : {};
  const taskset = isJsonObject(env.taskset)
    ? env.taskset
    : isJsonObject(config.taskset)
      ? config.taskset
      : {};
  const tasksetName = text(taskset.id) ?? text(taskset.name);
  const envId = text(env.id);
  if (envId && tasksetName) return `${envId}+${tasksetName}`;
  return envId ?? tasksetName;
}

/**
 * Task and model from the folder names verifiers gives a run: `<env>--<model>/<id>/` (legacy),
 * `<env>--<model>--<harness>/<uuid>/` (v1 to August 2026), `<env>--<model>--<harness>--<8 hex>/`
 * (v1 since); a `/` in the model is written `--`.
 */
export function namesFromFolders(
  context: Pick<JsonlRunContext, 'folder' | 'parentFolder'>,
  v1: boolean,
): { task: string | null; model: string | null } {
  const own = context.folder.split('--');
  if (own.length >= 4 && /^[0-9a-f]{8}$/.test(own.at(-1)!))
    return { task: own[0] || null, model: own.slice(1, -2).join('/') || null };
  const parent = context.parentFolder.split('--');
  if (parent.length < 2) return { task: parent[0] || null, model: null };
  const modelParts = v1 && parent.length >= 3 ? parent.slice(1, -1) : parent.slice(1);
  return { task: parent[0] || null, model: modelParts.join('/') || null };
}

/** The Inspect status a run view shows for these facts (it keeps reading a `started` run as it grows). */
export function headerStatus(status: JsonlStatus): EvalStatus {
  return status === 'incomplete' ? 'started' : status;
}

function lastPathPart(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== '');
  return parts.at(-1) ?? path;
}

/** Seconds between two ISO instants, or null unless both parse and run forwards. */
function secondsBetweenInstants(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function number(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function count(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
