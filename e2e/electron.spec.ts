import { createRequire } from 'node:module';
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

test.describe('desktop app', () => {
  test.skip(binary.path === null, binary.reason);

  test('opens the demo folder in a window with the runs table', async () => {
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: ['electron/main/index.ts'],
    });
    const window = await app.firstWindow();
    await expect(window.getByRole('table', { name: 'Runs' })).toBeVisible();
    await app.close();
  });
});
