// UI benchmark (npm run bench:ui; not part of the tests): what a researcher feels in the runs list
// and the sample grid at scale, each figure printed beside the same operation on a plain array
// measured in the same run.
//   1. In Node: a filter keystroke over 100,000 samples (text search, filter expression).
//   2. In Chromium against `salvage serve`: the runs list of 100,000 runs (time to the first rows
//      on screen and to every row, cold and warm, beside the listing call alone; a filter
//      keystroke) and a search keystroke in a run of 100,000 samples.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { sampleFacts, searchTextOf } from '../../shared/model/sampleFacts.ts';
import { compileSampleFilter } from '../../renderer/src/state/sampleFilter.ts';
import { serveFolder } from '../../e2e/serve.ts';
import { findRunFiles } from '../../electron/node/logs/findLogFiles.ts';

const SAMPLES = 100_000;
const RUNS = 100_000;
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, '.bench/ui');

/** Best of `rounds` timings of `run`, in milliseconds. */
function best(rounds: number, run: () => unknown): number {
  let fastest = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

const row = (ms: number, reference: number, what: string): string =>
  `  ${what.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms   (plain array ${reference.toFixed(1)} ms)`;

// 1. In Node.
const summaries = Array.from({ length: SAMPLES }, (_, id) => ({
  id,
  epoch: 1,
  input: [{ role: 'user', content: `Question ${id}: what is ${id} squared?` }],
  target: String(id * id),
  scores: { match: { value: id % 3 === 0 ? 'C' : 'I', answer: String(id) } },
  model_usage: { m: { total_tokens: 100 + (id % 500) } },
  total_time: id % 90,
}));
const built = performance.now();
const rows = summaries.map((summary) => {
  const facts = sampleFacts(summary);
  return { facts, search: searchTextOf(facts) };
});
const buildMs = performance.now() - built;
const plainTexts = summaries.map((summary) => `question ${summary.id}: what is ${summary.id}`);
const plainObjects = summaries.map((summary) => ({
  match: summary.scores.match.value,
  tokens: summary.model_usage.m.total_tokens,
}));
const needle = 'question 9999';
const textMs = best(5, () => rows.filter((item) => item.search.includes(needle)));
const plainTextMs = best(5, () => plainTexts.filter((text) => text.includes(needle)));
const expression = compileSampleFilter('match == "C" and tokens > 300', ['match']);
if (!expression.ok) throw new Error(expression.message);
const expressionMs = best(5, () => rows.filter((item) => expression.test(item.facts)));
const plainExpressionMs = best(5, () =>
  plainObjects.filter((item) => item.match === 'C' && item.tokens > 300),
);
console.log(`\n${SAMPLES.toLocaleString()} samples, in Node (best of 5)`);
console.log(
  `  facts and search text of every row, once           ${buildMs.toFixed(0).padStart(8)} ms`,
);
console.log(row(textMs, plainTextMs, 'text search keystroke'));
console.log(row(expressionMs, plainExpressionMs, 'filter expression keystroke'));

// 2. In Chromium.
rmSync(folder, { recursive: true, force: true });
const big = join(folder, 'logs/outputs/evals/big--gpt-4.1-mini/run-1');
mkdirSync(big, { recursive: true });
writeFileSync(
  join(big, 'results.jsonl'),
  summaries
    .map((summary) =>
      JSON.stringify({
        example_id: summary.id,
        prompt: summary.input,
        completion: [{ role: 'assistant', content: summary.target }],
        reward: summary.id % 3 === 0 ? 1 : 0,
      }),
    )
    .join('\n') + '\n',
);
writeFileSync(
  join(big, 'metadata.json'),
  JSON.stringify({ env_id: 'big', model: 'gpt-4.1-mini', num_examples: SAMPLES }),
);
for (let index = 0; index < RUNS - 1; index++) {
  const small = join(folder, `logs/many/small-${Math.floor(index / 500)}/run-${index}`);
  mkdirSync(small, { recursive: true });
  writeFileSync(join(small, 'results.jsonl'), `{"example_id": 0, "reward": ${index % 2}}\n`);
  writeFileSync(join(small, 'metadata.json'), '{"env_id": "small", "num_examples": 1}');
}
// The listing's walk alone (every .json a candidate, as with a digest; no stat, no read): before
// rows came while walking, the first came after it.
const walkStarted = performance.now();
const walked = (await findRunFiles(join(folder, 'logs'), { sniffJson: false })).logs.length;
const walkMs = performance.now() - walkStarted;
const server = await serveFolder(join(folder, 'logs'), join(folder, 'data'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  /** From `load` (a first visit or a reload) to the first rows on screen, and to every row. */
  const listing = async (load: () => Promise<unknown>): Promise<{ first: number; all: number }> => {
    const started = performance.now();
    await load();
    await page.locator('tr.run-row').first().waitFor({ timeout: 600_000 });
    const first = performance.now() - started;
    await page
      .getByTestId('runs-status')
      .filter({ hasText: `${RUNS} runs` })
      .waitFor({ timeout: 600_000 });
    return { first, all: performance.now() - started };
  };
  // Cold: the first listing reads every log; the second, warm, is the one a researcher sees.
  const cold = await listing(() => page.goto(server.url));
  const warm = await listing(() => page.reload());
  const apiMs = await page.evaluate(async () => {
    const started = performance.now();
    const folders = (await (
      await fetch('api/invoke/salvage:folders:list', { method: 'POST', body: '{}' })
    ).json()) as { value: string[] };
    await fetch('api/invoke/salvage:runs:list', {
      method: 'POST',
      body: JSON.stringify({ folder: folders.value[0] }),
    }).then((response) => response.json());
    return performance.now() - started;
  });
  /**
   * One keystroke measured inside the page: the input's new value set as a user's typing sets it,
   * until the count shows the result and the next frame is drawn (no test-driver round trips).
   */
  const keystroke = (label: string, value: string, count: string, expected: string) =>
    page.evaluate<number>(`new Promise((resolve) => {
      const input = document.querySelector('input[aria-label="${label}"]');
      const shown = document.querySelector('[data-testid="${count}"]');
      const started = performance.now();
      const observer = new MutationObserver(() => {
        if (!shown.textContent.includes(${JSON.stringify(expected)})) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - started));
      });
      observer.observe(shown, { childList: true, subtree: true, characterData: true });
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(value)});
      input.dispatchEvent(new Event('input', { bubbles: true }));
    })`);
  const runsFilterMs = await keystroke('Filter runs', 'big', 'runs-status', `1 of ${RUNS} runs`);
  const plainRunsMs = await page.evaluate((count) => {
    const names = Array.from(
      { length: count },
      (_, index) => `logs/many/small/run-${index}/results.jsonl small`,
    );
    const started = performance.now();
    names.filter((name) => name.includes('big'));
    return performance.now() - started;
  }, RUNS);
  await page.locator('tr.run-row').first().locator('td').nth(4).click();
  await page
    .getByTestId('sample-count')
    .filter({ hasText: `${SAMPLES} of ${SAMPLES} samples` })
    .waitFor({ timeout: 120_000 });
  const searchMs = await keystroke(
    'Search samples',
    'question 99999',
    'sample-count',
    `1 of ${SAMPLES} samples`,
  );
  const plainSearchMs = await page.evaluate((count) => {
    const texts = Array.from(
      { length: count },
      (_, index) => `question ${index}: what is ${index}`,
    );
    const started = performance.now();
    texts.filter((text) => text.includes('question 99999'));
    return performance.now() - started;
  }, SAMPLES);
  console.log(
    `\nIn Chromium, against salvage serve (${RUNS.toLocaleString()} runs; a run of ${SAMPLES.toLocaleString()} samples)`,
  );
  for (const [name, timing] of [
    ['cold', cold],
    ['warm', warm],
  ] as const) {
    console.log(
      `  runs list, ${name}: first rows on screen ${timing.first.toFixed(0).padStart(6)} ms, all ${RUNS} rows ${timing.all.toFixed(0).padStart(6)} ms   (the warm listing call alone ${apiMs.toFixed(0)} ms)`,
    );
  }
  console.log(
    `  (the listing's walk of the folder alone, ${walked} candidate logs found: ${walkMs.toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(2)})`,
  );
  console.log(row(runsFilterMs, plainRunsMs, `runs filter keystroke, ${RUNS} runs (to the count)`));
  console.log(row(searchMs, plainSearchMs, `sample search keystroke, ${SAMPLES} samples`));
  console.log('  (a keystroke: from the input event to the count shown and the next frame drawn)');
} finally {
  await browser.close();
  await server.stop();
  rmSync(folder, { recursive: true, force: true });
}
