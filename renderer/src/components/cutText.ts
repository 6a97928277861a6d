import { createContext, useContext } from 'react';
import { isJsonObject, type JsonValue } from '../../../shared/formats/json/inspectJson.ts';

/**
 * A string the back end cut short in a page (it carries the first 250,000 characters): its size
 * as stored and how to fetch it whole. The page item that brought it says which strings are cut;
 * the text components ask here, by the text they were given, whether there is more of it.
 */
export interface CutText {
  readonly bytes: number;
  load(): Promise<string>;
}

export type CutTextLookup = (text: string) => CutText | null;

export const CutTextContext = createContext<CutTextLookup>(() => null);

export function useCutText(text: string): CutText | null {
  return useContext(CutTextContext)(text);
}

/** `value` with every cut string in it fetched whole (for Copy: the clipboard gets it all). */
export async function wholeValue(value: JsonValue, lookup: CutTextLookup): Promise<JsonValue> {
  if (typeof value === 'string') return (await lookup(value)?.load()) ?? value;
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value as JsonValue[]) items.push(await wholeValue(item, lookup));
    return items;
  }
  if (!isJsonObject(value)) return value;
  const entries: Array<[string, JsonValue]> = [];
  for (const [key, item] of Object.entries(value))
    entries.push([key, await wholeValue(item, lookup)]);
  // fromEntries defines own members: a key named __proto__ stays a key.
  return Object.fromEntries(entries);
}
