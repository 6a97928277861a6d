// The desktop window's security, read from the code that builds it (no Electron binary runs
// here): web preferences, permission handlers, navigation and window-open guards, the IPC sender
// check, the Content-Security-Policy the file:// page really gets, and the packaged fuses.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  CONTENT_SECURITY_POLICY_META,
} from '../../shared/security/contentSecurityPolicy.ts';
import {
  denyPermissionCheck,
  denyPermissionRequest,
  denyWindowOpen,
  isAppPage,
  mainWindowOptions,
  preventNavigation,
  webPreferences,
} from './windowSecurity.ts';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 'file:///opt/Salvage/resources/app.asar/out/renderer/index.html';

// Electron, recorded: what window.ts hands it.
const recorded = vi.hoisted(() => {
  const state: {
    options: unknown[];
    listeners: Map<string, unknown>;
    windowOpenHandler: unknown;
    permissionRequest: unknown;
    permissionCheck: unknown;
    loaded: string[];
  } = {
    options: [],
    listeners: new Map(),
    windowOpenHandler: undefined,
    permissionRequest: undefined,
    permissionCheck: undefined,
    loaded: [],
  };
  return state;
});
vi.mock('electron', () => ({
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: () => {} },
      setPermissionRequestHandler: (handler: unknown) => (recorded.permissionRequest = handler),
      setPermissionCheckHandler: (handler: unknown) => (recorded.permissionCheck = handler),
    },
  },
  BrowserWindow: class {
    webContents = {
      on: (event: string, listener: unknown) => recorded.listeners.set(event, listener),
      setWindowOpenHandler: (handler: unknown) => (recorded.windowOpenHandler = handler),
    };
    constructor(options: unknown) {
      recorded.options.push(options);
    }
    loadURL(url: string): Promise<void> {
      recorded.loaded.push(url);
      return Promise.resolve();
    }
  },
}));

describe('the desktop window', () => {
  it('is built with the locked-down preferences and guards', async () => {
    const { createMainWindow } = await import('./window.ts');
    createMainWindow('/app/out/preload/index.cjs', PAGE);
    expect(recorded.options).toEqual([mainWindowOptions('/app/out/preload/index.cjs')]);
    expect(recorded.permissionRequest).toBe(denyPermissionRequest);
    expect(recorded.permissionCheck).toBe(denyPermissionCheck);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview'])
      expect(recorded.listeners.get(event), event).toBe(preventNavigation);
    expect(recorded.windowOpenHandler).toBe(denyWindowOpen);
    expect(recorded.loaded).toEqual([PAGE]);
  });

  it('has no Node in the page, isolation and the sandbox on, no webviews or insecure content', () => {
    expect(webPreferences('/p.cjs')).toEqual({
      preload: '/p.cjs',
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
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('denies every permission, every navigation and every new window', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      const callback = vi.fn();
      denyPermissionRequest({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(denyPermissionCheck()).toBe(false);
    const event = { preventDefault: vi.fn() };
    preventNavigation(event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(denyWindowOpen()).toEqual({ action: 'deny' });
  });

  it('answers IPC only from the app page itself, not from URLs that merely start like it', () => {
    const trusted = isAppPage(PAGE);
    expect(trusted(PAGE)).toBe(true);
    expect(trusted(`${PAGE}#/run?path=x`)).toBe(true);
    expect(trusted(`${PAGE}?token=x`)).toBe(true);
    for (const sender of [
      `${PAGE}.evil.html`,
      `${PAGE}/../evil.html`,
      'file:///opt/Salvage/resources/app.asar/out/renderer/other.html',
      'file:///tmp/index.html',
      'https://evil.example/index.html',
      'http://127.0.0.1:8765/index.html',
      'data:text/html,<script>',
      'about:blank',
      '',
      'not a url',
    ])
      expect(trusted(sender), sender).toBe(false);
    // The main process wires this check, not a prefix test.
    const index = readFileSync(`${PROJECT}electron/main/index.ts`, 'utf8');
    expect(index).toContain('isAppPage(pageUrl)');
    expect(index).not.toMatch(/startsWith\(pageUrl\)/);
    expect(index).toContain("app.on('web-contents-created'");
  });
});

describe('the Content-Security-Policy', () => {
  const directives = (policy: string) =>
    new Map(
      policy.split(';').map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name!, values.join(' ')] as const;
      }),
    );

  it('reaches the file:// page in its <meta> (webRequest headers do not apply to file://), complete', () => {
    const meta = directives(CONTENT_SECURITY_POLICY_META);
    expect(meta.get('default-src')).toBe("'self'");
    expect(meta.get('script-src')).toBe("'self'");
    expect(meta.get('object-src')).toBe("'none'");
    expect(meta.get('base-uri')).toBe("'none'");
    expect(meta.get('connect-src')).toBe("'self'");
    expect(CONTENT_SECURITY_POLICY_META).not.toMatch(/unsafe-eval/);
    expect(meta.has('frame-ancestors')).toBe(false); // header-only; browsers ignore it in <meta>
    expect(directives(CONTENT_SECURITY_POLICY).get('frame-ancestors')).toBe("'none'");
    const template = readFileSync(`${PROJECT}renderer/index.html`, 'utf8');
    expect(template).toMatch(/<meta http-equiv="Content-Security-Policy" content="%SALVAGE_CSP%"/);
    const vite = readFileSync(`${PROJECT}vite.config.ts`, 'utf8');
    expect(vite).toContain("replace('%SALVAGE_CSP%', CONTENT_SECURITY_POLICY_META)");
  });

  it.skipIf(!existsSync(`${PROJECT}out/renderer/index.html`))(
    'is in the built page the window loads',
    () => {
      const built = readFileSync(`${PROJECT}out/renderer/index.html`, 'utf8');
      expect(built).toContain(`content="${CONTENT_SECURITY_POLICY_META}"`);
      expect(built).not.toContain('%SALVAGE_CSP%');
    },
  );
});

describe('the packaged binary', () => {
  it('flips the Electron fuses that turn off Node entry points and load only the checked asar', () => {
    const config = readFileSync(`${PROJECT}electron-builder.yml`, 'utf8');
    const fuses = config.slice(config.indexOf('electronFuses:'));
    for (const line of [
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
      'enableCookieEncryption: true',
    ])
      expect(fuses).toContain(`  ${line}\n`);
    expect(config).toMatch(/^asar: true$/m);
  });
});
