import { BrowserWindow, session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../shared/security/contentSecurityPolicy.ts';
import {
  denyPermissionCheck,
  denyPermissionRequest,
  denyWindowOpen,
  mainWindowOptions,
  preventNavigation,
} from './windowSecurity.ts';

/** The main window, locked down (the settings are in windowSecurity.ts, where tests read them). */
export function createMainWindow(preloadPath: string, pageUrl: string): BrowserWindow {
  // For pages served over HTTP(S); the app's file:// page gets the same policy from its <meta>.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  session.defaultSession.setPermissionRequestHandler(denyPermissionRequest);
  session.defaultSession.setPermissionCheckHandler(denyPermissionCheck);
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  window.webContents.on('will-navigate', preventNavigation);
  window.webContents.on('will-redirect', preventNavigation);
  window.webContents.on('will-attach-webview', preventNavigation);
  window.webContents.setWindowOpenHandler(denyWindowOpen);
  void window.loadURL(pageUrl);
  return window;
}
