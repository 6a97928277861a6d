import { isJsonObject, type JsonObject, type JsonValue } from '../json/inspectJson.ts';
import { scalarText } from '../../model/log.ts';
import { setOwn } from '../../util/records.ts';

/**
 * The shapes a verifiers rollout line has had (from verifiers' own source):
 * - `id`: 0.1.3 to 0.1.5, `results.jsonl` written at the end with `Dataset.to_json`. Its `id` column
 *   is `row // rollouts_per_example`, but the rows are in rollout-major order (the dataset was
 *   repeated whole, `inputs.repeat(r)`), so with more than one rollout per example `id` does not
 *   name the example: row i is example `i % num_examples`.
 * - `example_id`: 0.1.6 on, the example index from the rollout's state; rows appended per group
 *   from 0.1.10.
 * - `trace`: v1 before episodes (June to July 2026), one trace per line (`nodes`, `rewards`,
 *   `metrics`, `timing`, `ok`, `errors`), in `results.jsonl` then `traces.jsonl`.
 * - `episode`: v1 from late July 2026, one episode per line (`id`, `env`, `task`, `ok`, `errors`,
 *   `traces[]`).
 */
export type VerifiersLayout = 'id' | 'example_id' | 'trace' | 'episode';

export function verifiersLayout(record: JsonValue | undefined): VerifiersLayout | null {
  if (!isJsonObject(record)) return null;
  if (Array.isArray(record.traces) && !('nodes' in record)) return 'episode';
  if (Array.isArray(record.nodes) || (isJsonObject(record.timing) && isJsonObject(record.agent)))
    return 'trace';
  if ('example_id' in record) return 'example_id';
  if ('id' in record) return 'id';
  return null;
}

/** The v1 traces of a line: an episode's, or the line itself when it is a bare trace. */
export function tracesOf(record: JsonObject): JsonObject[] {
  if (Array.isArray(record.traces)) return (record.traces as JsonValue[]).filter(isJsonObject);
  return verifiersLayout(record) === 'trace' ? [record] : [];
}

/** How the runs's rows are counted into samples: examples and rollouts per example, when known. */
export interface RolloutPlan {
  readonly examples: number | null;
  readonly rolloutsPerExample: number | null;
}

/**
 * The sample a rollout belongs to (its example), so that the rollouts of one example are the
 * epochs of one sample in every layout. `ordinal` is the rollout's position among the log's
 * records (0-based).
 */
export function sampleIdOf(
  record: JsonValue | undefined,
  ordinal: number,
  plan: RolloutPlan,
): string {
  if (!isJsonObject(record)) return String(ordinal);
  switch (verifiersLayout(record)) {
    case 'example_id':
      return scalarText(record.example_id);
    case 'id': {
      const { examples, rolloutsPerExample } = plan;
      if (
        rolloutsPerExample !== null &&
        rolloutsPerExample > 1 &&
        examples !== null &&
        examples > 0
      )
        return String(ordinal % examples);
      return scalarText(record.id);
    }
    case 'trace':
    case 'episode': {
      const task = isJsonObject(record.task) ? record.task : {};
      const data = isJsonObject(task.data) ? task.data : {};
      for (const value of [data.idx, task.key, task.hash, data.name]) {
        if (value !== undefined && value !== null) return scalarText(value);
      }
      return typeof record.id === 'string' ? record.id : String(ordinal);
    }
    default:
      return String(ordinal);
  }
}

/** A trace's reward: its named rewards summed, each its score times its weight (v1). */
function traceReward(trace: JsonObject): number | null {
  if (!isJsonObject(trace.rewards)) return typeof trace.reward === 'number' ? trace.reward : null;
  let total = 0;
  let found = false;
  for (const reward of Object.values(trace.rewards)) {
    // Early v1 stored the weighted contribution; later ones {score, weight}; null: not scored.
    if (typeof reward === 'number') {
      total += reward;
      found = true;
    } else if (isJsonObject(reward) && typeof reward.score === 'number') {
      total += reward.score * (typeof reward.weight === 'number' ? reward.weight : 1);
      found = true;
    }
  }
  return found ? total : null;
}

/**
 * A rollout's reward: the row's `reward`, or (v1) the mean reward of its scored traces (agents
 * that are not trained, such as a judge, carry no rewards).
 */
