import { validateArgs } from '../../../shared/ipc/validateArgs.ts';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { InvokeMap } from '../../../shared/ipc/contract.ts';
import { isInvokeChannel } from '../../../shared/ipc/channels.ts';
import {
  parseInspectJson,
  stringifyInspectJson,
} from '../../../shared/formats/json/inspectJson.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import type { EventHub } from '../services/eventHub.ts';

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
  /** Fixed token for tests; a random one otherwise. */
  readonly token?: string;
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
      if (!response.headersSent)
        send(response, 500, 'text/plain; charset=utf-8', `Internal error: ${String(error)}`);
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
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (!hostAllowed(request, options))
    return send(response, 403, 'text/plain; charset=utf-8', 'Forbidden host.');
  const given = url.searchParams.get('token') ?? cookie(request, TOKEN_COOKIE);
  if (!given || !sameToken(given, token)) {
    return send(
      response,
      401,
      'text/plain; charset=utf-8',
      'Open the URL printed by `salvage serve` (it carries the access token).',
    );
  }
  if (url.pathname === '/api/events') return streamEvents(request, response, options.events);
  if (url.pathname.startsWith('/api/invoke/')) {
    if (request.method !== 'POST')
      return send(response, 405, 'text/plain; charset=utf-8', 'POST only.');
    return invoke(
      decodeURIComponent(url.pathname.slice('/api/invoke/'.length)),
      request,
      response,
      options.handlers,
    );
  }
  const headers: Record<string, string> = url.searchParams.has('token')
    ? { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` }
    : {};
  return serveStatic(url.pathname, options.rendererDir, response, headers);
}

async function invoke(
  channel: string,
  request: IncomingMessage,
  response: ServerResponse,
  handlers: InvokeMap,
): Promise<void> {
  if (!isInvokeChannel(channel))
    return send(response, 404, 'text/plain; charset=utf-8', `Unknown channel ${channel}.`);
  let args: unknown;
  try {
    args = parseInspectJson(await readBody(request), 'The request body');
  } catch (error) {
    return sendJson(response, 400, {
      ok: false,
      kind: 'invalid-json',
      message: (error as Error).message,
    });
  }
  try {
    const handler = handlers[channel] as (args: unknown) => Promise<unknown>;
    return sendJson(response, 200, { ok: true, value: await handler(validateArgs(channel, args)) });
  } catch (error) {
    if (isSalvageError(error))
      return sendJson(response, 200, { ok: false, kind: error.kind, message: error.message });
    throw error;
  }
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
  const relativePath =
    pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = normalize(join(root, relativePath));
  if (!file.startsWith(resolve(root) + sep) || !existsSync(file) || !statSync(file).isFile()) {
    return send(response, 404, 'text/plain; charset=utf-8', 'Not found.');
  }
  send(
    response,
    200,
    CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    readFileSync(file),
    headers,
  );
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

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Request body too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8') || '{}'));
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
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ...headers,
  });
  response.end(body);
}
