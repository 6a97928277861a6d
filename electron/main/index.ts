import { app } from 'electron';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogService } from '../node/services/logService.ts';
import { forwardEvents, registerHandlers } from './ipc/typedIpc.ts';
import { EventHub } from '../node/services/eventHub.ts';
import { watchFolders } from '../node/services/folderWatcher.ts';
import { createMainWindow } from './window.ts';

// Composition root: build the services, register the handlers, open the window. No logic here.
const logFolder = resolve(process.env.SALVAGE_LOG_DIR ?? join(app.getAppPath(), 'demo/logs'));
const pageUrl = pathToFileURL(join(app.getAppPath(), 'out/renderer/index.html')).href;

void app.whenReady().then(() => {
  const events = new EventHub();
  registerHandlers(createLogService({ folders: () => [logFolder], events }), (senderUrl) =>
    senderUrl.startsWith(pageUrl),
  );
  const window = createMainWindow(join(app.getAppPath(), 'out/preload/index.cjs'), pageUrl);
  forwardEvents(events, window.webContents);
  watchFolders([logFolder], events);
});

app.on('window-all-closed', () => app.quit());
