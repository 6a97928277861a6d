import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { expect, test, _electron } from '@playwright/test';

/** Electron's binary, or why there is none (it cannot be downloaded on the build machines). */
function electronBinary(): { path: string | null; reason: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string'
      ? { path, reason: '' }
      : { path: null, reason: 'the electron package did not give a binary path' };
  } catch (error) {
    return {
      path: null,
      reason: `no Electron binary here (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

const binary = electronBinary();
/** The bundled main process; Electron does not run the TypeScript entry as it is. */
const MAIN_BUNDLE = resolve(import.meta.dirname, '../out/main/index.js');

test.describe('desktop app', () => {
  test.skip(binary.path === null, binary.reason);
  test.skip(
    !existsSync(MAIN_BUNDLE),
    `the Electron main process is not bundled (${MAIN_BUNDLE} is missing)`,
  );

  test('opens the demo folder in a window with the runs table', async () => {
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: [MAIN_BUNDLE],
    });
    const window = await app.firstWindow();
    await expect(window.getByRole('table', { name: 'Runs' })).toBeVisible();
    await app.close();
  });
});
