import { ipcMain, type WebContents } from 'electron';
import type { InvokeMap } from '../../../shared/ipc/contract.ts';
import { createIpcListeners } from './ipcListeners.ts';
import type { EventHub } from '../../node/services/eventHub.ts';

/**
 * The only importer of ipcMain (rule 2): registers every contract channel, refusing messages
 * from frames other than the app's own page.
 */
export function registerHandlers(
  handlers: InvokeMap,
  isTrustedSender: (senderUrl: string) => boolean,
): void {
  for (const [channel, listener] of createIpcListeners(handlers, isTrustedSender)) {
    ipcMain.handle(channel, (event, args: unknown) => listener(event.senderFrame?.url ?? '', args));
  }
}

/** The only sender of events to the window (rule 2): forwards every hub event to its page. */
export function forwardEvents(events: EventHub, contents: WebContents): () => void {
  return events.subscribe((channel, payload) => {
    if (!contents.isDestroyed()) contents.send(channel, payload);
  });
}
