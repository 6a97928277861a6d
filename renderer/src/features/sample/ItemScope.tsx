import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { isJsonObject, type JsonValue } from '../../../../shared/formats/json/inspectJson.ts';
import type {
  DeferredList,
  JsonPath,
  PageItem,
  PooledList,
} from '../../../../shared/formats/sample/pageTypes.ts';
import { CutTextContext, type CutText, type CutTextLookup } from '../../components/cutText.ts';
import { useStore } from '../../state/useStore.ts';

/**
 * The page item a message or an event came in, for what its view reads later: the strings the
 * page cut short (fetched whole on demand) and the pooled lists it left for paging.
 */
interface Scope {
  readonly item: PageItem;
  /** The event whose pooled lists these are (the item's own index for an event). */
  readonly event: number | null;
}

const ScopeContext = createContext<Scope | null>(null);

/** The value at `path` inside `value`, own members only. */
function valueAt(value: JsonValue, path: JsonPath): JsonValue | undefined {
  let at: JsonValue | undefined = value;
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = (at as JsonValue[])[key];
    else if (isJsonObject(at) && typeof key === 'string' && Object.hasOwn(at, key)) at = at[key];
    else return undefined;
  }
  return at;
}

const NO_CUTS: CutTextLookup = () => null;

export function ItemScope({
  item,
  event,
  children,
}: {
  item: PageItem;
  event: number | null;
  children: ReactNode;
}) {
  const reader = useStore((state) => state.sampleReader);
  const lookup = useMemo<CutTextLookup>(() => {
    if (!reader || item.truncations.length === 0) return NO_CUTS;
    const cuts = new Map<string, CutText>();
    for (const cut of item.truncations) {
      const text = valueAt(item.value, cut.path);
      if (typeof text === 'string')
        cuts.set(text, { bytes: cut.bytes, load: () => reader.fullString(cut.ref) });
    }
    return (text) => cuts.get(text) ?? null;
  }, [reader, item]);
  const scope = useMemo(() => ({ item, event }), [item, event]);
  return (
    <ScopeContext.Provider value={scope}>
      <CutTextContext.Provider value={lookup}>{children}</CutTextContext.Provider>
    </ScopeContext.Provider>
  );
}

/** The pooled list of kind `list` the event in scope left for paging, or null. */
export function useDeferredList(
  list: PooledList,
): { deferred: DeferredList; event: number } | null {
  const scope = useContext(ScopeContext);
  if (!scope || scope.event === null) return null;
  const deferred = scope.item.deferred.find((entry) => entry.list === list);
  return deferred ? { deferred, event: scope.event } : null;
}
