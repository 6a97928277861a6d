import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type {
  InvokeArgs,
  InvokeChannel,
  InvokeMap,
  InvokeResult,
} from '../../../shared/ipc/contract.ts';
import { INVOKE_CHANNELS } from '../../../shared/ipc/channels.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';

/** What crosses IPC for a failed call: typed errors keep their kind, anything else is an internal error. */
export type InvokeOutcome<T> =
  { ok: true; value: T } | { ok: false; kind: string; message: string };

/**
 * The only importer of ipcMain (rule 2): registers every contract channel, refusing messages
 * from frames other than the app's own page.
 */
export function registerHandlers(
  handlers: InvokeMap,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, args: unknown) => {
      if (!isTrustedSender(event)) return { ok: false, kind: 'io', message: 'Untrusted sender.' };
      return invoke(handlers, channel, args as InvokeArgs<typeof channel>);
    });
  }
}

async function invoke<C extends InvokeChannel>(
  handlers: InvokeMap,
  channel: C,
  args: InvokeArgs<C>,
): Promise<InvokeOutcome<InvokeResult<C>>> {
  try {
    const handler = handlers[channel] as (args: InvokeArgs<C>) => Promise<InvokeResult<C>>;
    return { ok: true, value: await handler(args) };
  } catch (error) {
    if (isSalvageError(error)) return { ok: false, kind: error.kind, message: error.message };
    return {
      ok: false,
      kind: 'internal',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
