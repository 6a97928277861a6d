import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';
import { RunsPage } from './pages.ts';

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
});
test.afterAll(async () => {
  await demo?.close();
});

const salvage = (...args: string[]): string =>
  execFileSync(resolve(import.meta.dirname, '../bin/salvage'), args, { encoding: 'utf8' });

test('exports of a run are files the command line reads back', async ({ page }) => {
  page = await demo.show(page);
  const run = await new RunsPage(page).open('popularity_mj7khqpMM4GBCfVQozKgzB.eval');
  await expect(run.rows).toHaveCount(10);
  const base = join(
    demo.folder,
    '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.export',
  );
  for (const format of ['json', 'eval'] as const) {
    await page.getByRole('button', { name: format, exact: true }).click();
    await expect(page.getByRole('status')).toHaveAttribute('title', `${base}.${format}`);
    const info = JSON.parse(salvage('info', `${base}.${format}`, '--json')) as {
      header: { status: string };
      summaries: unknown[];
    };
    expect(info.header.status).toBe('success');
    expect(info.summaries).toHaveLength(10);
  }
  await page.getByRole('button', { name: 'csv', exact: true }).click();
  await expect(page.getByRole('status')).toHaveAttribute('title', `${base}.csv`);
  await page.screenshot({ path: demo.shot('export') });

  // One sample's conversation and transcript as Markdown: web mode downloads it.
  await run.search('fans and followers');
  await run.openSample(0);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Markdown' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(
    '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.sample-3-epoch-1.md',
  );
  const text = readFileSync(await file.path(), 'utf8');
  expect(text).toMatch(/^# Sample 3/m);
  expect(text).toContain('fans and followers');

  // The exports are listed with their run, not as runs of their own.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('runs-status')).toHaveText('6 runs');
  await expect(
    new RunsPage(page).row('popularity_mj7khqpMM4GBCfVQozKgzB.eval').getByText('3 exports'),
  ).toBeVisible();
});
