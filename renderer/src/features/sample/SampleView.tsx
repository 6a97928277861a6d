import { useEffect, useMemo, useRef, useState } from 'react';
import {
  isJsonObject,
  stringifyInspectJson,
  type JsonObject,
  type JsonValue,
} from '../../../../shared/formats/json/inspectJson.ts';
import type { SampleOverview } from '../../../../shared/formats/sample/pageTypes.ts';
import { displayText } from '../../../../shared/model/display.ts';
import { formatDuration, formatTokens } from '../../../../shared/util/format.ts';
import { CopyButton } from '../../components/CopyButton.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { JsonTree } from '../../components/JsonTree.tsx';
import { Markdown, PlainText } from '../../components/Markdown.tsx';
import { ScoreValue } from '../../components/ScoreValue.tsx';
import { errorOf } from '../../state/request.ts';
import type { SamplePlace } from '../../state/sampleReader.ts';
import { useStore } from '../../state/useStore.ts';
import { MessagesList } from './MessagesList.tsx';
import { TranscriptView } from './TranscriptView.tsx';

type Tab = 'messages' | 'transcript' | 'metadata' | 'json';

/** The tab that shows a place. */
function tabOf(place: SamplePlace | null): Tab | null {
  return place ? (place.list === 'messages' ? 'messages' : 'transcript') : null;
}

/**
 * One sample, read a page at a time whatever its size: what it was asked, what it answered and
 * how it scored at the top; the conversation, the transcript as a tree, its metadata below;
 * find anywhere in it (Ctrl/Cmd+F); previous and next sample without going back.
 */
export function SampleView() {
  const request = useStore((state) => state.sample);
  const exported = useStore((state) => state.exported);
  const focus = useStore((state) => state.sampleFocus);
  const { closeSample, openSample } = useStore.getState();
  // The tab the reader picked, and the place in focus then: a find or a deep link to a message
  // or an event made since shows its own tab.
  const [picked, setPicked] = useState<{ tab: Tab; focus: SamplePlace | null }>({
    tab: 'messages',
    focus: null,
  });
  const tab = focus && focus !== picked.focus ? (tabOf(focus) ?? picked.tab) : picked.tab;
  const setTab = (name: Tab): void => setPicked({ tab: name, focus });
  const [findOpen, setFindOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f') {
        event.preventDefault();
        setFindOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useFindHighlight();
  const error = errorOf(request);
  if (error && request.phase === 'failed') {
    const { id, epoch } = request.target;
    return (
      <section className="sample-view" aria-label="Sample">
        <button type="button" onClick={closeSample}>
          ← Samples
        </button>
        <ErrorNotice error={error} onRetry={() => void openSample(id, epoch)} />
      </section>
    );
  }
  if (request.phase !== 'ready') return <p className="muted">Opening sample…</p>;
  const overview = request.value;
  const fields = overview.fields;
  const exportError = errorOf(exported);
  return (
    <section className="sample-view" aria-label="Sample">
      <header className="run-header">
        <button type="button" onClick={closeSample}>
          ← Samples
        </button>
        <h3>
          Sample {displayText(fields.id ?? request.target.id)} · epoch{' '}
          {displayText(fields.epoch ?? request.target.epoch)}
        </h3>
        <SampleStatus fields={fields} />
        <NeighbourButtons />
        <span className="spacer" />
        <button type="button" onClick={() => setFindOpen(true)} title="Ctrl+F">
          Find
        </button>
        <CopyButton
          label="Copy transcript"
          title="Copy the transcript as Markdown"
          text={async () =>
            (await useStore.getState().sampleMarkdown('transcript'))?.markdown ?? ''
          }
        />
        <CopyButton
          label="Copy JSON"
          title="Copy the sample as JSON (pools and attachments resolved)"
          text={async () => (await useStore.getState().sampleJson()) ?? ''}
        />
        <ExportButton />
        {exported.phase === 'ready' && exported.value.output && (
          <span role="status" title={exported.value.output}>
            Exported to {exported.value.output.split(/[\\/]/).at(-1)}
          </span>
        )}
        {exportError && <span role="status">Export failed: {exportError.message}</span>}
      </header>
      {findOpen && <FindBand onClose={() => setFindOpen(false)} />}
      <SampleSummary overview={overview} />
      <nav className="tabs" role="tablist">
        {(
          [
            ['messages', `Messages (${overview.messages.count})`],
            ['transcript', `Transcript (${overview.events.count} events)`],
            ['metadata', 'Metadata'],
            ['json', 'JSON'],
          ] as const
        ).map(([name, label]) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            onClick={() => setTab(name)}
          >
            {label}
          </button>
        ))}
      </nav>
      <div className="sample-body">
        {tab === 'messages' && <MessagesList count={overview.messages.count} />}
        {tab === 'transcript' && <TranscriptView total={overview.events.count} />}
        {tab === 'metadata' && (
          <div className="sample-pane">
            <JsonTree value={fields.metadata ?? {}} label="Metadata" />
          </div>
        )}
        {tab === 'json' && <SampleJson overview={overview} />}
      </div>
    </section>
  );
}