export function rolloutReward(record: JsonObject): number | null {
  const traces = tracesOf(record);
  if (traces.length === 0)
    return typeof record.reward === 'number' && Number.isFinite(record.reward)
      ? record.reward
      : null;
  const rewards = traces
    .filter((trace) => trace.trainable !== false)
    .map(traceReward)
    .filter((reward): reward is number => reward !== null && Number.isFinite(reward));
  return rewards.length === 0 ? null : rewards.reduce((a, b) => a + b, 0) / rewards.length;
}

/** Whether a rollout completed without error: a v1 episode's `ok`; a legacy row without `error`. */
export function rolloutOk(record: JsonObject): boolean {
  const layout = verifiersLayout(record);
  if (layout === 'episode' || layout === 'trace') return record.ok === true;
  return record.error === undefined || record.error === null;
}

/** Why a rollout failed, in a line, or null. */
export function rolloutError(record: JsonObject): string | null {
  if (rolloutOk(record)) return null;
  const errors = [
    ...(Array.isArray(record.errors) ? (record.errors as JsonValue[]) : []),
    ...tracesOf(record).flatMap((trace) =>
      Array.isArray(trace.errors) ? (trace.errors as JsonValue[]) : [],
    ),
  ];
  const last = errors.at(-1);
  if (isJsonObject(last))
    return [last.type, last.message].filter((part) => typeof part === 'string').join(': ');
  const error = record.error;
  if (typeof error === 'string') return error;
  if (isJsonObject(error)) {
    for (const key of ['error', 'error_chain_repr', 'message']) {
      if (typeof error[key] === 'string') return error[key];
    }
  }
  return 'failed';
}

/** Tokens a rollout used: a legacy row's `token_usage`, or (v1) its traces' model calls and judges. */
export function rolloutTokens(record: JsonObject): number | null {
  const usage = record.token_usage;
  if (isJsonObject(usage)) return usageTotal(usage);
  let total = 0;
  let found = false;
  for (const trace of tracesOf(record)) {
    const calls = Array.isArray(trace.calls) ? (trace.calls as JsonValue[]) : [];
    const extra = Array.isArray(trace.extra_usage) ? (trace.extra_usage as JsonValue[]) : [];
    for (const item of [
      ...calls.map((call) => (isJsonObject(call) ? call.usage : undefined)),
      ...extra,
    ]) {
      const tokens = isJsonObject(item) ? usageTotal(item) : null;
      if (tokens !== null) {
        total += tokens;
        found = true;
      }
    }
  }
  return found ? total : null;
}

/** Total tokens of a usage object in the spellings verifiers and OpenAI-style clients use. */
export function usageTotal(usage: JsonObject): number | null {
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  const number = (value: JsonValue | undefined) => (typeof value === 'number' ? value : null);
  const input = number(usage.input_tokens) ?? number(usage.prompt_tokens);
  const output = number(usage.output_tokens) ?? number(usage.completion_tokens);
  if (input === null || output === null) return null;
  // v1 counts cache reads apart from `prompt_tokens`.
  const cached = usage.input_tokens === undefined ? (number(usage.cached_input_tokens) ?? 0) : 0;
  return input + cached + output;
}

/**
 * When a rollout ran, in Unix seconds: legacy rows' `timing.start_time` (0.1.8 on) and its end
 * (`total_ms` later, phase spans from 0.1.14); v1 traces' `timing.start` and their phases' ends.
 */
export function rolloutTimes(record: JsonObject): { start: number | null; end: number | null } {
  const timings = [
    record.timing,
    ...tracesOf(record)
      .filter((trace) => trace !== record)
      .map((trace) => trace.timing),
  ].filter(isJsonObject);
  let start: number | null = null;
  let end: number | null = null;
  for (const timing of timings) {
    const begun = timing.start_time ?? timing.start;
    if (typeof begun === 'number' && begun > 0) {
      start = start === null ? begun : Math.min(start, begun);
      if (typeof timing.total_ms === 'number')
        end = Math.max(end ?? 0, begun + timing.total_ms / 1000);
    }
    const latest = latestEnd(timing, 0);
    if (latest !== null) end = Math.max(end ?? 0, latest);
  }
  return { start, end };
}

/** The largest `end` timestamp in a timing object's spans (two levels down is enough). */
function latestEnd(value: JsonValue, depth: number): number | null {
  if (!isJsonObject(value) && !Array.isArray(value)) return null;
  let latest: number | null = null;
  const children = isJsonObject(value) ? Object.entries(value) : (value as JsonValue[]).entries();
  for (const [key, child] of children) {
    if (key === 'end' && typeof child === 'number' && child > 0)
      latest = Math.max(latest ?? 0, child);
    else if (depth < 3 && typeof child === 'object' && child !== null) {
      const inner = latestEnd(child, depth + 1);
      if (inner !== null) latest = Math.max(latest ?? 0, inner);
    }
  }
  return latest;
}

