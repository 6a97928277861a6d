/**
 * The renderer's Content-Security-Policy, one policy wherever the page is served: the desktop
 * window's response headers, web mode's HTTP headers and the page's own `<meta>` (Vite injects
 * it at build). The page loads only its own bundle, talks only to its own origin (web mode's API
 * and event stream) or through the preload bridge, and cannot be framed.
 */
const DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  ['media-src', "'self' data: blob:"],
  // KaTeX's fonts, inlined by the bundler.
  ['font-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a `<meta>` tag cannot carry (browsers ignore them there, with a warning). */
const HEADER_ONLY = new Set(['frame-ancestors']);

export const CONTENT_SECURITY_POLICY = DIRECTIVES.map(([name, value]) => `${name} ${value}`).join(
  '; ',
);

/** The same policy for the page's `<meta http-equiv>`. */
export const CONTENT_SECURITY_POLICY_META = DIRECTIVES.filter(([name]) => !HEADER_ONLY.has(name))
  .map(([name, value]) => `${name} ${value}`)
  .join('; ');
