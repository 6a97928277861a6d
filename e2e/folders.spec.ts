import { copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { serveDemoCopy, type DemoServer } from './serve.ts';

let server: DemoServer;
test.beforeAll(async () => {
  server = await serveDemoCopy();
});
test.afterAll(async () => {
  await server.stop();
});

test('folders: open another by path, its runs join the table, the choice survives a restart, closing removes them', async ({
  page,
}) => {
  const more = join(server.root, 'more-logs');
  mkdirSync(more);
  copyFileSync(
    join(server.folder, '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval'),
    join(more, 'second-copy.eval'),
  );
  await page.goto(server.url);
  const status = page.getByTestId('runs-status');
  const opened = page.getByRole('list', { name: 'Opened folders' });
  await expect(status).toHaveText('6 runs');
  await expect(opened.getByRole('listitem')).toHaveText(['logs×']);

  // A path that is not a folder is refused with a message, and nothing changes.
  await page.getByLabel('Folder path').fill(join(server.root, 'no-such-folder'));
  await page.getByRole('button', { name: 'Open folder' }).click();
  await expect(page.getByRole('alert')).toContainText('does not exist');
  await expect(opened.getByRole('listitem')).toHaveCount(1);

  await page.getByLabel('Folder path').fill(more);
  await page.getByRole('button', { name: 'Open folder' }).click();
  await expect(opened.getByRole('listitem')).toHaveText(['logs×', 'more-logs×']);
  await expect(status).toHaveText('7 runs');
  await expect(page.getByRole('table', { name: 'Runs' })).toContainText('second-copy.eval');

  // Remembered: a restarted server (same data directory) opens both folders again.
  server = await server.restart();
  await page.goto(server.url);
  await expect(opened.getByRole('listitem')).toHaveText(['logs×', 'more-logs×']);
  await expect(status).toHaveText('7 runs');
  await page.screenshot({ path: 'test-results/e2e/folders.png', fullPage: true });

  await page.getByRole('button', { name: `Close folder ${realpathSync(more)}` }).click();
  await expect(opened.getByRole('listitem')).toHaveText(['logs×']);
  await expect(status).toHaveText('6 runs');
  await expect(page.getByRole('table', { name: 'Runs' })).not.toContainText('second-copy.eval');
});
