import { copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
});
test.afterAll(async () => {
  await demo?.close();
});

test('folders: open another, its runs join the table, the choice survives a restart, closing removes them', async ({
  page,
}) => {
  const more = join(demo.root, 'more-logs');
  mkdirSync(more);
  copyFileSync(
    join(demo.folder, '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval'),
    join(more, 'second-copy.eval'),
  );
  page = await demo.show(page);
  const status = (): Locator => page.getByTestId('runs-status');
  const opened = (): Locator =>
    page.getByRole('list', { name: 'Opened folders' }).getByRole('listitem');
  await expect(status()).toHaveText('6 runs');
  await expect(opened()).toHaveText(['logs×']);

  if (demo.mode === 'web') {
    // A path that is not a folder is refused with a message, and nothing changes.
    await page.getByLabel('Folder path').fill(join(demo.root, 'no-such-folder'));
    await page.getByRole('button', { name: 'Open folder' }).click();
    await expect(page.getByRole('alert')).toContainText('does not exist');
    await expect(opened()).toHaveCount(1);
    await page.getByLabel('Folder path').fill(more);
    await page.getByRole('button', { name: 'Open folder' }).click();
  } else {
    // The desktop opens folders only through the native dialog.
    await demo.answerFolderDialog(more);
    await page.getByRole('button', { name: 'Open folder…' }).click();
  }
  await expect(opened()).toHaveText(['logs×', 'more-logs×']);
  await expect(status()).toHaveText('7 runs');
  await expect(page.getByRole('table', { name: 'Runs' })).toContainText('second-copy.eval');

  // Remembered: the app started again (same data directory) opens both folders again.
  await demo.restart();
  page = await demo.show(page);
  await expect(opened()).toHaveText(['logs×', 'more-logs×']);
  await expect(status()).toHaveText('7 runs');
  await page.screenshot({ path: demo.shot('folders'), fullPage: true });

  await page.getByRole('button', { name: `Close folder ${realpathSync(more)}` }).click();
  await expect(opened()).toHaveText(['logs×']);
  await expect(status()).toHaveText('6 runs');
  await expect(page.getByRole('table', { name: 'Runs' })).not.toContainText('second-copy.eval');
});
