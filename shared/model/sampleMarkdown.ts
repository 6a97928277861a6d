import {
  isJsonObject,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../formats/json/inspectJson.ts';
import { scalarText, type Sample } from './log.ts';
import { contentText, eventDepths, eventSummary, toolCallsText } from './transcript.ts';

/**
 * A sample as Markdown, for reading or pasting into a report: the export, the copy of a message
 * and the copy of a transcript all write it here, so they read alike.
 */

/** What of a sample its Markdown holds: all of it, or the transcript alone. */
export const MARKDOWN_PARTS = ['sample', 'transcript'] as const;
export type MarkdownPart = (typeof MARKDOWN_PARTS)[number];

/** A value as text: strings as they are, anything else as its JSON. */
export function plainText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : stringifyInspectJson(value);
}

/** One message: its role as a heading, its text, its tool calls. */
export function messageMarkdown(message: JsonObject): string {
  const lines = [`### ${plainText(message.role)}`, '', contentText(message.content), ''];
  for (const call of toolCallsText(message)) lines.push(`- tool call: \`${call}\``, '');
  return lines.join('\n');
}

/** The transcript as a nested list: spans indent what happens inside them. */
export function transcriptMarkdown(events: ReadonlyArray<JsonObject>): string {
  const depths = eventDepths(events);
  const lines: string[] = [];
  events.forEach((event, index) => {
    const indent = '  '.repeat(depths[index]!);
    const [first = '', ...rest] = eventSummary(event).split('\n');
    lines.push(`${indent}- **${plainText(event.event)}** ${first}`.trimEnd());
    for (const line of rest) lines.push(`${indent}  ${line}`);
  });
  return lines.join('\n');
}

function sampleTitle(sample: Sample): string {
  return `# Sample ${scalarText(sample.id)}, epoch ${plainText(sample.epoch)}`;
}

function sampleEvents(sample: Sample): JsonObject[] {
  return Array.isArray(sample.events) ? (sample.events as JsonValue[]).filter(isJsonObject) : [];
}

/** Scores, error, messages and transcript. */
export function sampleMarkdown(sample: Sample): string {
  const lines = [sampleTitle(sample), ''];
  if (isJsonObject(sample.scores)) {
    lines.push('## Scores', '');
    for (const [name, score] of Object.entries(sample.scores)) {
      if (!isJsonObject(score)) continue;
      const explanation = score.explanation ? ` — ${plainText(score.explanation)}` : '';
      lines.push(`- **${name}**: ${plainText(score.value)}${explanation}`);
    }
    lines.push('');
  }
  if (isJsonObject(sample.error)) lines.push(`**Error:** ${plainText(sample.error.message)}`, '');
  lines.push('## Messages', '');
  for (const message of Array.isArray(sample.messages) ? (sample.messages as JsonValue[]) : []) {
    if (isJsonObject(message)) lines.push(messageMarkdown(message));
  }
  const events = sampleEvents(sample);
  if (events.length > 0) lines.push('## Transcript', '', transcriptMarkdown(events), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The transcript alone, under the sample's title. */
export function sampleTranscriptMarkdown(sample: Sample): string {
  const events = sampleEvents(sample);
  const body = events.length > 0 ? transcriptMarkdown(events) : '_No transcript._';
  return `${sampleTitle(sample)} — transcript\n\n${body}\n`;
}
