import { isJsonObject, type JsonObject, type JsonValue } from '../formats/json/inspectJson.ts';
import { resolveSample } from '../formats/inspect-eval/sampleResolve.ts';
import { collapseEvents } from './collapseEvents.ts';
import type { BufferedSample, BufferedSampleData } from './sampleBuffer.ts';

export interface ReconstructOptions {
  /** The sample was still running at the crash: it gets Inspect's CancelledError. */
  readonly inProgress: boolean;
  /** Keep the transcript (events); false drops it to keep the output small. */
  readonly includeEvents: boolean;
  /** The model of the eval, for an output when no model call finished. */
  readonly model: string;
  /** A fresh sample uuid, for summaries that lack one. */
  readonly newUuid: () => string;
}

/** The error Inspect gives samples that were still running when the eval crashed. */
export const CANCELLED_ERROR: JsonObject = {
  message: 'CancelledError()',
  traceback: 'CancelledError: recovered from crashed eval\n',
  traceback_ansi: 'CancelledError: recovered from crashed eval\n',
};

/**
 * Rebuild an EvalSample from what the buffer kept, as Inspect's recovery does (§4c of
 * docs/formats/inspect.md): events collapsed by event_id, pools and attachments resolved,
 * messages and output taken from the model calls of the first model role, metadata from the
 * fullest source, scores, usage and times from the summary.
 */
export function reconstructSample(
  buffered: BufferedSample,
  data: BufferedSampleData,
  options: ReconstructOptions,
): JsonObject {
  const resolved = resolveSample({
    summary: buffered.summary,
    events: collapseEvents(data.events),
    events_data: { messages: [...data.messagePool], calls: [...data.callPool] },
    attachments: data.attachments,
  });
  const summary = resolved.summary as JsonObject;
  const events = (resolved.events as JsonObject[]).filter(isJsonObject);

  const init = events.find((event) => event.event === 'sample_init');
  const initSample = init && isJsonObject(init.sample) ? init.sample : undefined;
  const conversation = conversationOfFirstRole(events);
  const lastCall = conversation.at(-1);
  const output = lastCall && isJsonObject(lastCall.output) ? lastCall.output : undefined;

  const sample: Record<string, JsonValue> = {
    id: summary.id ?? null,
    epoch: summary.epoch ?? 1,
    input: summary.input ?? initSample?.input ?? '',
  };
  if (summary.choices !== undefined) sample.choices = summary.choices;
  sample.target = summary.target ?? initSample?.target ?? '';
  for (const key of ['sandbox', 'files', 'setup'] as const) {
    if (initSample?.[key] !== undefined && initSample[key] !== null) sample[key] = initSample[key];
  }
  sample.messages = messagesOf(lastCall, init);
  sample.output = output ?? { model: options.model, choices: [], completion: '' };
  if (!options.inProgress && isJsonObject(summary.scores))
    sample.scores = withHistory(summary.scores);
  sample.metadata =
    buffered.metadata ??
    (isJsonObject(initSample?.metadata) ? initSample.metadata : undefined) ??
    summary.metadata ??
    {};
  sample.store = {};
  sample.events = options.includeEvents ? events : [];
  sample.model_usage = summary.model_usage ?? {};
  sample.role_usage = summary.role_usage ?? {};
  for (const key of ['started_at', 'completed_at', 'total_time', 'working_time'] as const) {
    if (summary[key] !== undefined && summary[key] !== null) sample[key] = summary[key];
  }
  sample.uuid = typeof summary.uuid === 'string' ? summary.uuid : options.newUuid();
  if (options.inProgress) {
    sample.error = CANCELLED_ERROR;
  } else if (typeof summary.error === 'string') {
    sample.error = { message: summary.error, traceback: '', traceback_ansi: '' };
  }
  const limit = events.filter((event) => event.event === 'sample_limit').at(-1);
  if (limit && typeof limit.type === 'string') {
    sample.limit = { type: limit.type, limit: typeof limit.limit === 'number' ? limit.limit : 0 };
  }
  sample.attachments = {};
  return sample;
}

/** The model events of the first model role seen (the solver's conversation, not a grader's). */
function conversationOfFirstRole(events: ReadonlyArray<JsonObject>): JsonObject[] {
  const calls = events.filter((event) => event.event === 'model');
  if (calls.length === 0) return [];
  const role = calls[0]!.role ?? null;
  return calls.filter((event) => (event.role ?? null) === role);
}

/** The conversation: the last call's input plus its answer; before any call, the initial state. */
function messagesOf(lastCall: JsonObject | undefined, init: JsonObject | undefined): JsonValue[] {
  if (lastCall) {
    const input = Array.isArray(lastCall.input) ? [...(lastCall.input as JsonValue[])] : [];
    const output = isJsonObject(lastCall.output) ? lastCall.output : undefined;
    const choices = Array.isArray(output?.choices) ? (output.choices as JsonValue[]) : [];
    const first = choices[0];
    if (isJsonObject(first) && isJsonObject(first.message)) input.push(first.message);
    return input;
  }
  const state = init && isJsonObject(init.state) ? init.state : undefined;
  return Array.isArray(state?.messages) ? [...(state.messages as JsonValue[])] : [];
}

/** Scores as EvalSample requires them: every score with a `history` (summaries may omit it). */
function withHistory(scores: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [name, score] of Object.entries(scores)) {
    out[name] =
      isJsonObject(score) && score.history === undefined ? { ...score, history: [] } : score;
  }
  return out;
}
