import { app, dialog, BrowserWindow } from 'electron';
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogService } from '../node/services/logService.ts';
import { forwardEvents, registerHandlers } from './ipc/typedIpc.ts';
import { EventHub } from '../node/services/eventHub.ts';
import { watchOpenedFolders } from '../node/services/folderWatcher.ts';
import { OpenedFolders } from '../node/services/openedFolders.ts';
import { RunDigest, salvageDataDir } from '../node/index/runDigest.ts';
import { ReaderPool } from '../node/logs/readerPool.ts';
import { SearchService } from '../node/search/searchService.ts';
import { createMainWindow } from './window.ts';
import { isAppPage, preventNavigation, denyWindowOpen } from './windowSecurity.ts';
import { isS3Url } from '../node/s3/s3Url.ts';

// Composition root: build the services, register the handlers, open the window. No logic here.
// Salvage's own data directory, when set, holds the window's storage too (tests, portable installs).
if (process.env.SALVAGE_DATA_DIR)
  app.setPath('userData', join(process.env.SALVAGE_DATA_DIR, 'electron'));
const logDir = process.env.SALVAGE_LOG_DIR;
const initialFolder = logDir && isS3Url(logDir) ? logDir : resolve(logDir ?? demoFolder());
const pageUrl = pathToFileURL(join(app.getAppPath(), 'out/renderer/index.html')).href;

/**
 * The demo folder: the project's own in development; in a packaged app a writable copy in the
 * user's data folder (the shipped one sits read-only inside the archive, and recovery and repair
 * write beside their logs).
 */
function demoFolder(): string {
  const shipped = join(app.getAppPath(), 'demo/logs');
  if (!app.isPackaged) return shipped;
  const copy = join(app.getPath('userData'), 'demo-logs');
  if (!existsSync(copy)) cpSync(shipped, copy, { recursive: true });
  return copy;
}

/** The native folder dialog: on the desktop, the only way a folder gets opened. */
async function chooseFolder(): Promise<string | null> {
  const owner = BrowserWindow.getFocusedWindow();
  const options = { title: 'Open a folder of logs', properties: ['openDirectory' as const] };
  const result = owner
    ? await dialog.showOpenDialog(owner, options)
    : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** The native confirmation before a typed `s3://` folder is opened with the user's credentials. */
async function confirmRemoteFolder(url: string): Promise<boolean> {
  const owner = BrowserWindow.getFocusedWindow();
  const options = {
    type: 'question' as const,
    title: 'Open a folder in object storage',
    message: `Open ${url}?`,
    detail:
      'Salvage reads it with your AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws); they stay in this process and never reach the window.',
    buttons: ['Open', 'Cancel'],
    defaultId: 0,
    cancelId: 1,
  };
  const result = owner
    ? await dialog.showMessageBox(owner, options)
    : await dialog.showMessageBox(options);
  return result.response === 0;
}

/** The native save dialog, suggesting a path: on the desktop, the user says where a file goes. */
async function chooseSavePath(suggested: string): Promise<string | null> {
  const owner = BrowserWindow.getFocusedWindow();
  const options = { title: 'Save as', defaultPath: suggested };
  const result = owner
    ? await dialog.showSaveDialog(owner, options)
    : await dialog.showSaveDialog(options);
  return result.canceled ? null : (result.filePath ?? null);
}

void app.whenReady().then(async () => {
  const events = new EventHub();
  // A folder named by SALVAGE_LOG_DIR that does not exist is left out, not fatal: the window opens.
  const initial = isS3Url(initialFolder) || existsSync(initialFolder) ? [initialFolder] : [];
  const folders = await OpenedFolders.load(join(salvageDataDir(), 'folders.json'), initial);
  const digest = RunDigest.open();
  // The worker threads of the search index and of listings, bundled beside the main process.
  const search = new SearchService({
    folders,
    events,
    workerUrl: pathToFileURL(join(app.getAppPath(), 'out/worker/searchWorker.js')),
  });
  search.start();
  const pool = new ReaderPool({
    workerUrl: pathToFileURL(join(app.getAppPath(), 'out/reader/readerWorker.js')),
  });
  app.on('will-quit', () => {
    void search.close();
    void pool.close();
    digest.close();
  });
  registerHandlers(
    createLogService({
      folders,
      events,
      chooseFolder,
      confirmRemoteFolder,
      chooseSavePath,
      digest,
      search,
      pool,
      decodeWorkerUrl: pathToFileURL(join(app.getAppPath(), 'out/decode/decodeWorker.js')),
    }),
    isAppPage(pageUrl),
  );
  const window = createMainWindow(join(app.getAppPath(), 'out/preload/index.cjs'), pageUrl);
  forwardEvents(events, window.webContents);
  watchOpenedFolders(folders, events);
});

// Any web contents that ever appears (none but the window should) is held to the same rules.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', preventNavigation);
  contents.on('will-attach-webview', preventNavigation);
  contents.setWindowOpenHandler(denyWindowOpen);
});

app.on('window-all-closed', () => app.quit());
