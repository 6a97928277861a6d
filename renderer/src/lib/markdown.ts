import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

/**
 * Markdown as Inspect View shows it: tables, lists, code with highlighting, math. Rendered by
 * markdown-it (raw HTML in the text is not rendered), then sanitized by DOMPurify, with every
 * link opening outside the app. Highlighting (highlight.js) and math (KaTeX) are loaded on first
 * use: they stay out of the bundle that opens the app, and text already shown is drawn again once
 * they arrive (`onRendererUpgrade`).
 */

type Highlighter = (code: string, language: string) => string | null;
type Renderer = InstanceType<typeof MarkdownIt>;

let highlighter: Highlighter | null = null;
let mathPlugin: ((md: Renderer) => void) | null = null;
let renderer: Renderer | null = null;
const upgrades = new Set<() => void>();
let loading: Promise<void> | null = null;

function build(): Renderer {
  const md = new MarkdownIt({
    html: false,
    linkify: true,
    breaks: false,
    highlight: (code, language) => highlighter?.(code, language) ?? '',
  });
  if (mathPlugin) md.use(mathPlugin);
  return md;
}

/** Load highlighting and math once, then have every shown text drawn again. */
function loadExtras(): void {
  loading ??= Promise.all([
    import('highlight.js/lib/common').then(({ default: hljs }) => {
      highlighter = (code, language) =>
        language && hljs.getLanguage(language)
          ? hljs.highlight(code, { language, ignoreIllegals: true }).value
          : null;
    }),
    Promise.all([import('@vscode/markdown-it-katex'), import('katex/dist/katex.min.css')]).then(
      ([module]) => {
        // A CommonJS module with `exports.default`: bundlers hand it over wrapped once or twice.
        const wrapped = module.default as unknown as { default?: unknown };
        const plugin = (
          typeof wrapped === 'function' ? wrapped : wrapped.default
        ) as typeof module.default;
        mathPlugin = (md) => md.use(plugin);
      },
    ),
  ])
    .catch(() => {
      // Without them text still renders, unhighlighted and with math as written.
    })
    .then(() => {
      renderer = build();
      for (const upgrade of upgrades) upgrade();
    });
}

/** Called when highlighting and math have loaded; returns the unsubscribe. */
export function onRendererUpgrade(listener: () => void): () => void {
  upgrades.add(listener);
  return () => upgrades.delete(listener);
}

let hooked = false;

/** Links open outside the app (a new tab, or the system browser on the desktop), never in it. */
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

const SANITIZE = {
  // KaTeX draws with MathML and spans; nothing that runs code is allowed.
  USE_PROFILES: { html: true, mathMl: true, svg: false },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'],
};

/**
 * Markdown as sanitized DOM nodes, to be moved into the page. The HTML is parsed once, inside a
 * <template> (whose content is inert: nothing in it loads or runs), and sanitized there in place.
 * DOMPurify's string form builds a new document for every call, serialises it, and the page
 * parses the result again: three trees of each text, garbage that kept a page being read about
 * 30 MB heavier between collections.
 */
export function renderMarkdown(text: string): NodeList {
  loadExtras();
  hookLinks();
  renderer ??= build();
  const template = document.createElement('template');
  template.innerHTML = `<div>${renderer.render(text)}</div>`;
  const root = template.content.firstElementChild!;
  DOMPurify.sanitize(root, { ...SANITIZE, IN_PLACE: true });
  return root.childNodes;
}
