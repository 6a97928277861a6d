import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  _electron,
  test,
  type ElectronApplication,
  type Page,
  type TestInfo,
} from '@playwright/test';
import { electronBinary, missingDisplay } from '../scripts/electronBinary.ts';
import { copyDemo, serveDemoCopy, type DemoServer } from './serve.ts';

/** How the specs reach the app: the `web` project through `salvage serve`, `electron` as the desktop app. */
export type Mode = 'web' | 'electron';

/** The app on a fresh copy of the demo folder, in the mode of the running project. */
export interface DemoApp {
  readonly mode: Mode;
  /** The demo copy the app opened. */
  readonly folder: string;
  /** The temporary root holding the copy and Salvage's data directory. */
  readonly root: string;
  /** The app's start page (the runs table): `page` in web mode, the app's window on the desktop. */
  show(page: Page): Promise<Page>;
  /** Quit and start again on the same folders and data directory. */
  restart(): Promise<void>;
  /** Desktop: the path the next folder dialog answers with (Playwright cannot click a native dialog). */
  answerFolderDialog(path: string): Promise<void>;
  close(): Promise<void>;
  /** Where a screenshot named `name` goes, apart for each mode. */
  shot(name: string): string;
}

const PROJECT = resolve(import.meta.dirname, '..');

/**
 * Start the app for the specs of one file (call in `beforeAll`). In the `electron` project, the
 * file's tests are skipped, with the reason, where no Electron binary or no display exists.
 */
export async function startDemo(info: TestInfo): Promise<DemoApp> {
  if (info.project.name !== 'electron') return webDemo(await serveDemoCopy());
  const binary = electronBinary();
  test.skip(binary.path === null, binary.reason);
  const display = missingDisplay();
  test.skip(display !== null, `Electron cannot open a window here: ${display}`);
  return electronDemo(binary.path!);
}

function webDemo(first: DemoServer): DemoApp {
  let server = first;
  return {
    mode: 'web',
    folder: server.folder,
    root: server.root,
    show: async (page) => {
      await page.goto(server.url);
      return page;
    },
    restart: async () => {
      server = await server.restart();
    },
    answerFolderDialog: () => Promise.reject(new Error('web mode has no folder dialog')),
    close: () => server.stop(),
    shot: (name) => `test-results/e2e/web-${name}.png`,
  };
}

async function electronDemo(binary: string): Promise<DemoApp> {
  const { root, folder } = copyDemo('salvage-electron-');
  // The project folder is the app: package.json `main` is the bundled main process.
  const launch = (): Promise<ElectronApplication> =>
    _electron.launch({
      executablePath: binary,
      args: [PROJECT],
      env: { ...process.env, SALVAGE_LOG_DIR: folder, SALVAGE_DATA_DIR: join(root, 'data') },
    });
  let app = await launch();
  return {
    mode: 'electron',
    folder,
    root,
    show: async () => {
      const window = await app.firstWindow();
      // Each test starts on the runs table, as a fresh page does in web mode.
      await window.evaluate("location.hash = ''");
      await window.reload();
      return window;
    },
    restart: async () => {
      await app.close();
      app = await launch();
    },
    answerFolderDialog: (path) =>
      app.evaluate(({ dialog }, chosen) => {
        Object.assign(dialog, {
          showOpenDialog: () => Promise.resolve({ canceled: false, filePaths: [chosen] }),
        });
      }, path),
    close: async () => {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    },
    shot: (name) => `test-results/e2e/electron-${name}.png`,
  };
}
