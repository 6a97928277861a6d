import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';

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
});
test.afterAll(async () => {
  await demo?.close();
});

test('a run of 100,000 samples streams in and scrolls end to end with a bounded number of rows', async ({
  page,
}) => {
  page = await demo.show(page);
  await page.locator('tr.run-row', { hasText: 'big--gpt-4.1-mini' }).dblclick();
  await expect(page.getByTestId('sample-count')).toHaveText(`${ROWS} of ${ROWS} samples`, {
    timeout: 30_000,
  });
  const list = page.getByRole('list', { name: 'Samples' });
  const rows = list.getByRole('listitem');
  // Only what is on screen (plus a margin) is in the page, however long the list.
  expect(await rows.count()).toBeLessThan(100);
  await list.evaluate('document.querySelector(".run-view .table-scroller").scrollTop = 1e9');
  await expect(list).toContainText(`${ROWS - 1}`);
  expect(await rows.count()).toBeLessThan(100);
  await page.screenshot({ path: demo.shot('hundred-thousand-samples') });
});
