import type {
  InvokeArgs,
  InvokeChannel,
  InvokeMap,
  InvokeResult,
} from '../../../shared/ipc/contract.ts';
import { INVOKE_CHANNELS } from '../../../shared/ipc/channels.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { validateArgs } from '../../../shared/ipc/validateArgs.ts';

/** What crosses IPC for a call: typed errors keep their kind, anything else is an internal error. */
export type InvokeOutcome<T> =
  { ok: true; value: T } | { ok: false; kind: string; message: string };

/** An IPC listener, given the sender's frame URL and the untrusted arguments. */
export type IpcListener = (senderUrl: string, args: unknown) => Promise<InvokeOutcome<unknown>>;

/**
 * One listener per channel of the contract, refusing senders other than the app's own page.
 * Kept free of Electron so that tests can prove every channel is served.
 */
export function createIpcListeners(
  handlers: InvokeMap,
  isTrustedSender: (senderUrl: string) => boolean,
): ReadonlyMap<InvokeChannel, IpcListener> {
  const listeners = new Map<InvokeChannel, IpcListener>();
  for (const channel of INVOKE_CHANNELS) {
    listeners.set(channel, async (senderUrl, args) => {
      if (!isTrustedSender(senderUrl))
        return { ok: false, kind: 'io', message: 'Untrusted sender.' };
      return invoke(handlers, channel, args as InvokeArgs<typeof channel>);
    });
  }
  return listeners;
}

async function invoke<C extends InvokeChannel>(
  handlers: InvokeMap,
  channel: C,
  args: InvokeArgs<C>,
): Promise<InvokeOutcome<InvokeResult<C>>> {
  try {
    const handler = handlers[channel] as (args: InvokeArgs<C>) => Promise<InvokeResult<C>>;
    return { ok: true, value: await handler(validateArgs(channel, args)) };
  } catch (error) {
    if (isSalvageError(error)) return { ok: false, kind: error.kind, message: error.message };
    return {
      ok: false,
      kind: 'internal',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
