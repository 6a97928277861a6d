import type { InvokeArgs, InvokeChannel, InvokeResult } from '../../../shared/ipc/contract.ts';

type Outcome<T> = { ok: true; value: T } | { ok: false; kind: string; message: string };

/** The only code that touches window.salvage (rule 9): typed calls over the desktop bridge. */
export async function invoke<C extends InvokeChannel>(
  channel: C,
  args: InvokeArgs<C>,
): Promise<InvokeResult<C>> {
  const bridge = window.salvage;
  if (!bridge)
    throw new Error('No back end: open Salvage as the desktop app or through `salvage serve`.');
  const outcome = (await bridge.invoke(channel, args)) as Outcome<InvokeResult<C>>;
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.value;
}
