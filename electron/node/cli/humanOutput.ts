import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import type { LogHeader, Sample, SampleSummary } from '../../../shared/model/log.ts';
import { displayText, scoreLabels } from '../../../shared/model/display.ts';
import { headerSummary } from '../../../shared/model/headerSummary.ts';
import { contentText } from '../../../shared/model/transcript.ts';
import { plannedSamples } from '../../../shared/model/runFacts.ts';
import { renderTable } from './table.ts';

/** Longest cell text in human tables; the JSON output carries everything. */
const CELL_CHARS = 60;

export function describeSummaries(
  header: LogHeader,
  summaries: ReadonlyArray<SampleSummary>,
): string {
  const summary = headerSummary(header);
  const planned = plannedSamples(isJsonObject(header.eval) ? header.eval : {});
  const lines = [
    `task:    ${summary.task ?? '-'}`,
    `model:   ${summary.model ?? '-'}`,
    `status:  ${summary.status}`,
    `created: ${summary.created ?? '-'}`,
    `samples: ${summaries.length}${planned === null ? '' : ` of ${planned} planned`}`,
    ...summary.scores.map(
      (scorer) =>
        `score:   ${scorer.scorer} ${scorer.metrics.map(({ name, value }) => `${name}=${displayText(value)}`).join(' ')}`,
    ),
    '',
    renderTable(
      ['ID', 'EPOCH', 'SCORES', 'ERROR', 'INPUT'],
      summaries.map((row) => [
        cell(row.id),
        cell(row.epoch),
        cellText(scoreLabels(row.scores).join(' ')),
        row.error === undefined ? '' : cell(row.error),
        cell(row.input),
      ]),
    ),
  ];
  return lines.join('\n');
}

export function describeSample(sample: Sample): string {
  const messages = Array.isArray(sample.messages)
    ? (sample.messages as ReadonlyArray<JsonValue>)
    : [];
  const events = Array.isArray(sample.events) ? sample.events.length : 0;
  return [
    ...sampleHeaderLines(sample),
    ...messages.filter(isJsonObject).map((message) => messageLine(message)),
    '',
    sampleFooterLine(messages.length, events),
  ].join('\n');
}

/** The sample's id, epoch, scores and error, then a blank line (from its top-level fields). */
export function sampleHeaderLines(fields: JsonObject): string[] {
  const lines = [`sample ${cell(fields.id)} epoch ${cell(fields.epoch)}`];
  const scores = scoreLabels(fields.scores).join(' ');
  if (scores) lines.push(`scores: ${scores}`);
  if (isJsonObject(fields.error)) lines.push(`error: ${cell(fields.error.message)}`);
  lines.push('');
  return lines;
}

/** `[role] text` of one message; `cut` says its text was cut short for printing. */
export function messageLine(message: JsonObject, cut = false): string {
  const text = `[${cell(message.role)}] ${contentText(message.content)}`;
  return cut ? `${text} … [cut; --json prints it whole]` : text;
}

export function sampleFooterLine(messages: number, events: number): string {
  return `${messages} messages, ${events} events (use --json for everything)`;
}

/** A value as one short line for a table cell: its display text, flattened and cut. */
function cell(value: JsonValue | undefined): string {
  return value === undefined || value === null ? '-' : cellText(displayText(value));
}

function cellText(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > CELL_CHARS ? `${flat.slice(0, CELL_CHARS - 1)}…` : flat;
}