/** ok, error or limit, at a glance. */
function SampleStatus({ fields }: { fields: Readonly<Record<string, JsonValue>> }) {
  if (isJsonObject(fields.error))
    return <span className="badge badge-error">{displayText(fields.error.message)}</span>;
  if (fields.limit !== undefined)
    return (
      <span className="badge badge-cancelled">
        {displayText(isJsonObject(fields.limit) ? fields.limit.type : fields.limit)} limit
      </span>
    );
  return null;
}

/** Previous and next sample of the run, in the order the grid lists them (dataset order). */
function NeighbourButtons() {
  const rows = useStore((state) => state.run?.rows);
  const current = useStore((state) => state.lastOpened.sample);
  const order = useMemo(
    () =>
      [...(rows ?? [])].sort(
        (a, b) =>
          a.facts.id.localeCompare(b.facts.id, undefined, { numeric: true }) ||
          a.facts.epoch - b.facts.epoch,
      ),
    [rows],
  );
  const at = order.findIndex((row) => row.key === current);
  const go = (by: number): void => {
    const row = order[at + by];
    if (row) void useStore.getState().openSample(row.facts.id, row.facts.epoch);
  };
  return (
    <span className="neighbours">
      <button type="button" disabled={at <= 0} onClick={() => go(-1)} aria-label="Previous sample">
        ‹ prev
      </button>
      <button
        type="button"
        disabled={at < 0 || at >= order.length - 1}
        onClick={() => go(1)}
        aria-label="Next sample"
      >
        next ›
      </button>
    </span>
  );
}

/** Markdown of the sample: the desktop asks where to save it, web mode downloads it. */
function ExportButton() {
  const desktop = useStore((state) => state.desktop);
  return (
    <button
      type="button"
      onClick={() => {
        const state = useStore.getState();
        if (desktop) {
          void state.exportCurrentSample();
          return;
        }
        void state.sampleMarkdown('sample').then((file) => {
          if (!file) return;
          const url = URL.createObjectURL(new Blob([file.markdown], { type: 'text/markdown' }));
          const link = document.createElement('a');
          link.href = url;
          link.download = file.name;
          link.click();
          setTimeout(() => URL.revokeObjectURL(url), 1_000);
        });
      }}
    >
      Export Markdown
    </button>
  );
}

/** Find anywhere in the sample, messages and events not yet shown included. */
function FindBand({ onClose }: { onClose: () => void }) {
  const find = useStore((state) => state.sampleFind);
  const [query, setQuery] = useState(find?.query ?? '');
  const input = useRef<HTMLInputElement>(null);
  const { findInSample, stepFind } = useStore.getState();
  useEffect(() => input.current?.focus(), []);
  return (
    <div className="find-band" role="search">
      <input
        ref={input}
        aria-label="Find in sample"
        placeholder="Find in this sample"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            if (find && find.query === query && find.phase === 'done')
              stepFind(event.shiftKey ? -1 : 1);
            else void findInSample(query);
          } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            void findInSample('');
            onClose();
          }
        }}
      />
      <button type="button" onClick={() => stepFind(-1)} aria-label="Previous match">
        ▲
      </button>
      <button type="button" onClick={() => stepFind(1)} aria-label="Next match">
        ▼
      </button>
      <span className="muted" data-testid="find-status">
        {!find
          ? 'Enter to search'
          : find.phase === 'searching'
            ? `searching… ${Math.round((100 * find.progress.done) / Math.max(1, find.progress.total))}%`
            : find.places.length === 0
              ? 'no match'
              : `${find.at + 1} of ${find.places.length}`}
      </span>
      <button
        type="button"
        className="link"
        onClick={() => {
          void findInSample('');
          onClose();
        }}
      >
        close
      </button>
    </div>
  );
}

