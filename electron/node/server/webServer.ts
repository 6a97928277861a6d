import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import type { InvokeMap } from '../../../shared/ipc/contract.ts';
import { dispatch, failureOf } from '../../../shared/ipc/dispatch.ts';
import { failure, type BackendErrorKind, type Outcome } from '../../../shared/ipc/outcome.ts';
import { CONTENT_SECURITY_POLICY } from '../../../shared/security/contentSecurityPolicy.ts';
import {
  parseInspectJson,
  stringifyInspectJson,
} from '../../../shared/formats/json/inspectJson.ts';
import type { EventHub } from '../services/eventHub.ts';
import { isWithin } from '../io/confinedPath.ts';

/** Largest request body accepted: invoke arguments are paths and ids, never data. */
const MAX_BODY_BYTES = 1024 * 1024;
const TOKEN_COOKIE = 'salvage_token';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export interface WebServerOptions {
  readonly handlers: InvokeMap;
  /** Events pushed to browsers over server-sent events (`/api/events`). */
  readonly events?: EventHub;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly host?: string;
  readonly port?: number;
  /** The access token (`salvage serve` keeps one across restarts); a random one otherwise. */
  readonly token?: string;
  /** Hears of bugs (anything but a typed error); the console by default. */
  readonly onInternalError?: (error: unknown, where: string) => void;
}

