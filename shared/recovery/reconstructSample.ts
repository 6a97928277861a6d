import { isJsonObject, type JsonObject, type JsonValue } from '../formats/json/inspectJson.ts';
import { resolveSample } from '../formats/inspect-eval/sampleResolve.ts';
import { collapseEvents } from './collapseEvents.ts';
import { setOwn } from '../util/records.ts';
import type { BufferedSample, BufferedSampleData } from './sampleBuffer.ts';

export interface ReconstructOptions {
  /** The sample was still running at the crash: it gets Inspect's CancelledError. */
  readonly inProgress: boolean;
  /** Keep the transcript (events); false drops it to keep the output small. */
  readonly includeEvents: boolean;
  /** The eval's sandbox, for samples whose init event names none (as Inspect's filestore path). */
  readonly evalSandbox?: JsonValue;
  /** A fresh sample uuid, for summaries that lack one. */
  readonly newUuid: () => string;
}

/** The error Inspect gives samples that were still running when the eval crashed. */
export const CANCELLED_ERROR: JsonObject = {
  message: 'CancelledError()',
  traceback: 'CancelledError: recovered from crashed eval\n',
  traceback_ansi: 'CancelledError: recovered from crashed eval\n',
};

/** Summary fields a rebuilt sample takes as they are (`reconstruct_eval_sample`). */
const FROM_SUMMARY = [
  'model_fallbacks',
  'turn_count',
  'token_limit',
  'token_limit_type',
  'token_limit_usage',
  'started_at',
  'completed_at',
  'total_time',
  'working_time',
] as const;

/**
 * Rebuild an EvalSample from what the buffer kept, as Inspect's recovery does (§4c of
 * docs/formats/inspect.md, `_reconstruct.py` and `_stream.py`): events collapsed by event_id,
 * pools and attachments resolved, messages and output built from the model events of the first
 * model role only (an in-progress sample with no model call yet has `messages: []` and an empty
 * output), metadata from the fullest source, scores, usage, times and turn count from the summary.
 *
 * Sandbox, files, setup and limit come from the sample's init and limit events for both buffer
 * kinds, as Inspect's filestore path fills them (its database path leaves them out).
 *
 * Returns the sample and the buffer's summary, attachments resolved.
 */
export function reconstructSample(
  buffered: BufferedSample,
  data: BufferedSampleData,
  options: ReconstructOptions,
): { readonly sample: JsonObject; readonly summary: JsonObject } {
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
  const { messages, output } = conversationOf(events);

  const sample: Record<string, JsonValue> = {
    id: summary.id ?? null,
    epoch: summary.epoch ?? 1,
    input: summary.input ?? initSample?.input ?? '',
  };
  if (present(summary.choices)) sample.choices = summary.choices;
  sample.target = summary.target ?? initSample?.target ?? '';
  const sandbox = present(initSample?.sandbox) ? initSample.sandbox : options.evalSandbox;
  if (present(sandbox)) sample.sandbox = sandbox;
  // EvalSample.files lists the names of the files the dataset sample mapped (Sample.files).
  if (isJsonObject(initSample?.files) && Object.keys(initSample.files).length > 0)
    sample.files = Object.keys(initSample.files);
  if (present(initSample?.setup)) sample.setup = initSample.setup;
  sample.messages = messages;
  sample.output = output;
  if (isJsonObject(summary.scores)) sample.scores = withHistory(summary.scores);
  sample.metadata =
    buffered.metadata ??
    (isJsonObject(initSample?.metadata) ? initSample.metadata : undefined) ??
    summary.metadata ??
    {};
  sample.store = {};
  sample.events = options.includeEvents ? events : [];
  sample.model_usage = summary.model_usage ?? {};
  sample.role_usage = summary.role_usage ?? {};
  for (const key of FROM_SUMMARY) {
    if (present(summary[key])) sample[key] = summary[key];
  }
  sample.uuid = typeof summary.uuid === 'string' ? summary.uuid : options.newUuid();
  if (options.inProgress) {
    sample.error = CANCELLED_ERROR;
  } else if (typeof summary.error === 'string') {
    // The summary keeps only the message; Inspect writes it, plus a newline, as the traceback.
    const traceback = `${summary.error}\n`;
    sample.error = { message: summary.error, traceback, traceback_ansi: traceback };
  }
  const limit = events.filter((event) => event.event === 'sample_limit').at(-1);
  if (limit && present(limit.limit))
    sample.limit = { type: limit.type ?? null, limit: limit.limit };
  sample.attachments = {};
  return { sample, summary };
}

