import { expect, test, type Page } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';
import { RunsPage, SamplePage } from './pages.ts';

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
});
test.afterAll(async () => {
  await demo?.close();
});

/** Search every run from the header's box; the index is built in the background meanwhile. */
async function search(page: Page, query: string): Promise<void> {
  await page.getByLabel('Search all runs').fill(query);
}

test('searches every run of the demo folder, opens a hit with Enter and lands on the matching message', async ({
  page,
}) => {
  page = await demo.show(page);
  await search(page, '"decodes AIS messages"');
  const hits = page.getByRole('listbox', { name: 'Hits' }).getByRole('option');
  // The demo's agent run: the user's request, its fourth message.
  await expect(hits).toHaveCount(1, { timeout: 30_000 });
  await expect(hits.first()).toContainText('sample 1 · epoch 1 · message 4 (user)');
  await expect(hits.first().locator('mark')).toHaveText('decodes AIS messages');
  await expect(page.getByRole('region', { name: /cp-ctf_ais-decoder\.eval/ })).toBeVisible();
  await page.screenshot({ path: demo.shot('search-hits') });

  await page.getByLabel('Search all runs').press('Enter');
  const sample = new SamplePage(page);
  await expect(sample.view).toBeVisible();
  const focused = page.locator('.item-row.focused');
  await expect(focused.locator('[data-message]')).toHaveAttribute('data-message', '3');
  await expect(focused).toContainText('decodes AIS messages');
  expect(new URL(page.url()).hash).toContain('message=4');
  await page.screenshot({ path: demo.shot('search-landed') });

  // Back to the hits, as they were.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(hits).toHaveCount(1);
});

test('filters narrow the hits; phrases and prefixes; a bad query says what to change', async ({
  page,
}) => {
  page = await demo.show(page);
  const hits = page.getByRole('listbox', { name: 'Hits' }).getByRole('option');
  // A prefix: every form of the word, in the Codex session and the Inspect runs.
  await search(page, 'scor*');
  await expect(hits.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('region', { name: /^rollout-.*\.jsonl$/ })).toBeVisible();
  await page.getByLabel('Search runs of format').selectOption('codex');
  await expect(page.getByRole('region', { name: /\.eval$/ })).toHaveCount(0);
  await expect(page.getByRole('region', { name: /^rollout-.*\.jsonl$/ })).toBeVisible();
  await expect(hits.first()).toContainText('sample session · epoch 1 · message');
  await page.screenshot({ path: demo.shot('search-filtered') });
  await page.getByLabel('Search runs of format').selectOption('');

  await search(page, '"scorers/exact');
  await expect(page.getByRole('alert')).toHaveText(
    'The quote at character 1 is never closed: add the closing " or remove it.',
  );
  await search(page, '"def score"');
  await expect(hits.first()).toContainText('def score');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a run’s filter finds samples by any of their text through the index: text_contains', async ({
  page,
}) => {
  page = await demo.show(page);
  const run = await new RunsPage(page).open('popularity_mj7khqpMM4GBCfVQozKgzB.eval');
  await expect(page.getByTestId('sample-count')).toHaveText('10 of 10 samples');
  await run.filter('text_contains("followers")');
  await expect(page.getByTestId('sample-count')).toHaveText(/^[1-9] of 10 samples$/, {
    timeout: 30_000,
  });
  await run.filter('text_contains("a*")');
  await expect(page.locator('.filter-error')).toContainText('too short a prefix');
});
