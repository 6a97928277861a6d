import { useState } from 'react';
import {
  isJsonObject,
  stringifyInspectJson,
  type JsonValue,
} from '../../../../shared/formats/json/inspectJson.ts';
import type { Sample } from '../../../../shared/model/log.ts';
import { text } from '../run/RunView.tsx';
import { useStore } from '../../state/store.ts';

/** Events rendered at once; a longer transcript is paged so a huge sample never freezes the page. */
const EVENTS_PER_PAGE = 200;

/** One sample: messages, transcript of events, scores, metadata, raw JSON. */
export function SampleView({
  sample,
  error,
  onClose,
}: {
  sample: Sample | null;
  error: string | null;
  onClose: () => void;
}) {
  const [tab, setTab] = useState<'messages' | 'transcript' | 'scores' | 'metadata' | 'json'>(
    'messages',
  );
  const [page, setPage] = useState(0);
  const exportMessage = useStore((state) => state.exportMessage);
  const exportCurrentSample = useStore((state) => state.exportCurrentSample);
  if (error) return <p role="alert">{error}</p>;
  if (!sample) return <p className="muted">Loading sample…</p>;
  const messages = Array.isArray(sample.messages)
    ? (sample.messages as JsonValue[]).filter(isJsonObject)
    : [];
  const events = Array.isArray(sample.events)
    ? (sample.events as JsonValue[]).filter(isJsonObject)
    : [];
  const pages = Math.max(1, Math.ceil(events.length / EVENTS_PER_PAGE));
  return (
    <section className="sample-view" aria-label="Sample">
      <header className="run-header">
        <button type="button" onClick={onClose}>
          ← Samples
        </button>
        <h3>
          Sample {text(sample.id)} · epoch {text(sample.epoch)}
        </h3>
        <button type="button" onClick={() => void exportCurrentSample()}>
          Export Markdown
        </button>
        {exportMessage && <span role="status">{exportMessage}</span>}
        {isJsonObject(sample.error) && (
          <span className="badge badge-error">{text(sample.error.message)}</span>
        )}
      </header>
      <nav className="tabs" role="tablist">
        {(['messages', 'transcript', 'scores', 'metadata', 'json'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            onClick={() => setTab(name)}
          >
            {name}
          </button>
        ))}
      </nav>
      {tab === 'messages' && (
        <ol className="messages" aria-label="Messages">
          {messages.map((message, index) => (
            <li key={index} className={`message message-${text(message.role)}`}>
              <strong>{text(message.role)}</strong>
              <pre>{text(message.content)}</pre>
            </li>
          ))}
        </ol>
      )}
      {tab === 'transcript' && (
        <div aria-label="Transcript">
          <ol className="events">
            {events
              .slice(page * EVENTS_PER_PAGE, (page + 1) * EVENTS_PER_PAGE)
              .map((event, index) => (
                <li key={index} className={`event event-${text(event.event)}`}>
                  <strong>{text(event.event)}</strong>{' '}
                  <span className="muted">{text(event.timestamp)}</span>
                  <pre>{eventSummary(event)}</pre>
                </li>
              ))}
          </ol>
          {pages > 1 && (
            <div className="pager">
              <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span>
                page {page + 1} of {pages}
              </span>
              <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </div>
          )}
        </div>
      )}
      {tab === 'scores' && (
        <pre aria-label="Scores">{stringifyInspectJson(sample.scores ?? {}, 2)}</pre>
      )}
      {tab === 'metadata' && (
        <pre aria-label="Metadata">{stringifyInspectJson(sample.metadata ?? {}, 2)}</pre>
      )}
      {tab === 'json' && <pre aria-label="Raw JSON">{stringifyInspectJson(sample, 2)}</pre>}
    </section>
  );
}

function eventSummary(event: Record<string, JsonValue>): string {
  switch (event.event) {
    case 'model': {
      const output = isJsonObject(event.output) ? event.output : {};
      const choices = Array.isArray(output.choices) ? (output.choices as JsonValue[]) : [];
      const first = choices[0];
      const answer =
        isJsonObject(first) && isJsonObject(first.message)
          ? text(first.message.content)
          : event.pending
            ? '(pending)'
            : '';
      return `${text(event.model)} ← ${Array.isArray(event.input) ? event.input.length : 0} messages\n→ ${answer}`;
    }
    case 'tool':
      return `${text(event.function)}(${stringifyInspectJson(event.arguments ?? {})}) → ${text(event.result)}`;
    case 'score':
      return isJsonObject(event.score)
        ? `${text(event.score.value)} ${text(event.score.explanation)}`
        : '';
    case 'error':
      return isJsonObject(event.error) ? text(event.error.message) : '';
    case 'span_begin':
    case 'step':
      return text(event.name);
    default:
      return '';
  }
}
