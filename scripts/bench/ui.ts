// UI benchmark (npm run bench:ui; not part of the tests): what a researcher feels in the runs list
// and the sample grid at scale, each figure printed beside the same operation on a plain array
// measured in the same run.
//   1. In Node: a filter keystroke over 100,000 samples (text search, filter expression).
//   2. In Chromium against `salvage serve`: the runs list of 100,000 runs (time to the first rows
//      on screen and to every row, cold and warm, beside the listing call alone; filter
//      keystrokes) and search keystrokes in a run of 100,000 samples. A keystroke is timed from
//      the input event to the first frame painted with the filtered rows and their count, typed
//      as people type (each key narrowing or widening the rows), beside the same filter over a
//      plain array and an idle frame, both measured in the same page.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { sampleFacts, searchTextOf } from '../../shared/model/sampleFacts.ts';
import { compileSampleFilter } from '../../renderer/src/state/sampleFilter.ts';
import { selectRows } from '../../renderer/src/lib/shownRows.ts';
import { TextSearch } from '../../renderer/src/lib/textSearch.ts';
import { serveFolder } from '../../e2e/serve.ts';
import { findRunFiles } from '../../electron/node/logs/findLogFiles.ts';

const SAMPLES = 100_000;
/** Runs listed: 100,000 unless `--runs N` says otherwise (the sample grid's figures need few). */
const RUNS = Number(
  parseArgs({ options: { runs: { type: 'string', default: '100000' } } }).values.runs,
);
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
// As the sample grid searches: the rows' texts joined in chunks once, then one search per key.
const search = new TextSearch<(typeof rows)[number]>((item) => item.search);
const joinMs = best(1, () => search.select(rows, needle));
const textMs = best(5, () => search.select(rows, needle));
const plainTextMs = best(5, () => plainTexts.filter((text) => text.includes(needle)));
const expression = compileSampleFilter('match == "C" and tokens > 300', ['match']);
if (!expression.ok) throw new Error(expression.message);
const expressionMs = best(5, () => selectRows(rows, (item) => expression.test(item.facts)));
const plainExpressionMs = best(5, () =>
  plainObjects.filter((item) => item.match === 'C' && item.tokens > 300),
);
console.log(`\n${SAMPLES.toLocaleString()} samples, in Node (best of 5)`);
console.log(
  `  facts and search text of every row, once           ${buildMs.toFixed(0).padStart(8)} ms`,
);
console.log(
  `  search texts joined for the text search, once      ${joinMs.toFixed(0).padStart(8)} ms`,
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
  // A cold listing of 100,000 runs on a loaded machine keeps the page loading for minutes.
  page.setDefaultNavigationTimeout(600_000);
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
   * Keys typed one after another into the input labelled `label`, each measured inside the page
   * (no test-driver round trips): from the input event (the value set as typing sets it) until
   * the count `count` has changed and the next frame is painted (a message posted from that
   * frame's animation callback runs after its style, layout and paint). Each key must change the
   * count. Three rounds; the median, the slowest and the first key (the first search of a list).
   */
  // The page's code is a string: this script is type-checked without the DOM's types.
  const afterPaint = `requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now() - started);
      channel.port2.postMessage(null);
    })`;
  const typing = async (label: string, count: string, keys: ReadonlyArray<string>) => {
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const value of keys) {
        times.push(
          await page.evaluate<number>(`new Promise((resolve) => {
            const input = document.querySelector('input[aria-label="${label}"]');
            const shown = document.querySelector('[data-testid="${count}"]');
            const before = shown.textContent;
            const started = performance.now();
            const observer = new MutationObserver(() => {
              if (shown.textContent === before) return;
              observer.disconnect();
              ${afterPaint};
            });
            observer.observe(shown, { childList: true, subtree: true, characterData: true });
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(value)});
            input.dispatchEvent(new Event('input', { bubbles: true }));
          })`),
        );
      }
    }
    const first = times[0]!;
    const sorted = times.sort((a, b) => a - b);
    return {
      first,
      median: sorted[Math.floor(sorted.length / 2)]!,
      slowest: sorted.at(-1)!,
      keys: times.length,
    };
  };
  /** The median of 30 idle frames measured the same way: the floor of a keystroke here. */
  const idleFrame = async (): Promise<number> => {
    const times: number[] = [];
    for (let frame = 0; frame < 30; frame++)
      times.push(
        await page.evaluate<number>(`new Promise((resolve) => {
          const started = performance.now();
          ${afterPaint};
        })`),
      );
    return times.sort((a, b) => a - b)[15]!;
  };
  /** The same narrowing over `count` plain strings in the page, best of 5. */
  const plainScan = (count: number, needle: string) =>
    page.evaluate(
      ({ count, needle }) => {
        const texts = Array.from({ length: count }, (_, index) => `run-${index} question ${index}`);
        let fastest = Infinity;
        for (let round = 0; round < 5; round++) {
          const started = performance.now();
          texts.filter((text) => text.includes(needle));
          fastest = Math.min(fastest, performance.now() - started);
        }
        return fastest;
      },
      { count, needle },
    );
  // Each key changes the rows shown: narrowing as a name or number is typed, widening as it is
  // deleted, then every row again.
  const runsKeys = ['1', '12', '123', '1234', '123', '12', '1', ''];
  const runsIdle = await idleFrame();
  const runsTyping = await typing('Filter runs', 'runs-status', runsKeys);
  const plainRunsMs = await plainScan(RUNS, '12');
  // Open the big run: the one run the filter leaves.
  await page.getByLabel('Filter runs', { exact: true }).fill('big--gpt');
  await page
    .getByTestId('runs-status')
    .filter({ hasText: `1 of ${RUNS} runs` })
    .waitFor();
  await page.locator('tr.run-row').first().locator('td').nth(4).click();
  await page
    .getByTestId('sample-count')
    .filter({ hasText: `${SAMPLES} of ${SAMPLES} samples` })
    .waitFor({ timeout: 120_000 });
  const sampleKeys = ['9', '99', '999', '9999', '99999', '9999', '999', '99', '9', ''];
  const samplesIdle = await idleFrame();
  const searchTyping = await typing('Search samples', 'sample-count', sampleKeys);
  const plainSearchMs = await plainScan(SAMPLES, '99');
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
  const typed = (
    what: string,
    timing: { first: number; median: number; slowest: number; keys: number },
    plain: number,
    idle: number,
  ) =>
    console.log(
      `  ${what.padEnd(44)} median ${timing.median.toFixed(1).padStart(6)} ms, slowest ${timing.slowest.toFixed(0).padStart(4)} ms of ${timing.keys}, first ${timing.first.toFixed(0)} ms   (plain array ${plain.toFixed(1)} ms; idle frame ${idle.toFixed(1)} ms)`,
    );
  typed(`runs filter keystroke, ${RUNS} runs`, runsTyping, plainRunsMs, runsIdle);
  typed(`sample search keystroke, ${SAMPLES} samples`, searchTyping, plainSearchMs, samplesIdle);
  console.log(
    '  (a keystroke: from the input event to the first frame painted with the filtered rows and count)',
  );
  console.log(
    `  load average at the end: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await browser.close();
  await server.stop();
  rmSync(folder, { recursive: true, force: true });
}
