import { contextBridge, ipcRenderer } from 'electron';
import { isInvokeChannel } from '../../shared/ipc/channels.ts';

// A narrow bridge (rule 3): only the contract's channels, no logic.
contextBridge.exposeInMainWorld('salvage', {
  invoke: (channel: unknown, args: unknown): Promise<unknown> => {
    if (!isInvokeChannel(channel))
      return Promise.reject(new Error(`Unknown channel ${String(channel)}`));
    return ipcRenderer.invoke(channel, args);
  },
});
