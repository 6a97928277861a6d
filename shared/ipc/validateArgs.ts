import { SalvageError } from '../util/errors.ts';
import type { InvokeArgs, InvokeChannel } from './contract.ts';
import { ARGUMENTS, type FieldType } from './channels.ts';

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
    case 'number-or-null':
      return value === null || (typeof value === 'number' && Number.isFinite(value));
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function describe(type: FieldType): string {
  if (typeof type === 'object') return `one of ${type.oneOf.join(', ')}`;
  return {
    string: 'a string',
    'string-or-null': 'a string or null',
    integer: 'an integer',
    'number-or-null': 'a number or null',
    boolean: 'true or false',
  }[type];
}

function invalid(channel: string, why: string): SalvageError {
  return new SalvageError('invalid-arguments', `Refused a call to ${channel}: ${why}.`);
}