/** A rollout's named scores: a legacy row's `metrics`, or (v1) its first trace's rewards (scores) and metrics. */
export function rolloutMetrics(record: JsonObject): Record<string, number> {
  const metrics: Record<string, number> = {};
  const take = (values: JsonValue | undefined, scoreOf: (value: JsonValue) => JsonValue) => {
    if (!isJsonObject(values)) return;
    for (const [name, value] of Object.entries(values)) {
      const score = scoreOf(value);
      if (typeof score === 'number' && Number.isFinite(score)) setOwn(metrics, name, score);
    }
  };
  const trace = tracesOf(record)[0];
  if (trace) {
    take(trace.rewards, (value) => (isJsonObject(value) ? (value.score ?? null) : value));
    take(trace.metrics, (value) => value);
  } else take(record.metrics, (value) => value);
  return metrics;
}

/** The environment a v1 episode names (`env.id`), if any. */
export function rolloutEnvironment(record: JsonObject): string | null {
  const env = record.env;
  return isJsonObject(env) && typeof env.id === 'string' && env.id !== '' ? env.id : null;
}

/** The model a v1 trace's agent ran, if it says. */
export function rolloutModel(record: JsonObject): string | null {
  for (const trace of tracesOf(record)) {
    const agent = isJsonObject(trace.agent) ? trace.agent : {};
    const config = isJsonObject(agent.config) ? agent.config : {};
    if (typeof config.model === 'string') return config.model;
    const calls = Array.isArray(trace.calls) ? (trace.calls as JsonValue[]) : [];
    const call = calls.find((item) => isJsonObject(item) && typeof item.model === 'string');
    if (isJsonObject(call)) return call.model as string;
  }
  return null;
}

/**
 * A rollout's conversation: a legacy row's prompt then completion; a v1 trace's last branch (the
 * path from the root to the last leaf of its message graph), for each trace of an episode.
 */
export function rolloutMessages(record: JsonObject): JsonValue[] {
  const traces = tracesOf(record);
  if (traces.length === 0)
    return [...asMessages(record.prompt, 'user'), ...asMessages(record.completion, 'assistant')];
  return traces.flatMap((trace) => lastBranch(trace));
}

function lastBranch(trace: JsonObject): JsonValue[] {
  const nodes = Array.isArray(trace.nodes) ? (trace.nodes as JsonValue[]) : [];
  if (nodes.length === 0)
    return Array.isArray(trace.messages) ? (trace.messages as JsonValue[]) : [];
  const parents = new Set<number>();
  for (const node of nodes) {
    if (isJsonObject(node) && typeof node.parent === 'number') parents.add(node.parent);
  }
  let leaf = -1;
  for (let index = nodes.length - 1; index >= 0 && leaf === -1; index--) {
    if (!parents.has(index)) leaf = index;
  }
  const path: JsonValue[] = [];
  const seen = new Set<number>();
  for (let at: number | null = leaf; at !== null && at >= 0 && !seen.has(at);) {
    seen.add(at);
    const node: JsonValue | undefined = nodes[at];
    if (!isJsonObject(node)) break;
    if (node.message !== undefined) path.push(node.message);
    at = typeof node.parent === 'number' ? node.parent : null;
  }
  return path.reverse();
}

/** The text a rollout was asked: the last user message of a legacy prompt, or a v1 task's prompt. */
export function rolloutInput(record: JsonObject): string {
  const traces = tracesOf(record);
  if (traces.length === 0) return lastUserText(record.prompt);
  const task = isJsonObject(record.task)
    ? record.task
    : isJsonObject(traces[0]!.task)
      ? traces[0]!.task
      : {};
  const data = isJsonObject(task.data) ? task.data : {};
  return lastUserText(data.prompt) || lastUserText(rolloutMessages(record));
}

/** What a rollout should have answered, when the log says. */
export function rolloutTarget(record: JsonObject): JsonValue {
  if (record.answer !== undefined) return record.answer;
  const task = isJsonObject(record.task) ? record.task : {};
  const data = isJsonObject(task.data) ? task.data : {};
  return data.answer ?? '';
}

