import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, _electron } from '@playwright/test';
import { electronBinary, missingDisplay } from '../scripts/electronBinary.ts';

const PROJECT = resolve(import.meta.dirname, '..');
const binary = electronBinary();
const display = missingDisplay();

test.describe('desktop app', () => {
  test.skip(binary.path === null, binary.reason);
  test.skip(display !== null, `Electron cannot open a window here: ${display}`);

  test('opens the demo folder in a window: runs table, a run, a sample', async () => {
    const root = mkdtempSync(join(tmpdir(), 'salvage-electron-'));
    cpSync(join(PROJECT, 'demo/logs'), join(root, 'logs'), {
      recursive: true,
      filter: (source) => !source.endsWith(join('demo', 'logs', 'live')),
    });
    // The project folder is the app (package.json `main` is the bundled main process).
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: [PROJECT],
      env: {
        ...process.env,
        SALVAGE_LOG_DIR: join(root, 'logs'),
        SALVAGE_DATA_DIR: join(root, 'data'),
      },
    });
    try {
      const window = await app.firstWindow();
      const table = window.getByRole('table', { name: 'Runs' });
      await expect(table.locator('tr.run-row', { hasText: 'SyntheticCrash0001' })).toContainText(
        'crashed',
      );
      await table
        .locator('tr.run-row', { hasText: 'popularity_mj7khqpMM4GBCfVQozKgzB' })
        .dblclick();
      await expect(window.getByRole('list', { name: 'Samples' })).toBeVisible();
      await window.screenshot({ path: 'test-results/e2e/electron-run.png' });
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
