import {
  isJsonObject,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../../../../shared/formats/json/inspectJson.ts';
import { displayText } from '../../../../shared/model/display.ts';
import { getOwn } from '../../../../shared/util/records.ts';
import { useContext } from 'react';
import { messageMarkdown } from '../../../../shared/model/sampleMarkdown.ts';
import { CopyButton } from '../../components/CopyButton.tsx';
import { CutTextContext, wholeValue } from '../../components/cutText.ts';
import { Markdown, PlainText } from '../../components/Markdown.tsx';

/** A media source a page may show: data and blob URLs of the sample itself, never a fetch. */
function mediaSource(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && /^(data:|blob:)/.test(value) ? value : null;
}

/** The sources a text cites: a link for a URL (opened outside the app), else the title. */
function Citations({ citations }: { citations: JsonObject[] }) {
  return (
    <ol className="citations" aria-label="Citations">
      {citations.map((citation, index) => {
        const url = typeof citation.url === 'string' && /^https?:\/\//.test(citation.url);
        const title = displayText(citation.title) || displayText(citation.url) || 'source';
        return (
          <li key={index}>
            {url ? (
              <a href={citation.url as string} target="_blank" rel="noreferrer noopener">
                {title}
              </a>
            ) : (
              title
            )}
            {citation.cited_text !== undefined && citation.cited_text !== null && (
              <span className="muted"> “{displayText(citation.cited_text)}”</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** One content part of a message: text, reasoning, image, audio, video, document, data or tool use. */
function ContentPart({ part }: { part: JsonValue }) {
  if (typeof part === 'string') return <Markdown text={part} />;
  if (!isJsonObject(part)) return <PlainText text={displayText(part)} />;
  switch (part.type) {
    case 'text':
      return (
        <>
          {part.refusal === true && <span className="tag tag-error">refusal</span>}
          <Markdown text={displayText(part.text)} />
          {Array.isArray(part.citations) && part.citations.length > 0 && (
            <Citations citations={(part.citations as JsonValue[]).filter(isJsonObject)} />
          )}
        </>
      );
    case 'data':
      return (
        <details className="fold">
          <summary>Data</summary>
          <PlainText text={stringifyInspectJson(part.data ?? null, 2)} className="json" />
        </details>
      );
    case 'tool_use':
      // A tool the provider ran itself (web search, code execution): its call and its result.
      return (
        <div className="tool-call">
          <div className="tool-call-head">
            <span className="tag">{displayText(part.tool_type) || 'tool use'}</span>{' '}
            <code>{displayText(part.name)}</code>
          </div>
          {part.arguments !== undefined && <PlainText text={displayText(part.arguments)} />}
          {part.error !== undefined && part.error !== null && (
            <p className="tool-error">{displayText(part.error)}</p>
          )}
          {part.result !== undefined && (
            <details className="fold">
              <summary>Result</summary>
              <PlainText text={displayText(part.result)} />
            </details>
          )}
        </div>
      );
    case 'reasoning':
      return (
        <details className="reasoning">
          <summary>Reasoning{part.redacted === true ? ' (redacted)' : ''}</summary>
          {part.redacted === true ? (
            <p className="muted">The provider returned this reasoning encrypted.</p>
          ) : (
            <Markdown text={displayText(part.reasoning ?? part.summary)} />
          )}
        </details>
      );
    case 'image': {
      const source = mediaSource(part.image);
      return source ? (
        <img className="content-image" src={source} alt="An image of the conversation" />
      ) : (
        <p className="muted">
          [image: {displayText(part.image).slice(0, 200) || 'not kept in the log'}]
        </p>
      );
    }
    case 'audio': {
      const source = mediaSource(part.audio);
      return source ? (
        <audio controls src={source} />
      ) : (
        <p className="muted">[audio{part.format ? ` (${displayText(part.format)})` : ''}]</p>
      );
    }
    case 'video': {
      const source = mediaSource(part.video);
      return source ? (
        <video controls src={source} className="content-image" />
      ) : (
        <p className="muted">[video]</p>
      );
    }
    case 'document': {
      const source = mediaSource(part.document);
      const name = displayText(part.filename) || 'document';
      return source ? (
        <a href={source} download={name} className="tag">
          {name}
        </a>
      ) : (
        <p className="muted">[document: {name}]</p>
      );
    }
    default:
      return <PlainText text={stringifyInspectJson(part, 2)} />;
  }
}

/**
 * Message content: a string (markdown) or a list of parts. A tool's output is shown as it came
 * (`plain`): it is program output, not prose, and its line breaks and spacing matter.
 */
export function Content({
  content,
  plain = false,
}: {
  content: JsonValue | undefined;
  plain?: boolean;
}) {
  if (content === undefined || content === null) return null;
  if (plain && typeof content === 'string') return <PlainText text={content} />;
  if (!Array.isArray(content)) return <ContentPart part={content} />;
  return (
    <>
      {(content as JsonValue[]).map((part, index) => (
        <ContentPart key={index} part={part} />
      ))}
    </>
  );
}

/** A tool call an assistant makes: the function, its arguments (pretty), a parse error. */
export function ToolCall({ call }: { call: JsonObject }) {
  const args = call.arguments;
  return (
    <div className="tool-call">
      <div className="tool-call-head">
        <span className="tag">tool call</span> <code>{displayText(call.function)}</code>
        {call.id !== undefined && <span className="muted"> {displayText(call.id)}</span>}
      </div>
      {args !== undefined && (
        <Markdown text={`\`\`\`json\n${stringifyInspectJson(args ?? null, 2)}\n\`\`\``} />
      )}
      {call.parse_error !== undefined && call.parse_error !== null && (
        <p className="tool-error">Arguments could not be parsed: {displayText(call.parse_error)}</p>
      )}
    </div>
  );
}

const ROLE_LABELS: Readonly<Record<string, string>> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

/**
 * One chat message: its role at a glance, its content rendered, an assistant's tool calls, a
 * tool's function and result, and the tool's error (a timeout, a parsing error…) when it failed.
 */
export function MessageView({ message, index }: { message: JsonObject; index: number }) {
  const role = displayText(message.role) || 'message';
  // The role is the log's text: `constructor` is a role to show, not Object's member.
  const label = getOwn(ROLE_LABELS, role) ?? role;
  const cuts = useContext(CutTextContext);
  const error = isJsonObject(message.error) ? message.error : null;
  const calls = Array.isArray(message.tool_calls)
    ? (message.tool_calls as JsonValue[]).filter(isJsonObject)
    : [];
  return (
    <article
      className={`message message-${role}`}
      data-message={index}
      aria-label={`${label} message ${index + 1}`}
    >
      <header className="message-head">
        <span className={`role role-${role}`}>{label}</span>
        {role === 'tool' && message.function !== undefined && (
          <code className="tool-function">{displayText(message.function)}</code>
        )}
        {message.model !== undefined && <span className="muted">{displayText(message.model)}</span>}
        <span className="muted message-index">#{index + 1}</span>
        <CopyButton
          label="Copy"
          title="Copy this message as Markdown"
          text={async () => messageMarkdown((await wholeValue(message, cuts)) as JsonObject)}
        />
      </header>
      {error && (
        <p className="tool-error" role="note">
          <strong>{displayText(error.type) || 'error'}</strong>: {displayText(error.message)}
        </p>
      )}
      <Content content={message.content} plain={role === 'tool'} />
      {calls.map((call, callIndex) => (
        <ToolCall key={callIndex} call={call} />
      ))}
    </article>
  );
}
