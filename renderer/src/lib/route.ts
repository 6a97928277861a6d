/** Deep links: `#/run?path=…&sample=<id>&epoch=<n>` names a run and a sample. */
export interface Route {
  readonly run: string | null;
  readonly sample: { readonly id: string; readonly epoch: number } | null;
}

export function readRoute(hash: string): Route {
  const query = new URLSearchParams(hash.replace(/^#\/run\??/, ''));
  const run = hash.startsWith('#/run') ? query.get('path') : null;
  const id = query.get('sample');
  const epoch = Number(query.get('epoch') ?? '1');
  return { run, sample: run && id !== null ? { id, epoch } : null };
}

export function writeRoute(route: Route): void {
  const query = new URLSearchParams();
  if (route.run) query.set('path', route.run);
  if (route.sample) {
    query.set('sample', route.sample.id);
    query.set('epoch', String(route.sample.epoch));
  }
  const hash = route.run ? `#/run?${query.toString()}` : '';
  if (window.location.hash !== hash)
    window.history.replaceState(
      null,
      '',
      `${window.location.pathname}${window.location.search}${hash}`,
    );
}
