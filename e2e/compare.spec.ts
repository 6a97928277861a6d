import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';
import { RunsPage } from './pages.ts';

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
  // A second finished run of the same task, with a different model and sample set.
  copyFileSync(
    resolve(
      import.meta.dirname,
      '../test/fixtures/inspect/real/inspect_ai/tests/log/test_eval_log/log_formats.eval',
    ),
    join(demo.folder, 'other-model.eval'),
  );
});
test.afterAll(async () => {
  await demo?.close();
});

test('two runs side by side: configuration differences classified and scores aligned by sample', async ({
  page,
}) => {
  page = await demo.show(page);
  await new RunsPage(page).listed();
  await expect(page.getByTestId('runs-status')).toHaveText('7 runs');
  await page
    .getByLabel('Select 2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval')
    .check();
  await page.getByLabel('Select other-model.eval').check();
  await page.getByRole('button', { name: 'Compare' }).click();
  const view = page.getByRole('region', { name: 'Compare runs' });
  await expect(view.getByTestId('resume-verdict')).toContainText('Not resume-compatible');
  const differences = view.getByRole('table', { name: 'Configuration differences' });
  await expect(differences.locator('tr', { hasText: 'eval.model' }).first()).toContainText(
    'result',
  );
  await expect(differences.locator('tr', { hasText: 'max_connections' })).toContainText(
    'throughput',
  );
  const samples = view.getByRole('table', { name: 'Samples compared' });
  await expect(samples.locator('tr.compare-row')).toHaveCount(10);
  await expect(view.getByRole('table', { name: 'Score changes' })).toContainText('match');
  await page.screenshot({ path: demo.shot('compare'), fullPage: true });
});

test('a crashed run and its recovered copy: resume-compatible, the recovered samples counted as B only', async ({
  page,
}) => {
  const crashed = join(demo.folder, '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval');
  execFileSync(resolve(import.meta.dirname, '../bin/salvage'), ['recover', crashed], {
    env: { ...process.env, SALVAGE_DATA_DIR: join(demo.root, 'data') },
  });
  page = await demo.show(page);
  await new RunsPage(page).listed();
  await page
    .getByLabel('Select 2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval')
    .check();
  await page
    .getByLabel('Select 2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001-recovered.eval')
    .check();
  await page.getByRole('button', { name: 'Compare' }).click();
  const view = page.getByRole('region', { name: 'Compare runs' });
  await expect(view.getByTestId('resume-verdict')).toContainText('Resume-compatible: 0 result');
  const changes = view.getByRole('table', { name: 'Score changes' });
  await expect(changes.locator('tr', { hasText: 'match' })).toContainText('0 / 3');
  await view.getByLabel('changed samples only').check();
  await expect(view.getByTestId('compared-count')).toHaveText('3 of 10 samples');
  await page.screenshot({ path: demo.shot('compare-recovered'), fullPage: true });
});

test('the samples of several runs in one grid, each with its run; a row opens its sample', async ({
  page,
}) => {
  page = await demo.show(page);
  await new RunsPage(page).listed();
  await page
    .getByLabel('Select 2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval')
    .check();
  await page.getByLabel('Select other-model.eval').check();
  await page.getByLabel('Select 2025-05-12T20-28-26-04-00_security-guide.json').check();
  await page.getByRole('button', { name: 'Samples of 3 runs' }).click();
  const view = page.getByRole('region', { name: 'Samples of the selected runs' });
  await expect(view.getByTestId('sample-count')).toHaveText('14 of 14 samples');
  await view.getByLabel('Filter expression').fill('match == "I"');
  await expect(view.getByTestId('sample-count')).toHaveText('3 of 14 samples');
  await view.locator('tr.sample-row').first().locator('td').first().click();
  await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
});
