import type {
  EventChannel,
  EventMap,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
} from '../../../shared/ipc/contract.ts';
import { parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';

type Outcome<T> = { ok: true; value: T } | { ok: false; kind: string; message: string };

/** A failed call: the back end's typed error kind and its message. */
export class BackendError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string) {
    super(message);
    this.name = 'BackendError';
    this.kind = kind;
  }
}

/**
 * The one place that talks to the back end: the preload bridge in the desktop app, HTTP in web
 * mode (`salvage serve`, where the token travels as a cookie set by the printed URL).
 */
export async function invoke<C extends InvokeChannel>(
  channel: C,
  args: InvokeArgs<C>,
): Promise<InvokeResult<C>> {
  const outcome = window.salvage
    ? ((await window.salvage.invoke(channel, args)) as Outcome<InvokeResult<C>>)
    : await overHttp<C>(channel, args);
  if (!outcome.ok) throw new BackendError(outcome.kind, outcome.message);
  return outcome.value;
}

async function overHttp<C extends InvokeChannel>(
  channel: C,
  args: InvokeArgs<C>,
): Promise<Outcome<InvokeResult<C>>> {
  const response = await fetch(`api/invoke/${encodeURIComponent(channel)}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  const text = await response.text();
  if (!response.headers.get('content-type')?.startsWith('application/json')) {
    return { ok: false, kind: 'http', message: `${response.status}: ${text}` };
  }
  return parseInspectJson(text, 'The response') as unknown as Outcome<InvokeResult<C>>;
}

/** True in the desktop app (the preload bridge is there), false in web mode. */
export function isDesktop(): boolean {
  return window.salvage !== undefined;
}

let eventSource: EventSource | undefined;

/**
 * Listen to a back-end event: the bridge's `on` in the desktop app, server-sent events in web
 * mode (one shared connection). Returns the unsubscribe function.
 */
export function subscribe<C extends EventChannel>(
  channel: C,
  listener: (payload: EventMap[C]) => void,
): () => void {
  if (window.salvage)
    return window.salvage.on(channel, (payload) => listener(payload as EventMap[C]));
  eventSource ??= new EventSource('api/events');
  const handler = (event: MessageEvent<string>): void =>
    listener(parseInspectJson(event.data, 'An event') as unknown as EventMap[C]);
  eventSource.addEventListener(channel, handler);
  return () => eventSource?.removeEventListener(channel, handler);
}

/** Resolves once the web transport's event connection is open (at once on desktop). */
export function eventsReady(): Promise<void> {
  if (window.salvage) return Promise.resolve();
  eventSource ??= new EventSource('api/events');
  if (eventSource.readyState === EventSource.OPEN) return Promise.resolve();
  const source = eventSource;
  return new Promise((resolve) => source.addEventListener('open', () => resolve(), { once: true }));
}
