import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';
import { RunsPage, SamplePage } from './pages.ts';

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
  const runs = new RunsPage(page);
  await expect(page.getByTestId('runs-status')).toHaveText('6 runs');
  await expect(runs.status('popularity_mj7khqpMM4GBCfVQozKgzB.eval')).toHaveText('success');
  await expect(runs.status('SyntheticCrash0001.eval')).toHaveText('crashed');
  await expect(runs.row('SyntheticCrash0001.eval')).toContainText('filestore');
  await expect(runs.row('security-guide.json')).toContainText('security_guide');
  await expect(runs.row('results.jsonl')).toContainText('torn tail');
  await expect(runs.status('results.jsonl')).toHaveText('crashed');
  await expect(runs.row('rollout-2026-11-23')).toContainText('gpt-5-codex');
  // Runs are told apart by their folder and file name, the full path on hover.
  await expect(runs.row('results.jsonl')).toContainText(
    'logs/verifiers/gsm8k--gpt-4.1-mini/8f3c2a',
  );
  await expect(runs.row('results.jsonl').locator('a.file-link')).toHaveAttribute(
    'title',
    /verifiers\/gsm8k--gpt-4\.1-mini\/8f3c2a\/results\.jsonl$/,
  );
  // A text filter matches what is shown (the badge says crashed), and the count says so.
  await page.getByLabel('Filter runs', { exact: true }).fill('crashed');
  await expect(runs.rows).toHaveCount(2);
  await expect(page.getByTestId('runs-status')).toHaveText('2 of 6 runs');
  await page.getByLabel('Filter runs', { exact: true }).fill('');
  await page.screenshot({ path: demo.shot('runs-table'), fullPage: true });
});

test('opening a run lists its samples, and a sample shows its messages and transcript', async ({
  page,
}) => {
  page = await demo.show(page);
  const run = await new RunsPage(page).open('popularity_mj7khqpMM4GBCfVQozKgzB.eval');
  await expect(run.rows).toHaveCount(10);
  // In dataset order, with headers.
  await expect(run.rows.first().locator('td').first()).toHaveText('1');
  await expect(run.grid.getByRole('columnheader', { name: 'Target' })).toBeVisible();
  await run.search('fans and followers');
  await expect(run.rows).toHaveCount(1);
  await run.openSample(0);
  const sample = new SamplePage(page);
  await expect(sample.messages).toHaveCount(3);
  await expect(sample.messages.last()).toContainText('No');
  await sample.tab('Transcript');
  await expect(sample.transcript.locator('.event-model')).toHaveCount(1);
  await page.screenshot({ path: demo.shot('sample'), fullPage: true });
  // The URL deep-links to the sample; Escape goes back to the run.
  expect(page.url()).toContain('sample=3');
  await page.keyboard.press('Escape');
  await expect(run.rows.first()).toBeVisible();
  // Back focus lands on the row of the sample that was open.
  await expect(run.grid.locator('tr.sample-row:focus')).toContainText('fans and followers');
});

test('keyboard: j/k move through rows, Enter opens, Escape goes back', async ({ page }) => {
  page = await demo.show(page);
  const rows = page.locator('tr.run-row');
  await expect(rows).toHaveCount(6);
  await rows.first().focus();
  const second = await rows.nth(1).getAttribute('data-key');
  await page.keyboard.press('j');
  await expect(page.locator('tr.run-row:focus')).toHaveAttribute('data-key', second!);
  await page.keyboard.press('k');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('tr.run-row:focus')).toHaveAttribute('data-key', second!);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Run' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('table', { name: 'Runs' })).toBeVisible();
  // Focus is back on the run that was open, so j goes on from there.
  await expect(page.locator('tr.run-row:focus')).toHaveAttribute('data-key', second!);
});

test('Back and Forward move between the list, a run and a sample, focus kept', async ({ page }) => {
  page = await demo.show(page);
  const runs = new RunsPage(page);
  const run = await runs.open('popularity_mj7khqpMM4GBCfVQozKgzB.eval');
  await expect(run.rows).toHaveCount(10);
  await run.openSample(4);
  await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
  await page.goBack();
  await expect(run.rows.first()).toBeVisible();
  await expect(run.grid.locator('tr.sample-row:focus td').first()).toHaveText('5');
  await page.goBack();
  await expect(runs.table).toBeVisible();
  await expect(runs.table.locator('tr.run-row:focus')).toContainText('mj7khqpMM4GBCfVQozKgzB');
  await page.goForward();
  await expect(run.rows).toHaveCount(10);
  await page.goForward();
  await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
  expect(page.url()).toContain('sample=5');
});