export interface RunningWebServer {
  readonly url: string;
  readonly token: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Web mode: the renderer and the same services over HTTP, for a browser on this machine or through
 * an SSH tunnel. Loopback by default; every request must carry the random token of the printed URL
 * (as `?token=`, or the cookie set from it) and a Host header naming the server, so other sites and
 * DNS rebinding cannot reach the API. Paths are validated by the services exactly as over IPC.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    void handle(request, response, options, token).catch((error: unknown) => {
      (options.onInternalError ?? logInternalError)(error, request.url ?? '');
      if (!response.headersSent) sendJson(response, 500, { ok: false, ...failureOf(error) });
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    server,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        // Event streams stay open as long as their pages do: end them, or closing never finishes.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: WebServerOptions,
  token: string,
): Promise<void> {
  const url = parseUrl(request.url);
  const isApi = url?.pathname.startsWith('/api/') ?? false;
  // Every refusal of an API request is an outcome in JSON, as over IPC; pages get plain text.
  const refuse = (status: number, kind: BackendErrorKind, message: string): void =>
    isApi
      ? sendJson(response, status, failure(kind, message))
      : send(response, status, 'text/plain; charset=utf-8', message);
  if (!url) return refuse(400, 'bad-request', 'The request URL cannot be parsed.');
  if (!hostAllowed(request, options)) return refuse(403, 'bad-request', 'Forbidden host.');
  // A page of another site can make a browser send requests here (the cookie is SameSite, the
  // token secret, but neither should be the only guard): a call must come from Salvage's page.
  if (isApi && !originAllowed(request)) {
    return refuse(403, 'bad-request', 'Forbidden origin: calls come only from Salvage’s own page.');
  }
  const given = url.searchParams.get('token') ?? cookie(request, TOKEN_COOKIE);
  if (!given || !sameToken(given, token)) {
    return refuse(
      401,
      'unauthorized',
      'Open the URL printed by `salvage serve` (it carries the access token).',
    );
  }
  if (url.pathname === '/api/events') return streamEvents(request, response, options.events);
  if (url.pathname.startsWith('/api/invoke/')) {
    if (request.method !== 'POST') return refuse(405, 'bad-request', 'Calls are POST requests.');
    const body = await readBody(request);
    if (body === null) {
      return refuse(413, 'too-large', `The request body is over ${MAX_BODY_BYTES} bytes.`);
    }
    let args: unknown;
    try {
      args = parseInspectJson(body || '{}', 'The request body');
    } catch (error) {
      return refuse(400, 'bad-request', (error as Error).message);
    }
    const channel = decodePath(url.pathname.slice('/api/invoke/'.length));
    const outcome = await dispatch(
      options.handlers,
      channel ?? '',
      args,
      options.onInternalError ?? logInternalError,
    );
    return sendJson(response, statusOf(outcome), outcome);
  }
  if (isApi) return refuse(404, 'bad-request', `No such API: ${url.pathname}.`);
  const headers: Record<string, string> = url.searchParams.has('token')
    ? { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` }
    : {};
  return serveStatic(url.pathname, options.rendererDir, response, headers);
}

/** The request's URL, or null when it cannot be parsed (`//`, `http://[`…). */
function parseUrl(raw: string | undefined): URL | null {
  try {
    // The path is resolved against a fixed origin: a request line like `//x` names no host here.
    return new URL(`http://localhost${raw?.startsWith('/') ? raw : `/${raw ?? ''}`}`);
  } catch {
    return null;
  }
}

/** A percent-encoded path segment as text, or null for a malformed escape. */
function decodePath(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The HTTP status of a call's outcome: the call was served unless the channel does not exist or Salvage failed. */
function statusOf(outcome: Outcome<unknown>): number {
  if (outcome.ok) return 200;
  if (outcome.kind === 'unknown-channel') return 404;
  return outcome.kind === 'internal' ? 500 : 200;
}

function logInternalError(error: unknown, channel: string): void {
  console.error(`salvage serve: internal error in ${channel}:`, error);
}

/** Server-sent events: every hub event, as `event: <channel>` with Inspect-JSON data. */
function streamEvents(
  request: IncomingMessage,
  response: ServerResponse,
  events: EventHub | undefined,
): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  response.write(': connected\n\n');
  const unsubscribe = events?.subscribe((channel, payload) => {
    response.write(`event: ${channel}\ndata: ${stringifyInspectJson(payload)}\n\n`);
  });
  request.on('close', () => unsubscribe?.());
}

function serveStatic(
  pathname: string,
  root: string,
  response: ServerResponse,
  headers: Record<string, string>,
): void {
  const decoded = pathname === '/' ? 'index.html' : decodePath(pathname);
  const file = staticFile(root, decoded);
  if (file === null) return send(response, 404, 'text/plain; charset=utf-8', 'Not found.');
  send(
    response,
    200,
    CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    readFileSync(file),
    headers,
  );
}

/**
 * The file a static path names inside the renderer folder, or null: by path segments and real
 * paths (a link out of the folder is outside), NUL bytes and backslashes refused.
 */
function staticFile(root: string, decoded: string | null): string | null {
  if (decoded === null || decoded.includes('\0') || decoded.includes('\\')) return null;
  const file = normalize(join(root, decoded.replace(/^\/+/, '')));
  try {
    const realRoot = realpathSync(resolve(root));
    const real = realpathSync(file);
    return real !== realRoot && isWithin(realRoot, real) && statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/**
 * A request's Origin, when the browser sends one (it does for every fetch but a same-origin GET),
 * must be the page's own: `http://` and the Host the request was sent to (checked already to be
 * one of this server's names; its port may differ from the server's through an SSH tunnel). A
 * browser's cross-site request (`Sec-Fetch-Site: cross-site`) is refused with or without one.
 */
function originAllowed(request: IncomingMessage): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed or file page) and anything else that is not an origin
  }
  try {
    // Both normalised alike (case, a default port written out).
    return (
      parsed.protocol === 'http:' &&
      parsed.origin === new URL(`http://${request.headers.host ?? ''}`).origin
    );
  } catch {
    return false;
  }
}

function hostAllowed(request: IncomingMessage, options: WebServerOptions): boolean {
  const hostHeader = request.headers.host ?? '';
  const name = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const bound = options.host ?? '127.0.0.1';
  return name === 'localhost' || name === '127.0.0.1' || name === '::1' || name === bound;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/**
 * The request body as text, or null when it is over the limit. An oversized body is read to its
 * end and dropped (memory stays bounded), so that the client receives the answer instead of a
 * connection reset.
 */
function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolveBody(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', stringifyInspectJson(value));
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    ...headers,
  });
  response.end(body);
}