/** What the sample was asked, what it answered, how it scored, what it cost. */
function SampleSummary({ overview }: { overview: SampleOverview }) {
  const fields = overview.fields;
  const scores = isJsonObject(fields.scores) ? Object.entries(fields.scores) : [];
  const usage = isJsonObject(fields.model_usage) ? Object.entries(fields.model_usage) : [];
  const answer = scores
    .map(([, score]) => (isJsonObject(score) ? score.answer : undefined))
    .find((value) => value !== undefined);
  const error = isJsonObject(fields.error) ? fields.error : null;
  return (
    <details className="sample-summary" open>
      <summary>Summary: target, answer, scores, usage</summary>
      <dl className="sample-facts">
        <dt>Target</dt>
        <dd>
          <Markdown text={displayText(fields.target)} />
        </dd>
        {answer !== undefined && (
          <>
            <dt>Answer</dt>
            <dd>
              <Markdown text={displayText(answer)} />
            </dd>
          </>
        )}
        {usage.map(([model, value]) => (
          <span key={model} className="usage">
            <dt>Tokens · {model}</dt>
            <dd>{isJsonObject(value) ? formatTokens(Number(value.total_tokens ?? 0)) : ''}</dd>
          </span>
        ))}
        {typeof fields.working_time === 'number' && (
          <>
            <dt>Working time</dt>
            <dd>{formatDuration(fields.working_time)}</dd>
          </>
        )}
        {typeof fields.total_time === 'number' && (
          <>
            <dt>Total time</dt>
            <dd>{formatDuration(fields.total_time)}</dd>
          </>
        )}
      </dl>
      {scores.length > 0 && (
        <table className="scores-table" aria-label="Scores">
          <tbody>
            {scores.map(([name, score]) => (
              <tr key={name}>
                <td className="scorer-name">{name}</td>
                <td>
                  {isJsonObject(score) &&
                  (typeof score.value === 'string' ||
                    typeof score.value === 'number' ||
                    typeof score.value === 'boolean') ? (
                    <ScoreValue value={score.value} />
                  ) : (
                    <code>
                      {stringifyInspectJson(isJsonObject(score) ? (score.value ?? null) : null)}
                    </code>
                  )}
                </td>
                <td className="explanation">
                  {isJsonObject(score) && score.explanation !== undefined && (
                    <Markdown text={displayText(score.explanation)} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <details className="sample-error">
          <summary>
            <strong>Error</strong> {displayText(error.message)}
          </summary>
          <PlainText text={displayText(error.traceback)} />
        </details>
      )}
    </details>
  );
}

/** The sample's fields as JSON (its messages and events are in their tabs, page by page). */
function SampleJson({ overview }: { overview: SampleOverview }) {
  const value: JsonObject = { ...overview.fields };
  return (
    <div className="sample-pane">
      {overview.largeFields.length > 0 && (
        <p className="muted">
          Left out for their size:{' '}
          {overview.largeFields
            .map((field) => `${field.key} (${field.bytes.toLocaleString()} bytes)`)
            .join(', ')}
          .
        </p>
      )}
      <p className="muted">
        {overview.messages.count} messages and {overview.events.count} events are in their tabs (
        {overview.bytes.toLocaleString()} bytes in all).
      </p>
      <PlainText text={stringifyInspectJson(value, 2)} className="json" />
    </div>
  );
}

/**
 * The words a find looks for, marked in the item it shows (the CSS Custom Highlight API: no
 * change to the DOM React draws). Looked for again whenever a page arrives or the match moves.
 */
function useFindHighlight(): void {
  const query = useStore((state) => state.sampleFind?.query ?? '');
  const focus = useStore((state) => state.sampleFocus);
  const version = useStore((state) => state.sampleVersion);
  useEffect(() => {
    const highlights = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS
      ?.highlights;
    if (!highlights || typeof Highlight === 'undefined') return;
    highlights.delete('find');
    const needle = query.toLowerCase();
    if (!needle) return;
    // The focused item is drawn a few frames after a find moves to it: look until it is there.
    let tries = 0;
    let frame = 0;
    const mark = (): void => {
      const ranges: Range[] = [];
      for (const row of document.querySelectorAll('.item-row.focused')) {
        const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent?.toLowerCase() ?? '';
          for (
            let at = text.indexOf(needle);
            at >= 0;
            at = text.indexOf(needle, at + needle.length)
          ) {
            const range = new Range();
            range.setStart(node, at);
            range.setEnd(node, at + needle.length);
            ranges.push(range);
          }
        }
      }
      if (ranges.length > 0) highlights.set('find', new Highlight(...ranges));
      else if (++tries < 30) frame = requestAnimationFrame(mark);
    };
    frame = requestAnimationFrame(mark);
    return () => cancelAnimationFrame(frame);
  }, [query, focus, version]);
}
