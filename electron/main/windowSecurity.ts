/**
 * The desktop window's security settings, as plain values and functions (no Electron import), so
 * that tests read exactly what the window is built with (no Electron binary runs on the build
 * machines): web preferences, the permission handlers, the navigation and window-open guards, and
 * the IPC sender check. `window.ts` and `index.ts` only hand these to Electron.
 */

/** The page is the app's own bundle, isolated and sandboxed; it reaches the back end only through the preload bridge. */
export function webPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // A middle click opens links in a new window (denied anyway, but never asked for).
    disableBlinkFeatures: 'Auxclick',
  } as const;
}

/** The main window's options. */
export function mainWindowOptions(preloadPath: string) {
  return {
    width: 1280,
    height: 800,
    title: 'Salvage',
    webPreferences: webPreferences(preloadPath),
  } as const;
}

/**
 * Every permission a page asks for (camera, notifications, clipboard, geolocation…) is denied:
 * Salvage needs none, and Electron grants them all unless told otherwise.
 */
export function denyPermissionRequest(
  _contents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}

/** The synchronous permission check, denied alike. */
export function denyPermissionCheck(): boolean {
  return false;
}

/** Navigation away from the app's page (a link, a redirect, a dropped file) never happens. */
export function preventNavigation(event: { preventDefault(): void }): void {
  event.preventDefault();
}

/** No new windows: `window.open` and `target=_blank` links are denied. */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * Whether an IPC message comes from the app's own page: the sender frame's URL must be the page
 * itself (its query and fragment aside, which the router uses), not merely start like it
 * (`…/index.html.evil.html` did).
 */
export function isAppPage(pageUrl: string): (senderUrl: string) => boolean {
  const page = new URL(pageUrl);
  return (senderUrl) => {
    let sender: URL;
    try {
      sender = new URL(senderUrl);
    } catch {
      return false;
    }
    return (
      sender.protocol === page.protocol &&
      sender.host === page.host &&
      sender.pathname === page.pathname
    );
  };
}
