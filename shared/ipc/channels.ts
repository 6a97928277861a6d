import type { EventChannel, InvokeChannel } from './contract.ts';

/** Runtime list of invoke channels: the preload's allow-list, checked against the contract by the compiler. */
export const INVOKE_CHANNELS = [
  'salvage:app:folders',
  'salvage:folders:add',
  'salvage:folders:remove',
  'salvage:runs:list',
  'salvage:log:info',
  'salvage:log:sample',
  'salvage:recovery:plan',
  'salvage:recovery:run',
  'salvage:repair:check',
  'salvage:repair:run',
  'salvage:repair:undo',
  'salvage:log:header',
  'salvage:samples:stream',
  'salvage:samples:cancel',
  'salvage:export:run',
  'salvage:export:sample',
  'salvage:compare:runs',
] as const satisfies ReadonlyArray<InvokeChannel>;

// Fails to compile when a contract channel is missing from the list above.
type Missing = Exclude<InvokeChannel, (typeof INVOKE_CHANNELS)[number]>;
export const ALL_CHANNELS_LISTED: Missing extends never ? true : never = true;

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as ReadonlyArray<string>).includes(value);
}

/** Runtime list of event channels, the preload's allow-list for subscriptions. */
export const EVENT_CHANNELS = [
  'salvage:samples:batch',
  'salvage:runs:changed',
  'salvage:folders:changed',
  'salvage:recovery:progress',
] as const satisfies ReadonlyArray<EventChannel>;

// Fails to compile when a contract event is missing from the list above.
type MissingEvent = Exclude<EventChannel, (typeof EVENT_CHANNELS)[number]>;
export const ALL_EVENTS_LISTED: MissingEvent extends never ? true : never = true;

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (EVENT_CHANNELS as ReadonlyArray<string>).includes(value);
}
