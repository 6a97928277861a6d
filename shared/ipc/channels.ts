import type { EventChannel, InvokeArgs, InvokeChannel } from './contract.ts';
import { EXPORT_FORMATS } from '../model/exportFormat.ts';
import { MARKDOWN_PARTS } from '../model/sampleMarkdown.ts';
import { POOLED_LISTS } from '../formats/sample/pageTypes.ts';

/** The type of one argument field. */
export type FieldType =
  | 'string'
  | 'string-or-null'
  | 'integer'
  | 'number-or-null'
  | 'boolean'
  | { readonly oneOf: ReadonlyArray<string> };

/**
 * Every invoke channel with the fields of its arguments: what the renderer may send, checked by
 * both transports before a handler runs (arguments arrive from an untrusted page, or over HTTP).
 * The compiler insists that every channel of the contract is here with every field; it is also
 * the runtime list of channels (the preload's allow-list).
 */
export const ARGUMENTS: {
  readonly [C in InvokeChannel]: { readonly [K in keyof InvokeArgs<C>]-?: FieldType };
} = {
  'salvage:folders:list': {},
  'salvage:folders:add': { path: 'string-or-null' },
  'salvage:folders:remove': { folder: 'string' },
  'salvage:runs:list': { folder: 'string' },
  'salvage:runs:stream': { folder: 'string' },
  'salvage:runs:cancel': { streamId: 'string' },
  'salvage:log:header': { path: 'string' },
  'salvage:log:sample': { path: 'string', id: 'string', epoch: 'integer' },
  'salvage:samples:stream': { path: 'string' },
  'salvage:samples:cancel': { streamId: 'string' },
  'salvage:recovery:plan': { path: 'string' },
  'salvage:recovery:run': { path: 'string', overwrite: 'boolean' },
  'salvage:repair:check': { path: 'string' },
  'salvage:repair:run': { path: 'string' },
  'salvage:repair:undo': { sidecar: 'string' },
  'salvage:compare:runs': { a: 'string', b: 'string' },
  'salvage:export:run': { path: 'string', format: { oneOf: EXPORT_FORMATS } },
  'salvage:export:sample': { path: 'string', id: 'string', epoch: 'integer' },
  'salvage:sample:markdown': {
    path: 'string',
    id: 'string',
    epoch: 'integer',
    part: { oneOf: MARKDOWN_PARTS },
  },
  'salvage:sample:open': { path: 'string', id: 'string', epoch: 'integer' },
  'salvage:sample:messages': { handle: 'string', start: 'integer', count: 'integer' },
  'salvage:sample:events': { handle: 'string', start: 'integer', count: 'integer' },
  'salvage:sample:pooled': {
    handle: 'string',
    event: 'integer',
    list: { oneOf: POOLED_LISTS },
    start: 'integer',
    count: 'integer',
  },
  'salvage:sample:outline': { handle: 'string', start: 'integer', count: 'integer' },
  'salvage:sample:rows': { handle: 'string', start: 'integer', count: 'integer' },
  'salvage:sample:field': { handle: 'string', key: 'string' },
  'salvage:sample:string': { handle: 'string', ref: 'string', start: 'integer', length: 'integer' },
  'salvage:sample:json': { handle: 'string' },
  'salvage:sample:close': { handle: 'string' },
  'salvage:search:query': {
    query: 'string',
    limit: 'integer',
    status: 'string-or-null',
    format: 'string-or-null',
    task: 'string-or-null',
    model: 'string-or-null',
    folder: 'string-or-null',
    minScore: 'number-or-null',
    maxScore: 'number-or-null',
    createdFrom: 'string-or-null',
    createdTo: 'string-or-null',
  },
  'salvage:search:samples': { path: 'string', query: 'string' },
  'salvage:search:status': {},
};

export const INVOKE_CHANNELS = Object.keys(ARGUMENTS) as ReadonlyArray<InvokeChannel>;

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.hasOwn(ARGUMENTS, value);
}

/** Runtime list of event channels, the preload's allow-list for subscriptions. */
export const EVENT_CHANNELS = [
  'salvage:samples:batch',
  'salvage:runs:batch',
  'salvage:runs:changed',
  'salvage:folders:changed',
  'salvage:recovery:progress',
  'salvage:search:progress',
] as const satisfies ReadonlyArray<EventChannel>;

// Fails to compile when a contract event is missing from the list above.
type MissingEvent = Exclude<EventChannel, (typeof EVENT_CHANNELS)[number]>;
export const ALL_EVENTS_LISTED: MissingEvent extends never ? true : never = true;

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (EVENT_CHANNELS as ReadonlyArray<string>).includes(value);
}
