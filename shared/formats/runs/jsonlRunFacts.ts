import { isJsonObject, type JsonObject, type JsonValue } from '../json/inspectJson.ts';

/** What a pass over a JSONL run's records gathers for the runs table. */
export interface JsonlTally {
  records: number;
  malformed: number;
  rewardSum: number;
  rewarded: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Codex: the session's model and working folder, from turn_context / session_meta. */
  model: string | null;
  cwd: string | null;
  turns: number;
  /** Codex: tokens reported by the last token_count event. */
  tokens: number | null;
}

export function emptyTally(): JsonlTally {
  return {
    records: 0,
    malformed: 0,
    rewardSum: 0,
    rewarded: 0,
    firstTimestamp: null,
    lastTimestamp: null,
    model: null,
    cwd: null,
    turns: 0,
    tokens: null,
  };
}

/** Fold one verifiers rollout row (`results.jsonl` / v1 `traces.jsonl`) into the tally. */
export function tallyVerifiersRecord(tally: JsonlTally, record: JsonValue): void {
  tally.records += 1;
  if (!isJsonObject(record)) return;
  const reward = record.reward;
  if (typeof reward === 'number' && Number.isFinite(reward)) {
    tally.rewardSum += reward;
    tally.rewarded += 1;
  }
}

/** Fold one Codex rollout line (`{timestamp, type, payload}`) into the tally. */
export function tallyCodexRecord(tally: JsonlTally, record: JsonValue): void {
  tally.records += 1;
  if (!isJsonObject(record)) return;
  if (typeof record.timestamp === 'string') {
    tally.firstTimestamp ??= record.timestamp;
    tally.lastTimestamp = record.timestamp;
  }
  const payload: JsonObject = isJsonObject(record.payload) ? record.payload : {};
  switch (record.type) {
    case 'session_meta':
      if (typeof payload.cwd === 'string') tally.cwd ??= payload.cwd;
      break;
    case 'turn_context':
      tally.turns += 1;
      if (typeof payload.model === 'string') tally.model = payload.model;
      if (typeof payload.cwd === 'string') tally.cwd ??= payload.cwd;
      break;
    case 'event_msg': {
      const info = isJsonObject(payload.info) ? payload.info : undefined;
      const usage =
        info && isJsonObject(info.total_token_usage) ? info.total_token_usage : undefined;
      if (payload.type === 'token_count' && typeof usage?.total_tokens === 'number')
        tally.tokens = usage.total_tokens;
      break;
    }
    default:
      break;
  }
}

/** The facts a verifiers `metadata.json` gives: environment, model, planned rollouts, reward, date. */
export function verifiersMetadataFacts(metadata: JsonObject): {
  task: string | null;
  model: string | null;
  total: number | null;
  averageReward: number | null;
  created: string | null;
  tokens: number | null;
  duration: number | null;
} {
  const examples = typeof metadata.num_examples === 'number' ? metadata.num_examples : null;
  const rollouts =
    typeof metadata.rollouts_per_example === 'number' ? metadata.rollouts_per_example : 1;
  const date = typeof metadata.date === 'string' ? metadata.date : null;
  const time = typeof metadata.time === 'string' ? metadata.time : null;
  return {
    task:
      typeof metadata.env_id === 'string'
        ? metadata.env_id
        : typeof metadata.env === 'string'
          ? metadata.env
          : null,
    model: typeof metadata.model === 'string' ? metadata.model : null,
    total: examples === null ? null : examples * rollouts,
    averageReward: typeof metadata.avg_reward === 'number' ? metadata.avg_reward : null,
    tokens: usageTokens(metadata.usage),
    duration: typeof metadata.time_ms === 'number' ? metadata.time_ms / 1000 : null,
    created: date ? (time ? `${date} ${time}` : date) : null,
  };
}

/** `<env>--<model>--<harness>` or legacy `<env_id>--<model>` run-folder names (model `/` written as `--`? no: kept). */
export function factsFromRunFolderName(name: string): {
  task: string | null;
  model: string | null;
} {
  const parts = name.split('--');
  return { task: parts[0] || null, model: parts.length > 1 ? parts[1] || null : null };
}

/** Total tokens of a usage object, in the spellings OpenAI-style clients use. */
function usageTokens(usage: JsonValue | undefined): number | null {
  if (!isJsonObject(usage)) return null;
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  const input = usage.input_tokens ?? usage.prompt_tokens;
  const output = usage.output_tokens ?? usage.completion_tokens;
  return typeof input === 'number' && typeof output === 'number' ? input + output : null;
}
