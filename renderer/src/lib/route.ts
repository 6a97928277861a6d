/**
 * Where the app is, as a URL hash: the runs list (`#/`), a run (`#/run?path=…`) or a sample of it
 * (`#/run?path=…&sample=<id>&epoch=<n>`). Deep links, new tabs and Back/Forward all use it.
 */
export interface Route {
  readonly run: string | null;
  readonly sample: {
    readonly id: string;
    readonly epoch: number;
    /** A message or an event of the sample to bring into view. */
    readonly at?: { readonly list: 'messages' | 'events'; readonly index: number } | null;
  } | null;
}

export const RUNS_ROUTE: Route = { run: null, sample: null };

export function readRoute(hash: string): Route {
  if (!hash.startsWith('#/run')) return RUNS_ROUTE;
  const query = new URLSearchParams(hash.replace(/^#\/run\??/, ''));
  const run = query.get('path');
  if (!run) return RUNS_ROUTE;
  const id = query.get('sample');
  const epoch = Number(query.get('epoch') ?? '1');
  if (id === null || !Number.isSafeInteger(epoch) || epoch < 1) return { run, sample: null };
  const message = Number(query.get('message') ?? NaN);
  const event = Number(query.get('event') ?? NaN);
  const at = Number.isSafeInteger(message)
    ? { list: 'messages' as const, index: message - 1 }
    : Number.isSafeInteger(event)
      ? { list: 'events' as const, index: event - 1 }
      : null;
  return { run, sample: { id, epoch, ...(at && at.index >= 0 ? { at } : {}) } };
}

export function routeHash(route: Route): string {
  if (!route.run) return '#/';
  const query = new URLSearchParams({ path: route.run });
  if (route.sample) {
    query.set('sample', route.sample.id);
    query.set('epoch', String(route.sample.epoch));
    // Numbered from 1, as the view numbers them.
    if (route.sample.at)
      query.set(
        route.sample.at.list === 'messages' ? 'message' : 'event',
        String(route.sample.at.index + 1),
      );
  }
  return `#/run?${query.toString()}`;
}

export function sameRoute(a: Route, b: Route): boolean {
  return routeHash(a) === routeHash(b);
}
