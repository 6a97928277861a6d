import {
  isJsonObject,
  stringifyInspectJson,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import type { LogHeader, Sample, SampleSummary } from '../../../shared/model/log.ts';
import { renderTable } from './table.ts';

/** Longest cell text in human tables; the JSON output carries everything. */
const CELL_CHARS = 60;

export function describeSummaries(
  header: LogHeader,
  summaries: ReadonlyArray<SampleSummary>,
): string {
  const spec = isJsonObject(header.eval) ? header.eval : {};
  const lines = [
    `task:    ${text(spec.task)}`,
    `model:   ${text(spec.model)}`,
    `status:  ${text(header.status)}`,
    `created: ${text(spec.created)}`,
    `samples: ${summaries.length}`,
    '',
    renderTable(
      ['ID', 'EPOCH', 'SCORES', 'ERROR', 'INPUT'],
      summaries.map((summary) => [
        text(summary.id),
        text(summary.epoch),
        scoresText(summary.scores),
        summary.error === undefined ? '' : text(summary.error),
        text(summary.input),
      ]),
    ),
  ];
  return lines.join('\n');
}

export function describeSample(sample: Sample): string {
  const lines = [`sample ${text(sample.id)} epoch ${text(sample.epoch)}`];
  const scores = scoresText(sample.scores);
  if (scores) lines.push(`scores: ${scores}`);
  if (isJsonObject(sample.error)) lines.push(`error: ${text(sample.error.message)}`);
  lines.push('');
  const messages = Array.isArray(sample.messages)
    ? (sample.messages as ReadonlyArray<JsonValue>)
    : [];
  for (const message of messages) {
    if (!isJsonObject(message)) continue;
    lines.push(`[${text(message.role)}] ${contentText(message.content)}`);
  }
  const events = Array.isArray(sample.events) ? sample.events.length : 0;
  lines.push('', `${messages.length} messages, ${events} events (use --json for everything)`);
  return lines.join('\n');
}

function contentText(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as ReadonlyArray<JsonValue>)
    .map((part) =>
      isJsonObject(part) && typeof part.text === 'string'
        ? part.text
        : `<${isJsonObject(part) ? text(part.type) : 'part'}>`,
    )
    .join(' ');
}

function scoresText(scores: JsonValue | undefined): string {
  if (!isJsonObject(scores)) return '';
  return Object.entries(scores)
    .map(
      ([name, score]) => `${name}=${isJsonObject(score) ? stringifyInspectJson(score.value) : ''}`,
    )
    .join(' ');
}

function text(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '-';
  const raw = typeof value === 'string' ? value : stringifyInspectJson(value);
  const flat = raw.replace(/\s+/g, ' ');
  return flat.length > CELL_CHARS ? `${flat.slice(0, CELL_CHARS - 1)}…` : flat;
}
