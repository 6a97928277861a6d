import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';
import { RunsPage } from './pages.ts';

const ROWS = 100_000;

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
  // A finished verifiers run of 100,000 rollouts (about 12 MB).
  const run = join(demo.folder, 'outputs/evals/big--gpt-4.1-mini/run-1');
  mkdirSync(run, { recursive: true });
  const lines: string[] = [];
  for (let id = 0; id < ROWS; id++) {
    lines.push(
      JSON.stringify({
        example_id: id,
        prompt: [{ role: 'user', content: `Question ${id}` }],
        completion: [{ role: 'assistant', content: `Answer ${id}` }],
        reward: id % 3 === 0 ? 1 : 0,
      }),
    );
  }
  writeFileSync(join(run, 'results.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(run, 'metadata.json'),
    JSON.stringify({ env_id: 'big', model: 'gpt-4.1-mini', num_examples: ROWS }),
  );
  // And 1,500 small finished runs, for the runs table.
  for (let index = 0; index < MANY_RUNS; index++) {
    const small = join(demo.folder, `many/outputs/evals/small--gpt-4.1-mini/run-${index}`);
    mkdirSync(small, { recursive: true });
    writeFileSync(join(small, 'results.jsonl'), '{"example_id": 0, "reward": 1}\n');
    writeFileSync(join(small, 'metadata.json'), '{"env_id": "small", "num_examples": 1}');
  }
});
const MANY_RUNS = 1_500;

test.afterAll(async () => {
  await demo?.close();
});

test('a run of 100,000 samples streams in and scrolls end to end with a bounded number of rows', async ({
  page,
}) => {
  test.setTimeout(180_000);
  page = await demo.show(page);
  await page.getByLabel('Filter runs', { exact: true }).fill('big--gpt');
  const run = await new RunsPage(page).open('big--gpt-4.1-mini');
  // Not a speed test (bench:ui is): a slow, shared machine may take its time.
  await expect(page.getByTestId('sample-count')).toHaveText(`${ROWS} of ${ROWS} samples`, {
    timeout: 90_000,
  });
  const rows = run.rows;
  // Only what is on screen (plus a margin) is in the page, however long the list.
  expect(await rows.count()).toBeLessThan(100);
  await page.evaluate('document.querySelector(".run-view .table-scroller").scrollTop = 1e9');
  await expect(run.grid).toContainText(`${ROWS - 1}`);
  expect(await rows.count()).toBeLessThan(100);
  // Typing narrows and deleting widens, from wherever the list was scrolled: each text finds the
  // ids that start with its digits (9; 9x; 9xx…), and rows are drawn for it at once.
  for (const [digits, count] of [
    ['9', 11_111],
    ['99', 1_111],
    ['999', 111],
    ['99', 1_111],
  ] as const) {
    await run.search(`question ${digits}`);
    await expect(page.getByTestId('sample-count')).toHaveText(`${count} of ${ROWS} samples`);
    const ids = await rows.locator('td:first-child').allTextContents();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith(digits))).toBe(true);
  }
  // A search over every row answers at once.
  await run.search(`question ${ROWS - 2}`);
  await expect(rows).toHaveCount(1);
  await page.screenshot({ path: demo.shot('hundred-thousand-samples') });
});

test('thousands of runs list in a table that keeps a bounded number of rows in the page', async ({
  page,
}) => {
  test.setTimeout(180_000);
  page = await demo.show(page);
  await expect(page.getByTestId('runs-status')).toHaveText(`${MANY_RUNS + 7} runs`, {
    timeout: 90_000,
  });
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tr.run-row');
  expect(await rows.count()).toBeLessThan(100);
  await page.evaluate('document.querySelector(".runs-view .table-scroller").scrollTop = 1e9');
  await expect(rows.last()).toBeVisible();
  expect(await rows.count()).toBeLessThan(100);
  // Moving up a screen and more with k: the focused row stays in view, below the sticky header.
  await rows.last().focus();
  for (let step = 0; step < 60; step++) await page.keyboard.press('k');
  const header = (await page.locator('.runs-view th').first().boundingBox())!;
  const focused = (await page.locator('tr.run-row:focus').boundingBox())!;
  expect(focused.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
});
