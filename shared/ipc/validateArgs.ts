import { SalvageError } from '../util/errors.ts';
import type { InvokeArgs, InvokeChannel } from './contract.ts';

/** The type of one argument field. */
type FieldType =
  'string' | 'string-or-null' | 'integer' | { readonly oneOf: ReadonlyArray<string> };

/**
 * The argument fields of every channel: what the renderer may send, checked by both transports
 * before a handler runs (arguments arrive from an untrusted page, or over HTTP). The compiler
 * insists that every channel is listed; unknown extra fields are refused too.
 */
const ARGUMENTS: {
  readonly [C in InvokeChannel]: { readonly [K in keyof InvokeArgs<C>]-?: FieldType };
} = {
  'salvage:app:folders': {},
  'salvage:folders:add': { path: 'string-or-null' },
  'salvage:folders:remove': { folder: 'string' },
  'salvage:runs:list': { folder: 'string' },
  'salvage:log:info': { path: 'string' },
  'salvage:log:sample': { path: 'string', id: 'string', epoch: 'integer' },
  'salvage:recovery:plan': { path: 'string' },
  'salvage:recovery:run': { path: 'string' },
  'salvage:repair:check': { path: 'string' },
  'salvage:repair:run': { path: 'string' },
  'salvage:repair:undo': { sidecar: 'string' },
  'salvage:log:header': { path: 'string' },
  'salvage:compare:runs': { a: 'string', b: 'string' },
  'salvage:export:run': { path: 'string', format: { oneOf: ['eval', 'json', 'jsonl', 'csv'] } },
  'salvage:export:sample': { path: 'string', id: 'string', epoch: 'integer' },
  'salvage:samples:stream': { path: 'string' },
  'salvage:samples:cancel': { streamId: 'string' },
};

/** `args` as the channel's arguments, or a typed refusal saying which field is wrong. */
export function validateArgs<C extends InvokeChannel>(channel: C, args: unknown): InvokeArgs<C> {
  const fields = ARGUMENTS[channel] as Readonly<Record<string, FieldType>>;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw invalid(channel, 'the arguments must be an object');
  }
  const given = args as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(fields, key)) throw invalid(channel, `unknown field "${key}"`);
  }
  for (const [key, type] of Object.entries(fields)) {
    if (!fits(given[key], type)) throw invalid(channel, `"${key}" must be ${describe(type)}`);
  }
  return args as InvokeArgs<C>;
}

function fits(value: unknown, type: FieldType): boolean {
  if (typeof type === 'object') return typeof value === 'string' && type.oneOf.includes(value);
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'string-or-null':
      return typeof value === 'string' || value === null;
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
  }
}

function describe(type: FieldType): string {
  if (typeof type === 'object') return `one of ${type.oneOf.join(', ')}`;
  return { string: 'a string', 'string-or-null': 'a string or null', integer: 'an integer' }[type];
}

function invalid(channel: string, why: string): SalvageError {
  return new SalvageError('invalid-arguments', `Refused a call to ${channel}: ${why}.`);
}
