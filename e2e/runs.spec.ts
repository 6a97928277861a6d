import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
});
test.afterAll(async () => {
  await demo?.close();
});

test('the runs table shows every demo run with its status and recovery source', async ({
  page,
}) => {
  page = await demo.show(page);
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(page.getByTestId('runs-status')).toHaveText('6 runs');
  const row = (name: string) => table.locator('tr.run-row', { hasText: name });
  await expect(row('popularity_mj7khqpMM4GBCfVQozKgzB.eval').locator('[data-status]')).toHaveText(
    'success',
  );
  await expect(row('SyntheticCrash0001.eval').locator('[data-status]')).toHaveText('crashed');
  await expect(row('SyntheticCrash0001.eval')).toContainText('filestore');
  await expect(row('security-guide.json')).toContainText('security_guide');
  await expect(row('results.jsonl')).toContainText('torn tail');
  await expect(row('results.jsonl').locator('[data-status]')).toHaveText('crashed');
  await expect(row('rollout-2026-11-23')).toContainText('gpt-5-codex');
  await page.screenshot({ path: demo.shot('runs-table'), fullPage: true });
});

test('opening a run lists its samples, and a sample shows its messages and transcript', async ({
  page,
}) => {
  page = await demo.show(page);
  await page
    .locator('tr.run-row', { hasText: 'popularity_mj7khqpMM4GBCfVQozKgzB.eval' })
    .dblclick();
  const samples = page.getByRole('list', { name: 'Samples' });
  await expect(samples.getByRole('listitem')).toHaveCount(10);
  await page.getByLabel('Filter samples').fill('fans and followers');
  await expect(samples.getByRole('listitem')).toHaveCount(1);
  await samples.getByRole('listitem').first().click();
  const messages = page.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('li')).toHaveCount(3);
  await expect(messages.locator('li').last()).toContainText('No');
  await page.getByRole('tab', { name: 'transcript' }).click();
  await expect(page.getByLabel('Transcript').locator('li.event-model')).toHaveCount(1);
  await page.screenshot({ path: demo.shot('sample'), fullPage: true });
  // The URL deep-links to the sample; Escape goes back to the run.
  expect(page.url()).toContain('sample=3');
  await page.keyboard.press('Escape');
  await expect(samples.getByRole('listitem').first()).toBeVisible();
});

test('keyboard: j/k move through rows, Enter opens, Escape goes back', async ({ page }) => {
  page = await demo.show(page);
  const rows = page.locator('tr.run-row');
  await expect(rows).toHaveCount(6);
  await rows.first().focus();
  const second = await rows.nth(1).getAttribute('data-path');
  await page.keyboard.press('j');
  await expect(page.locator('tr.run-row:focus')).toHaveAttribute('data-path', second!);
  await page.keyboard.press('k');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('tr.run-row:focus')).toHaveAttribute('data-path', second!);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Run' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('table', { name: 'Runs' })).toBeVisible();
});

test('the column chooser hides and shows columns, and remembers the choice', async ({ page }) => {
  page = await demo.show(page);
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(table.getByRole('columnheader', { name: 'Model' })).toBeVisible();
  await page.getByText('Columns').click();
  await page.getByRole('checkbox', { name: 'Model' }).uncheck();
  await expect(table.getByRole('columnheader', { name: 'Model' })).toHaveCount(0);
  await page.reload();
  await expect(table.getByRole('columnheader', { name: 'Task' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'Model' })).toHaveCount(0);
  await page.getByText('Columns').click();
  await page.getByRole('checkbox', { name: 'Model' }).check();
  await expect(table.getByRole('columnheader', { name: 'Model' })).toBeVisible();
});

test('the runs list refreshes by itself when a log appears in the folder', async ({ page }) => {
  page = await demo.show(page);
  await expect(page.getByTestId('runs-status')).toHaveText('6 runs');
  copyFileSync(
    join(demo.folder, '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval'),
    join(demo.folder, 'copied-while-open.eval'),
  );
  await expect(page.locator('tr.run-row', { hasText: 'copied-while-open.eval' })).toBeVisible();
  await expect(page.getByTestId('runs-status')).toHaveText('7 runs');
});

