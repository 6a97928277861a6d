import {
  isJsonObject,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../formats/json/inspectJson.ts';

/**
 * Reading a sample's transcript (its `events`) as people do: how deep each event sits in the
 * nesting of spans, and a one-line account of what it did. Shared by the sample view and the
 * Markdown export, so both tell the same story.
 */

/** How deep lists are read as text; deeper ones (only a hostile log has them) are shown as JSON. */
export const MAX_TEXT_NESTING = 64;

/** Message content as text: strings as they are, content parts by their text, others by type. */
export function contentText(content: JsonValue | undefined, depth = 0): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || depth >= MAX_TEXT_NESTING) return stringifyInspectJson(content);
  return (content as JsonValue[])
    .map((part) => {
      if (!isJsonObject(part)) return contentText(part, depth + 1);
      if (typeof part.text === 'string') return part.text;
      if (typeof part.reasoning === 'string') return `[reasoning] ${part.reasoning}`;
      return `[${contentText(part.type, depth + 1)}]`;
    })
    .join('\n');
}

/** `name(arguments)` for each tool call an assistant message makes. */
export function toolCallsText(message: JsonObject): string[] {
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as JsonValue[]) : [];
  return calls
    .filter(isJsonObject)
    .map((call) => `${contentText(call.function)}(${stringifyInspectJson(call.arguments ?? {})})`);
}

/**
 * The nesting depth of each event: Inspect's spans (`span_begin` with `id` and `parent_id`,
 * other events naming theirs in `span_id`), or the older `step` events with `action`
 * begin / end. An event outside every span is at depth 0.
 */
export function eventDepths(events: ReadonlyArray<JsonObject>): number[] {
  const spanDepth = new Map<string, number>();
  let stepDepth = 0;
  return events.map((event) => {
    if (event.event === 'span_begin' && typeof event.id === 'string') {
      const parent = typeof event.parent_id === 'string' ? spanDepth.get(event.parent_id) : -1;
      const depth = (parent ?? -1) + 1;
      spanDepth.set(event.id, depth);
      return depth;
    }
    if (event.event === 'step') {
      if (event.action === 'end') stepDepth = Math.max(0, stepDepth - 1);
      const depth = stepDepth;
      if (event.action === 'begin') stepDepth += 1;
      return depth;
    }
    if (typeof event.span_id === 'string') {
      const depth = spanDepth.get(event.span_id);
      if (depth !== undefined) return event.event === 'span_end' ? depth : depth + 1;
    }
    return stepDepth;
  });
}

/** One line (or a few) saying what an event did. */
export function eventSummary(event: JsonObject): string {
  switch (event.event) {
    case 'model': {
      const output = isJsonObject(event.output) ? event.output : {};
      const choices = Array.isArray(output.choices) ? (output.choices as JsonValue[]) : [];
      const first = choices[0];
      const message = isJsonObject(first) && isJsonObject(first.message) ? first.message : null;
      const answer = message
        ? [contentText(message.content), ...toolCallsText(message)].filter(Boolean).join('\n')
        : event.pending
          ? '(pending)'
          : '';
      const inputs = Array.isArray(event.input) ? event.input.length : 0;
      return `${contentText(event.model)} ← ${inputs} message${inputs === 1 ? '' : 's'}\n→ ${answer}`;
    }
    case 'tool': {
      const error = isJsonObject(event.error)
        ? ` [error: ${contentText(event.error.message)}]`
        : '';
      return `${contentText(event.function)}(${stringifyInspectJson(event.arguments ?? {})}) → ${contentText(event.result)}${error}`;
    }
    case 'score':
      return isJsonObject(event.score)
        ? [contentText(event.score.value), contentText(event.score.explanation)]
            .filter(Boolean)
            .join(' — ')
        : '';
    case 'error':
      return isJsonObject(event.error) ? contentText(event.error.message) : '';
    case 'sandbox': {
      const what = [contentText(event.action), contentText(event.cmd ?? event.file)]
        .filter(Boolean)
        .join(' ');
      const output = contentText(event.output).trim();
      return `${what} → ${contentText(event.result)}${output ? `\n${output}` : ''}`;
    }
    case 'span_begin':
    case 'step':
      return [contentText(event.type), contentText(event.name)].filter(Boolean).join(' ');
    case 'sample_limit':
    case 'info':
    case 'logger':
      return contentText(event.message ?? event.data);
    default:
      return '';
  }
}

/** The input messages of a model event, as `role: text` lines. */
export function modelInputText(event: JsonObject): string[] {
  const input = Array.isArray(event.input) ? (event.input as JsonValue[]) : [];
  return input
    .filter(isJsonObject)
    .map((message) =>
      [
        `${contentText(message.role)}: ${contentText(message.content)}`,
        ...toolCallsText(message),
      ].join('\n  '),
    );
}