test('the column chooser hides and shows columns, and remembers the choice', async ({ page }) => {
  page = await demo.show(page);
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(table.getByRole('columnheader', { name: 'Model' })).toBeVisible();
  await page.getByText('Columns', { exact: true }).first().click();
  await page.getByRole('checkbox', { name: 'Model' }).uncheck();
  await expect(table.getByRole('columnheader', { name: 'Model' })).toHaveCount(0);
  await page.reload();
  await expect(table.getByRole('columnheader', { name: 'Task' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'Model' })).toHaveCount(0);
  await page.getByText('Columns', { exact: true }).first().click();
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
  const runs = new RunsPage(page);
  const run = await runs.open('results.jsonl');
  // The torn last line is not a rollout: six complete ones remain.
  await expect(run.rows).toHaveCount(6);
  await run.openSample(2);
  await expect(new SamplePage(page).messages.last()).toContainText('boxed{63}');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await runs.open('rollout-2026-11-23');
  await run.openSample(0);
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText('fix it and add a test');
});

test('filters: runs by status, samples by score; tokens and duration shown', async ({ page }) => {
  page = await demo.show(page);
  const runs = new RunsPage(page);
  const rows = runs.rows;
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
  // A range of the headline score; the score is named by its metric.
  await page.getByLabel('Lowest score').fill('0.9');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('accuracy 1.000');
  await expect(page.getByTestId('runs-status')).toHaveText(/^1 of \d+ runs$/);
  await page.getByLabel('Lowest score').fill('');

  const run = await runs.open('popularity_mj7khqpMM4GBCfVQozKgzB.eval');
  const samples = run.rows;
  await expect(samples).toHaveCount(10);
  // The header shows every metric of every scorer, and the configuration on demand.
  await expect(page.getByRole('list', { name: 'Scores' })).toContainText('accuracy 0.800');
  await page.getByText('Configuration').click();
  await expect(page.getByLabel('Configuration', { exact: true })).toContainText('limit: 10');
  await expect(page.getByRole('img', { name: /^match: C: 8, I: 2$/ })).toBeVisible();
  await run.filter('match == "I"');
  await expect(samples).toHaveCount(2);
  await run.filter('match == "C" and target_contains("yes")');
  await expect(samples).toHaveCount(3);
  await run.filter('frobnicate == 1');
  await expect(page.getByText(/Unknown name "frobnicate"/)).toBeVisible();
  await run.filter('');
  // The text search looks at what is shown, not at JSON keys: "match" is only a scorer's name.
  await run.search('match');
  await expect(samples).toHaveCount(0);
  await run.search('');
  // Sorting by a column: click its header; the indicator says which way.
  await run.grid.getByRole('button', { name: 'match' }).click();
  await expect(run.grid.getByRole('columnheader', { name: /match/ })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );
  await expect(samples.first().locator('.score')).toHaveText('C');
  await page.screenshot({ path: demo.shot('filters'), fullPage: true });
});

test("an agent sample's transcript nests its spans, model calls open onto their input, scores explain", async ({
  page,
}) => {
  page = await demo.show(page);
  const run = await new RunsPage(page).open('cp-ctf_ais-decoder.eval');
  await run.openSample(0);
  const sample = new SamplePage(page);
  await expect(page.getByRole('tab', { name: 'Messages (26)' })).toBeVisible();
  await sample.tab('Transcript');
  // solvers > inspect_swe/codex_cli > codex_cli: spans are rows that fold.
  await expect(sample.span('solvers')).toHaveAttribute('aria-expanded', 'true');
  await expect(sample.span('codex_cli')).toBeVisible();
  await sample.span('solvers').click();
  await expect(sample.span('codex_cli')).toHaveCount(0);
  await sample.span('solvers').click();
  const model = sample.transcript.locator('.event-model').first();
  await sample.scrollTranscriptTo(model);
  await model.getByText(/^Input: \d+ messages?$/).click();
  await expect(model.locator('.message-system').first()).toBeVisible();
  await page.screenshot({ path: demo.shot('transcript'), fullPage: true });
  await expect(page.getByRole('table', { name: 'Scores' })).toContainText('model_graded_qa');
});
