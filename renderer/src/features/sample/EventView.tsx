import { useState } from 'react';
import {
  isJsonObject,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../../../../shared/formats/json/inspectJson.ts';
import { displayText } from '../../../../shared/model/display.ts';
import { contentText, eventSummary } from '../../../../shared/model/transcript.ts';
import { formatDuration, formatTokens } from '../../../../shared/util/format.ts';
import { Markdown, PlainText } from '../../components/Markdown.tsx';
import { ScoreValue } from '../../components/ScoreValue.tsx';
import { useDeferredList } from './ItemScope.tsx';
import { MessageView, ToolCall } from './MessageView.tsx';
import { PooledItems } from './PooledItems.tsx';

/** `HH:MM:SS` of an event's timestamp (the whole one on hover). */
function Time({ value }: { value: JsonValue | undefined }) {
  if (typeof value !== 'string') return null;
  const match = /T(\d{2}:\d{2}:\d{2})/.exec(value);
  return (
    <span className="muted event-time" title={value}>
      {match?.[1] ?? value}
    </span>
  );
}

/** A part of an event shown on demand: folded until the reader opens it. */
function Fold({ label, children }: { label: string; children: () => React.ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="fold" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{label}</summary>
      {open && children()}
    </details>
  );
}

function Json({ value }: { value: JsonValue | undefined }) {
  return <PlainText text={stringifyInspectJson(value ?? null, 2)} className="json" />;
}

function ModelEvent({ event }: { event: JsonObject }) {
  const output = isJsonObject(event.output) ? event.output : {};
  const choices = Array.isArray(output.choices) ? (output.choices as JsonValue[]) : [];
  const first = isJsonObject(choices[0]) ? choices[0] : {};
  const message = isJsonObject(first.message) ? first.message : null;
  const usage = isJsonObject(output.usage) ? output.usage : {};
  const input = Array.isArray(event.input) ? (event.input as JsonValue[]).filter(isJsonObject) : [];
  const call = isJsonObject(event.call) ? event.call : null;
  // A late call's whole conversation may be too large for the event's page: paged on its own.
  const deferredInput = useDeferredList('input');
  const deferredCall = useDeferredList('call');
  const inputCount = deferredInput?.deferred.count ?? input.length;
  return (
    <>
      <div className="event-facts">
        <code>{displayText(event.model)}</code>
        {first.stop_reason !== undefined && (
          <span className="muted">stop: {displayText(first.stop_reason)}</span>
        )}
        {typeof usage.total_tokens === 'number' && (
          <span className="muted">
            {formatTokens(usage.total_tokens)} tokens (in {displayText(usage.input_tokens)}, out{' '}
            {displayText(usage.output_tokens)})
          </span>
        )}
        {typeof event.working_time === 'number' && (
          <span className="muted">{formatDuration(event.working_time)}</span>
        )}
        {event.pending === true && <span className="tag">pending</span>}
        {isJsonObject(event.error) || typeof event.error === 'string' ? (
          <span className="tool-error">
            {displayText(isJsonObject(event.error) ? event.error.message : event.error)}
          </span>
        ) : null}
      </div>
      {message && (
        <div className="event-output">
          <MessageView message={message} index={input.length} />
        </div>
      )}
      <Fold label={`Input: ${inputCount} message${inputCount === 1 ? '' : 's'}`}>
        {() =>
          deferredInput ? (
            <PooledItems
              {...deferredInput}
              render={(item) =>
                isJsonObject(item.value) && <MessageView message={item.value} index={item.index} />
              }
            />
          ) : (
            input.map((item, index) => <MessageView key={index} message={item} index={index} />)
          )
        }
      </Fold>
      {call && (
        <Fold label="API request and response">
          {() => (
            <>
              <h5>Request</h5>
              <Json value={call.request} />
              {deferredCall && (
                <>
                  <h5>Request messages ({deferredCall.deferred.count.toLocaleString()})</h5>
                  <PooledItems {...deferredCall} render={(item) => <Json value={item.value} />} />
                </>
              )}
              <h5>Response</h5>
              <Json value={call.response} />
            </>
          )}
        </Fold>
      )}
    </>
  );
}

function ToolEvent({ event }: { event: JsonObject }) {
  const error = isJsonObject(event.error) ? event.error : null;
  const result = contentText(event.result);
  return (
    <>
      <ToolCall call={{ function: event.function ?? null, arguments: event.arguments ?? {} }} />
      {error && (
        <p className="tool-error">
          <strong>{displayText(error.type) || 'error'}</strong>: {displayText(error.message)}
        </p>
      )}
      <Fold label={`Result (${result.length.toLocaleString()} characters)`}>
        {() => <PlainText text={result} />}
      </Fold>
    </>
  );
}

function SandboxEvent({ event }: { event: JsonObject }) {
  const output = displayText(event.output);
  return (
    <>
      <div className="event-facts">
        <code>
          {displayText(event.action)} {displayText(event.cmd ?? event.file)}
        </code>
        {event.result !== undefined && <span className="muted">→ {displayText(event.result)}</span>}
      </div>
      {output && <Fold label="Output">{() => <PlainText text={output} />}</Fold>}
    </>
  );
}

/** A state or store change as Inspect records it: JSON-patch operations, old value → new. */
function ChangesEvent({ event }: { event: JsonObject }) {
  const changes = Array.isArray(event.changes)
    ? (event.changes as JsonValue[]).filter(isJsonObject)
    : [];
  if (changes.length === 0) return <p className="muted">no changes</p>;
  return (
    <table className="changes-table" aria-label="Changes">
      <tbody>
        {changes.map((change, index) => (
          <tr key={index} className={`change-${displayText(change.op)}`}>
            <td>
              <span className="tag">{displayText(change.op)}</span>
            </td>
            <td>
              <code>{displayText(change.path)}</code>
            </td>
            <td className="change-old" title="before">
              {change.replaced !== undefined ? stringifyInspectJson(change.replaced) : ''}
            </td>
            <td className="change-new" title="after">
              {change.value !== undefined ? stringifyInspectJson(change.value) : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ScoreEvent({ event }: { event: JsonObject }) {
  const score = isJsonObject(event.score) ? event.score : {};
  const value = score.value;
  return (
    <>
      <div className="event-facts">
        {value !== undefined &&
          (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? (
            <ScoreValue value={value} />
          ) : (
            <code>{stringifyInspectJson(value)}</code>
          ))}
        {score.answer !== undefined && (
          <span className="muted">answer: {displayText(score.answer)}</span>
        )}
      </div>
      {score.explanation !== undefined && <Markdown text={displayText(score.explanation)} />}
    </>
  );
}

function ErrorEvent({ event }: { event: JsonObject }) {
  const error = isJsonObject(event.error) ? event.error : {};
  return (
    <>
      <p className="tool-error">{displayText(error.message)}</p>
      {error.traceback !== undefined && (
        <Fold label="Traceback">{() => <PlainText text={displayText(error.traceback)} />}</Fold>
      )}
    </>
  );
}

function ScoreEditEvent({ event }: { event: JsonObject }) {
  const edit = isJsonObject(event.edit) ? event.edit : {};
  const provenance = isJsonObject(edit.provenance) ? edit.provenance : null;
  return (
    <>
      <div className="event-facts">
        <strong>{displayText(event.score_name)}</strong>
        <span className="muted">edited to</span>
        <code>{stringifyInspectJson(edit.value ?? null)}</code>
        {edit.answer !== undefined && edit.answer !== null && (
          <span className="muted">answer: {displayText(edit.answer)}</span>
        )}
        {provenance && (
          <span className="muted">
            by {displayText(provenance.author)} {displayText(provenance.timestamp)}
            {provenance.reason !== undefined && `: ${displayText(provenance.reason)}`}
          </span>
        )}
      </div>
      {edit.explanation !== undefined && edit.explanation !== null && (
        <Markdown text={displayText(edit.explanation)} />
      )}
    </>
  );
}

/** A tool call put to an approver, and what it decided (a modified call when it changed it). */
function ApprovalEvent({ event }: { event: JsonObject }) {
  const decision = displayText(event.decision);
  const refused = decision === 'reject' || decision === 'terminate';
  return (
    <>
      <div className="event-facts">
        <span className={`tag${refused ? ' tag-error' : ''}`}>{decision}</span>
        <span className="muted">by {displayText(event.approver)}</span>
        {event.message !== undefined && <span>{displayText(event.message)}</span>}
      </div>
      {isJsonObject(event.call) && <ToolCall call={event.call} />}
      {isJsonObject(event.modified) && (
        <>
          <h5>Modified to</h5>
          <ToolCall call={event.modified} />
        </>
      )}
      {event.explanation !== undefined && event.explanation !== null && (
        <Markdown text={displayText(event.explanation)} />
      )}
    </>
  );
}

/** A nested task's name, input and result, and the events it ran (folded). */
function SubtaskEvent({ event }: { event: JsonObject }) {
  const events = Array.isArray(event.events)
    ? (event.events as JsonValue[]).filter(isJsonObject)
    : [];
  return (
    <>
      <div className="event-facts">
        <code>{displayText(event.name)}</code>
        {event.type !== undefined && event.type !== null && (
          <span className="muted">{displayText(event.type)}</span>
        )}
        {typeof event.working_time === 'number' && (
          <span className="muted">{formatDuration(event.working_time)}</span>
        )}
      </div>
      <Fold label="Input">{() => <Json value={event.input} />}</Fold>
      <Fold label="Result">{() => <Json value={event.result} />}</Fold>
      {events.length > 0 && (
        <Fold label={`Events (${events.length})`}>
          {() =>
            events.map((inner, index) => (
              <div key={index} className={`event event-${displayText(inner.event)}`}>
                <EventHead event={inner} index={index} />
                <EventBody event={inner} />
              </div>
            ))
          }
        </Fold>
      )}
    </>
  );
}

function CheckpointEvent({ event }: { event: JsonObject }) {
  return (
    <>
      <div className="event-facts">
        <span>
          checkpoint {displayText(event.checkpoint_id)} at turn {displayText(event.turn)}
        </span>
        <span className="muted">{displayText(event.trigger)}</span>
        {typeof event.size_bytes === 'number' && (
          <span className="muted">{event.size_bytes.toLocaleString()} bytes</span>
        )}
        {typeof event.duration_ms === 'number' && (
          <span className="muted">{formatDuration(event.duration_ms / 1000)}</span>
        )}
      </div>
      <Fold label="Host and sandboxes">
        {() => <Json value={{ host: event.host ?? null, sandboxes: event.sandboxes ?? null }} />}
      </Fold>
    </>
  );
}

/** What an event did, by its kind; anything this view does not know is shown as its summary. */ /** What an event did, by its kind; anything this view does not know is shown as its summary. */
export function EventBody({ event }: { event: JsonObject }) {
  switch (event.event) {
    case 'model':
      return <ModelEvent event={event} />;
    case 'tool':
      return <ToolEvent event={event} />;
    case 'sandbox':
      return <SandboxEvent event={event} />;
    case 'state':
    case 'store':
      return <ChangesEvent event={event} />;
    case 'score':
      return <ScoreEvent event={event} />;
    case 'score_edit':
      return <ScoreEditEvent event={event} />;
    case 'approval':
      return <ApprovalEvent event={event} />;
    case 'subtask':
      return <SubtaskEvent event={event} />;
    case 'checkpoint':
      return <CheckpointEvent event={event} />;
    case 'input':
      return <PlainText text={displayText(event.input)} />;
    case 'interrupt':
    case 'anchor':
    case 'branch':
    case 'compaction':
    case 'step':
      return <p>{eventSummary(event)}</p>;
    case 'error':
      return <ErrorEvent event={event} />;
    case 'sample_limit':
      return (
        <p className="tool-error">
          {displayText(event.type)} limit: {displayText(event.message)}
        </p>
      );
    case 'logger': {
      const message = isJsonObject(event.message) ? event.message : {};
      return (
        <p>
          <span className="tag">{displayText(message.level)}</span> {displayText(message.message)}
        </p>
      );
    }
    case 'info':
      return typeof event.data === 'string' ? (
        <Markdown text={event.data} />
      ) : (
        <Json value={event.data} />
      );
    case 'sample_init':
      return <Fold label="Sample as it started">{() => <Json value={event.sample} />}</Fold>;
    default: {
      const summary = eventSummary(event);
      return summary ? (
        <PlainText text={summary} />
      ) : (
        <Fold label="Event">{() => <Json value={event} />}</Fold>
      );
    }
  }
}

/** An event's head: its kind, marks for what went wrong, its time. */
export function EventHead({ event, index }: { event: JsonObject; index: number }) {
  const failed =
    isJsonObject(event.error) || event.event === 'error' || event.event === 'sample_limit';
  return (
    <header className="event-head">
      <span className={`event-kind kind-${displayText(event.event)}`}>
        {displayText(event.event)}
      </span>
      {event.event === 'tool' && <code>{displayText(event.function)}</code>}
      {failed && <span className="tag tag-error">error</span>}
      {isJsonObject(event.retries) || typeof event.retries === 'number' ? (
        <span className="tag">retried</span>
      ) : null}
      <Time value={event.timestamp} />
      <span className="muted event-index">#{index + 1}</span>
    </header>
  );
}