test('verifiers rollouts and a Codex session open like any run', async ({ page }) => {
  page = await demo.show(page);
  await page.locator('tr.run-row', { hasText: 'results.jsonl' }).dblclick();
  const samples = page.getByRole('list', { name: 'Samples' });
  // The torn last line is not a rollout: six complete ones remain.
  await expect(samples.getByRole('listitem')).toHaveCount(6);
  await samples.getByRole('listitem').nth(2).click();
  await expect(page.getByRole('list', { name: 'Messages' }).locator('li').last()).toContainText(
    'boxed{63}',
  );
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.locator('tr.run-row', { hasText: 'rollout-2026-11-23' }).dblclick();
  await samples.getByRole('listitem').first().click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText('fix it and add a test');
});

test('filters: runs by status, samples by score; tokens and duration shown', async ({ page }) => {
  page = await demo.show(page);
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tr.run-row');
  const popularity = rows.filter({ hasText: 'popularity_mj7khqpMM4GBCfVQozKgzB.eval' });
  await expect(popularity).toContainText('640');
  await expect(popularity).toContainText('4s');
  await page.getByLabel('Filter runs by status').selectOption('needs recovery or repair');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'SyntheticCrash0001' })).toContainText('filestore');
  await expect(rows.filter({ hasText: 'results.jsonl' })).toContainText('torn tail');
  await page.getByLabel('Filter runs by status').selectOption('success');
  await expect(rows.filter({ hasText: 'SyntheticCrash0001' })).toHaveCount(0);
  expect(new Set(await rows.locator('[data-status]').allTextContents())).toEqual(
    new Set(['success']),
  );
  await page.getByLabel('Filter runs by status').selectOption('all');

  await popularity.dblclick();
  const samples = page.getByRole('list', { name: 'Samples' }).getByRole('listitem');
  await expect(samples).toHaveCount(10);
  // The header shows every metric of every scorer, and the configuration on demand.
  await expect(page.getByRole('list', { name: 'Scores' })).toContainText('accuracy 0.800');
  await page.getByText('Configuration').click();
  await expect(page.locator('.run-config pre')).toContainText('"limit": 10');
  await page.getByLabel('Filter by score').selectOption('match: I');
  await expect(samples).toHaveCount(2);
  await page.getByLabel('Filter by score').selectOption('match: C');
  await expect(samples).toHaveCount(8);
  await page.screenshot({ path: demo.shot('filters'), fullPage: true });
});

test("an agent sample's transcript nests its spans, model calls open onto their input, scores explain", async ({
  page,
}) => {
  page = await demo.show(page);
  await page.locator('tr.run-row', { hasText: 'cp-ctf_ais-decoder.eval' }).dblclick();
  await page.getByRole('list', { name: 'Samples' }).getByRole('listitem').first().click();
  await expect(page.getByRole('list', { name: 'Messages' }).locator('li')).toHaveCount(26);
  await page.getByRole('tab', { name: 'transcript' }).click();
  const transcript = page.getByLabel('Transcript');
  const model = transcript.locator('li.event-model').first();
  await expect(transcript.locator('li.event-model')).toHaveCount(10);
  // solvers > solver > agent > model: three levels in.
  expect(await model.getAttribute('style')).toContain('margin-left: 54px');
  await model.getByText('input').click();
  await expect(model.locator('details pre')).toContainText('user:');
  await page.screenshot({ path: demo.shot('transcript'), fullPage: true });
  await page.getByRole('tab', { name: 'scores' }).click();
  const scores = page.getByRole('table', { name: 'Scores' });
  await expect(scores).toContainText('model_graded_qa');
  await expect(scores.locator('td.explanation')).not.toBeEmpty();
});
