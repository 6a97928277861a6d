import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copying' | 'copied' | { readonly error: string };

/**
 * Puts text on the clipboard; `text` may take a while (fetched whole first). Says "Copied", or
 * why it could not, in its own label for a moment (announced politely to screen readers).
 */
export function CopyButton({
  label,
  text,
  title,
}: {
  label: string;
  text: () => string | Promise<string>;
  title?: string;
}) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle' || state === 'copying') return;
    const timer = setTimeout(() => setState('idle'), state === 'copied' ? 1_500 : 8_000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async (): Promise<void> => {
    setState('copying');
    try {
      await navigator.clipboard.writeText(await text());
      setState('copied');
    } catch (error) {
      setState({ error: error instanceof Error ? error.message : String(error) });
    }
  };
  const shown =
    typeof state === 'object'
      ? `Copy failed: ${state.error}`
      : { idle: label, copying: 'Copying…', copied: 'Copied' }[state];
  return (
    <button
      type="button"
      className="copy-button"
      data-copy={label}
      title={title}
      disabled={state === 'copying'}
      onClick={() => void copy()}
    >
      <span aria-live="polite">{shown}</span>
    </button>
  );
}
