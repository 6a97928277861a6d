import { isJsonObject, stringifyInspectJson, type JsonValue } from '../formats/json/inspectJson.ts';
import { contentText, MAX_TEXT_NESTING } from './transcript.ts';

/**
 * Any value of a log as one text, the way people read it: strings as they are, a list of chat
 * messages or content parts by their text, other values as JSON. The one reading of "the text
 * of an input, a target, an answer" for the runs list, the run view, the sample view and the CLI.
 */
export function displayText(value: JsonValue | undefined, depth = 0): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  // Lists nested past any real message list are shown as JSON (a hostile log may nest 100,000).
  if (Array.isArray(value) && depth < MAX_TEXT_NESTING) {
    return (value as JsonValue[])
      .map((item) =>
        isJsonObject(item) && Object.hasOwn(item, 'content')
          ? contentText(item.content)
          : displayText(item, depth + 1),
      )
      .join(' ');
  }
  if (typeof value === 'object') return stringifyInspectJson(value);
  return String(value);
}

/** `scorer: value` for each score of a sample (verifiers rewards read as a `reward` scorer). */
export function scoreLabels(scores: JsonValue | undefined): string[] {
  if (!isJsonObject(scores)) return [];
  return Object.entries(scores).map(
    ([name, score]) => `${name}: ${isJsonObject(score) ? displayText(score.value) : ''}`,
  );
}
