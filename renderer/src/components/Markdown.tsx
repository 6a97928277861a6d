import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { onRendererUpgrade, renderMarkdown } from '../lib/markdown.ts';
import { useCutText } from './cutText.ts';

/** Characters shown before "Show all": Inspect View caps long text the same way. */
export const TEXT_CAP = 250_000;

function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${Math.ceil(bytes / 1024).toLocaleString()} KB`;
  return `${(bytes / 1024 ** 2).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;
}

/**
 * The part of a text to show: the first TEXT_CAP characters until the reader asks for all; a
 * string the back end cut short is fetched whole when asked. `more` is the button that asks.
 */
function useShownText(text: string): { shown: string; whole: boolean; more: ReactNode } {
  const cut = useCutText(text);
  const [all, setAll] = useState(false);
  const [loaded, setLoaded] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const full = loaded ?? text;
  const shown = all || full.length <= TEXT_CAP ? full : full.slice(0, TEXT_CAP);
  let more: ReactNode = null;
  if (shown.length < full.length) {
    more = (
      <button type="button" className="link" onClick={() => setAll(true)}>
        Show all ({full.length.toLocaleString()} characters)
      </button>
    );
  } else if (cut && loaded === null) {
    const load = (): void => {
      setLoading(true);
      setFailure(null);
      cut.load().then(
        (whole) => {
          setLoaded(whole);
          setAll(true);
        },
        (error: unknown) => {
          setLoading(false);
          setFailure(error instanceof Error ? error.message : String(error));
        },
      );
    };
    more = (
      <button type="button" className="link" disabled={loading} onClick={load}>
        {loading
          ? 'Loading…'
          : `Show all (${formatBytes(cut.bytes)}; ${shown.length.toLocaleString()} characters shown)`}
        {failure && ` — failed: ${failure}`}
      </button>
    );
  }
  return { shown, whole: shown === full && full.length > TEXT_CAP, more };
}

/**
 * Text rendered as markdown, capped at TEXT_CAP characters until the reader asks for all. Text
 * past the cap, once shown whole, is shown as it is: rendering megabytes of markdown would hold
 * the page for seconds, and text that long is output, not prose.
 */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const { shown, whole, more } = useShownText(text);
  const [version, setVersion] = useState(0);
  useEffect(() => onRendererUpgrade(() => setVersion((value) => value + 1)), []);
  const box = useRef<HTMLDivElement>(null);
  // Drawn before the frame is painted, and again when highlighting and math arrive (version).
  useLayoutEffect(() => {
    void version;
    if (!whole) box.current?.replaceChildren(...renderMarkdown(shown));
  }, [shown, whole, version]);
  return (
    <div className={`markdown ${className ?? ''}`}>
      {whole ? <pre>{shown}</pre> : <div ref={box} />}
      {more}
    </div>
  );
}

/** Plain text (tool output, code) in a box, capped like Markdown. */
export function PlainText({ text, className }: { text: string; className?: string }) {
  const { shown, more } = useShownText(text);
  return (
    <div className={`plain-text ${className ?? ''}`}>
      <pre>{shown}</pre>
      {more}
    </div>
  );
}
