import { contextBridge, ipcRenderer } from 'electron';
import { isEventChannel, isInvokeChannel } from '../../shared/ipc/channels.ts';

// A narrow bridge (rule 3): only the contract's channels, no logic.
contextBridge.exposeInMainWorld('salvage', {
  invoke: (channel: unknown, args: unknown): Promise<unknown> => {
    if (!isInvokeChannel(channel))
      return Promise.reject(new Error(`Unknown channel ${String(channel)}`));
    return ipcRenderer.invoke(channel, args);
  },
  on: (channel: unknown, listener: (payload: unknown) => void): (() => void) => {
    if (!isEventChannel(channel)) throw new Error(`Unknown event ${String(channel)}`);
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
});