/** A rollout's own metadata for the sample view: `info`, and what else a row carries besides its messages. */
export function rolloutInfo(record: JsonObject): JsonObject {
  const metrics = rolloutMetrics(record);
  return {
    ...(isJsonObject(record.info) ? record.info : {}),
    ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
    ...(isJsonObject(record.timing) ? { timing: record.timing } : {}),
    ...(typeof record.stop_condition === 'string' ? { stop_condition: record.stop_condition } : {}),
  };
}

/**
 * What the model answered (verifiers keeps no parsed answer; its parser runs inside the reward
 * functions): the last text an assistant message gave, or, for an agent whose turns are all tool
 * calls, its last call as `name(arguments)`.
 */
export function rolloutAnswer(messages: ReadonlyArray<JsonValue>): string {
  let lastCall = '';
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (!isJsonObject(message) || message.role !== 'assistant') continue;
    const text = contentText(message.content).trim();
    if (text) return text;
    if (!lastCall && Array.isArray(message.tool_calls))
      lastCall = toolCallText((message.tool_calls as JsonValue[]).at(-1));
  }
  return lastCall;
}

/** A tool call as `name(arguments)`; legacy rows hold each call as a JSON string. */
function toolCallText(call: JsonValue | undefined): string {
  let value = call;
  if (typeof call === 'string') {
    try {
      value = JSON.parse(call) as JsonValue;
    } catch {
      return call;
    }
  }
  if (!isJsonObject(value)) return '';
  const fn = isJsonObject(value.function) ? value.function : value;
  const name = typeof fn.name === 'string' ? fn.name : '';
  const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
  return name ? `${name}(${args})` : '';
}

/** What names a rollout and what it was asked, in Inspect's fields. */
function rolloutTask(record: JsonObject, id: string, epoch: number): JsonObject {
  return { id, epoch, input: rolloutInput(record), target: rolloutTarget(record) };
}

/** A rollout's reward as an Inspect score, with what the model answered beside it; null when unscored. */
function rolloutScore(record: JsonObject, messages: ReadonlyArray<JsonValue>): JsonObject | null {
  const reward = rolloutReward(record);
  return reward === null ? null : { value: reward, answer: rolloutAnswer(messages) };
}

/** A rollout's tokens and time in Inspect's fields (`model_usage`, `total_time`), where known. */
function rolloutUsage(record: JsonObject): JsonObject {
  const tokens = rolloutTokens(record);
  const { start, end } = rolloutTimes(record);
  return {
    ...(tokens !== null
      ? { model_usage: { [rolloutModel(record) ?? 'model']: { total_tokens: tokens } } }
      : {}),
    ...(start !== null && end !== null && end >= start ? { total_time: end - start } : {}),
  };
}

/**
 * A rollout's row in the sample grid, in the shape of Inspect's `EvalSampleSummary`: input,
 * target, the reward as a score with the answer beside it, tokens, time and error.
 */
export function rolloutSummary(record: JsonObject, id: string, epoch: number): JsonObject {
  const score = rolloutScore(record, rolloutMessages(record));
  const error = rolloutError(record);
  return {
    ...rolloutTask(record, id, epoch),
    scores: score !== null ? { reward: score } : {},
    metadata: isJsonObject(record.info) ? record.info : {},
    ...rolloutUsage(record),
    completed: true,
    ...(error !== null ? { error } : {}),
  };
}

/**
 * A rollout as a sample (Inspect's shape): what the sample view and the search index read of it,
 * with the line itself as `raw`.
 */
export function rolloutSample(record: JsonObject, id: string, epoch: number): JsonObject {
  const messages = rolloutMessages(record);
  const score = rolloutScore(record, messages);
  const error = rolloutError(record);
  return {
    ...rolloutTask(record, id, epoch),
    messages,
    scores: score !== null ? { reward: { ...score, history: [] } } : {},
    metadata: rolloutInfo(record),
    ...rolloutUsage(record),
    events: [],
    ...(error !== null ? { error: { message: error, traceback: '' } } : {}),
    raw: record,
  };
}

/** Chat messages as written, or a completion-style string as one message of `role`. */
export function asMessages(value: JsonValue | undefined, role = 'user'): JsonValue[] {
  if (Array.isArray(value)) return value as JsonValue[];
  return typeof value === 'string' ? [{ role, content: value }] : [];
}

function lastUserText(value: JsonValue | undefined): string {
  const messages = asMessages(value);
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (isJsonObject(message) && message.role === 'user') return contentText(message.content);
  }
  return typeof value === 'string' ? value : '';
}

/** Message content as text: a string, or the text of its parts. */
export function contentText(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as JsonValue[])
    .map((part) => (isJsonObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}