/** Not absent: Inspect omits None fields, so null and undefined both mean "not there". */
function present<T extends JsonValue>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** `ModelOutput()`: what Inspect writes as the output of a sample with no model call. */
function emptyOutput(): JsonObject {
  return { model: '', choices: [], completion: '' };
}

/**
 * The conversation and output of a sample from its (pool-resolved) events, as Inspect's
 * `MessageAccumulator` builds them: only the model events of the first model role count (a
 * grader's or a second agent's calls do not); the conversation is the last such call's input plus
 * its answer, with what `summary` and `trim` compactions dropped from earlier calls kept in front.
 */
export function conversationOf(events: ReadonlyArray<JsonObject>): {
  messages: JsonValue[];
  output: JsonObject;
} {
  const merged: JsonValue[] = [];
  let last: JsonObject | null = null;
  let pendingTrim: ReadonlyArray<JsonValue> | null = null;
  let output = emptyOutput();
  let primaryRole: JsonValue = null;
  let primarySet = false;
  let lastRole: JsonValue = null;
  for (const event of events) {
    if (event.event === 'model') {
      const role = event.role ?? null;
      if (!primarySet) {
        primaryRole = role;
        primarySet = true;
      }
      lastRole = role;
      if (role !== primaryRole) continue;
      if (pendingTrim !== null) {
        merged.push(...trimmedPrefix(pendingTrim, inputOf(event)));
        pendingTrim = null;
      }
      last = event;
      output = isJsonObject(event.output) ? event.output : emptyOutput();
    } else if (event.event === 'compaction') {
      // Compactions of logs older than CompactionEvent.role belong to the latest model call's role.
      const role = event.role ?? lastRole;
      if (role !== primaryRole) continue;
      if (event.type === 'summary') {
        if (last) merged.push(...callMessages(last));
        last = null;
      } else if (event.type === 'trim') {
        if (last) pendingTrim = inputOf(last);
        last = null;
      }
    }
  }
  if (last) merged.push(...callMessages(last));
  return { messages: merged, output };
}

function inputOf(call: JsonObject): ReadonlyArray<JsonValue> {
  return Array.isArray(call.input) ? (call.input as ReadonlyArray<JsonValue>) : [];
}

/** A model call's input plus its first choice's message. */
function callMessages(call: JsonObject): JsonValue[] {
  const messages = [...inputOf(call)];
  const output = isJsonObject(call.output) ? call.output : undefined;
  const first = Array.isArray(output?.choices) ? (output.choices as JsonValue[])[0] : undefined;
  if (isJsonObject(first) && isJsonObject(first.message)) messages.push(first.message);
  return messages;
}

/** The messages a trim dropped: those before the first message of the next input (by id, else by role and text). */
function trimmedPrefix(
  before: ReadonlyArray<JsonValue>,
  after: ReadonlyArray<JsonValue>,
): JsonValue[] {
  const first = after[0];
  if (!isJsonObject(first) || before.length === 0) return [];
  if (typeof first.id === 'string') {
    const index = before.findIndex((message) => isJsonObject(message) && message.id === first.id);
    if (index >= 0) return before.slice(0, index);
  }
  const text = messageText(first);
  const index = before.findIndex(
    (message) =>
      isJsonObject(message) && message.role === first.role && messageText(message) === text,
  );
  return index >= 0 ? before.slice(0, index) : [];
}

/** ChatMessage.text: the content string, or its text parts joined by newlines. */
function messageText(message: JsonObject): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return (message.content as JsonValue[])
    .filter((part) => isJsonObject(part) && part.type === 'text')
    .map((part) => (isJsonObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

/** Scores as EvalSample requires them: every score with a `history` (summaries may omit it). */
function withHistory(scores: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [name, score] of Object.entries(scores)) {
    setOwn(
      out,
      name,
      isJsonObject(score) && score.history === undefined ? { ...score, history: [] } : score,
    );
  }
  return out;
}
