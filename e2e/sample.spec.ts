import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemo, type DemoApp } from './app.ts';
import { sampleChunks, type SamplePlan } from '../test/support/generatedSample.ts';
import { writeGeneratedEval } from '../test/support/generatedEval.ts';
import { readClipboard, RunsPage, SamplePage } from './pages.ts';

const REAL = resolve(
  import.meta.dirname,
  '../test/fixtures/inspect/real/inspect_ai/tests/log/test_eval_log',
);
/** A real Inspect log of three samples that between them hold every event kind it writes. */
const EVERY_KIND = resolve(
  import.meta.dirname,
  '../test/fixtures/inspect/real-made/every-kind/every-kind.eval',
);
/** Its event kinds that are rows of the transcript (span_begin and span_end are the span rows). */
const EVENT_ROWS = [
  'anchor',
  'approval',
  'branch',
  'compaction',
  'error',
  'info',
  'input',
  'interrupt',
  'logger',
  'model',
  'sample_init',
  'sample_limit',
  'sandbox',
  'score',
  'score_edit',
  'state',
  'store',
  'subtask',
  'tool',
];

/**
 * A generated agent sample small enough to write in a moment: the last turn's tool output is
 * 400,000 characters (the page carries 250,000), and the 110th model call sees the whole
 * conversation (220 messages: more than an event's page resolves inline, so paged on its own).
 */
const PLAN: SamplePlan = {
  turns: 120,
  toolOutputBytes: 30_000,
  replyBytes: 2_000,
  bigStrings: 1,
  bigStringBytes: 400_000,
  window: 10,
  fullEvery: 110,
};
const BIG_CHARS = 400_000;
/** Events: two before the turns, then span_begin, model, tool, span_end per turn. */
const BIG_TOOL_EVENT = 4 * (PLAN.turns - 1) + 4;
const FULL_CALL_EVENT = 4 * (PLAN.fullEvery - 1) + 3;

let demo: DemoApp;
test.beforeAll(async () => {
  demo = await startDemo(test.info());
  await writeGeneratedEval(join(demo.folder, 'generated.eval'), sampleChunks(PLAN));
  // Real Inspect logs with an image in a message and tool calls that failed in five ways.
  copyFileSync(join(REAL, 'log_images.json'), join(demo.folder, 'images.json'));
  copyFileSync(join(REAL, 'log_tool_call_error.json'), join(demo.folder, 'tool-errors.json'));
  copyFileSync(EVERY_KIND, join(demo.folder, 'every-kind.eval'));
});
test.afterAll(async () => {
  await demo?.close();
});

test('messages render markdown and code; an image shows; a tool’s errors show with its function', async ({
  page,
}) => {
  page = await demo.show(page);
  const runs = new RunsPage(page);
  const sample = new SamplePage(page);
  // The agent run: markdown lists and fenced code, drawn as such.
  let run = await runs.open('cp-ctf_ais-decoder.eval');
  await run.openSample(0);
  await expect(sample.messages.first().locator('.markdown li').first()).toBeVisible();
  await expect(page.locator('.sample-summary .markdown pre code')).toContainText('npm install');
  await page.screenshot({ path: demo.shot('sample-markdown') });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');

  // An image from the message's content, as an image.
  run = await runs.open('images.json');
  await run.openSample(0);
  const image = sample.messages.locator('img.content-image');
  await expect(image).toBeVisible();
  const width = await image.evaluate(
    (element) => (element as unknown as { naturalWidth: number }).naturalWidth,
  );
  expect(width).toBeGreaterThan(0);
  await page.screenshot({ path: demo.shot('sample-image') });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');

  // Tool messages: the function's name and each error's kind.
  run = await runs.open('tool-errors.json');
  await run.openSample(0);
  const toolMessages = sample.messages.filter({ has: page.locator('.role-tool') });
  await expect(toolMessages.first()).toContainText('bash');
  for (const kind of ['parsing', 'timeout', 'permission'])
    await expect(page.locator('.tool-error', { hasText: kind }).first()).toBeVisible();
  await page.screenshot({ path: demo.shot('sample-tool-errors') });
});

test('spans fold; find reaches an event inside a folded span; a deep link opens an event', async ({
  page,
}) => {
  page = await demo.show(page);
  const run = await new RunsPage(page).open('cp-ctf_ais-decoder.eval');
  await run.openSample(0);
  const sample = new SamplePage(page);
  await sample.tab('Transcript');
  await sample.span('solvers').click();
  await expect(sample.span('codex_cli')).toHaveCount(0);
  // Find looks through every event, folded or not yet drawn, and unfolds what holds its match.
  await sample.find('restic');
  await expect(page.getByTestId('find-status')).toHaveText(/^1 of \d+$/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('find-status')).toHaveText(/^2 of \d+$/);
  const focused = page.locator('.item-row.focused');
  await expect(focused).toContainText(/restic/i);
  await page.screenshot({ path: demo.shot('sample-find') });

  // A link to an event opens the sample on that event.
  const event = 40;
  await page.goto(sample.linkTo(page.url(), 'event', event));
  await expect(page.locator('.item-row.focused')).toContainText(`#${event}`);
  await expect(sample.transcript).toBeVisible();
});

test('a long tool output loads whole; a late call pages its input; copy puts a message, the transcript and the JSON on the clipboard', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = await demo.show(page);
  const run = await new RunsPage(page).open('generated.eval');
  await run.openSample(0);
  const sample = new SamplePage(page);
  await sample.tab('Transcript');

  // The tool output of the last turn is 400,000 characters: the page carries 250,000.
  await page.goto(sample.linkTo(page.url(), 'event', BIG_TOOL_EVENT + 1));
  const tool = page.locator('.item-row.focused');
  await tool.getByText(/^Result \(/).click();
  const more = tool.getByRole('button', { name: /^Show all \(.*250,000 characters shown\)$/ });
  await expect(more).toBeVisible();
  await more.click();
  await expect
    .poll(() =>
      tool
        .locator('.plain-text pre')
        .evaluate((element) => (element as unknown as { textContent: string }).textContent.length),
    )
    .toBe(BIG_CHARS);

  // The call that sees the whole conversation: its input comes a page at a time.
  await page.goto(sample.linkTo(page.url(), 'event', FULL_CALL_EVENT + 1));
  const call = page.locator('.item-row.focused');
  await call.getByText(/^Input: 220 messages$/).click();
  await expect(call.getByRole('article')).toHaveCount(50 + 1);
  await call.getByRole('button', { name: 'Show more (50 of 220)' }).click();
  await expect(call.getByRole('article')).toHaveCount(100 + 1);
  await page.screenshot({ path: demo.shot('sample-paged-input') });

  const clipboard = (): Promise<string> => readClipboard(page);
  const copyMessage = call.getByRole('article').nth(1).locator('[data-copy="Copy"]');
  await copyMessage.click();
  await expect(copyMessage).toHaveText('Copied');
  expect(await clipboard()).toMatch(/^### system\n\n/);

  const copyTranscript = page.locator('[data-copy="Copy transcript"]');
  await copyTranscript.click();
  await expect(copyTranscript).toHaveText('Copied');
  const transcript = await clipboard();
  expect(transcript).toMatch(/^# Sample generated, epoch 1 — transcript\n/);
  expect(transcript).toContain('- **model**');

  // Resolved, this sample's JSON is far past what a clipboard should hold: Copy says what to do.
  const copyJson = page.locator('[data-copy="Copy JSON"]');
  await copyJson.click();
  await expect(copyJson).toHaveText(/^Copy failed: .*salvage sample LOG ID EPOCH --json/);
});

test('Copy JSON puts the sample, resolved, on the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = await demo.show(page);
  const run = await new RunsPage(page).open('popularity_mj7khqpMM4GBCfVQozKgzB.eval');
  await run.openSample(0);
  const copyJson = page.locator('[data-copy="Copy JSON"]');
  await copyJson.click();
  await expect(copyJson).toHaveText('Copied');
  const copied = JSON.parse(await readClipboard(page)) as {
    id: unknown;
    messages: unknown[];
    scores: unknown;
  };
  expect(copied.messages.length).toBeGreaterThan(0);
  expect(copied.scores).toBeTruthy();
});

test('every event kind Inspect writes has its own view (a real log holding them all)', async ({
  page,
}) => {
  page = await demo.show(page);
  const sample = new SamplePage(page);
  const run = await new RunsPage(page).open('every-kind.eval');
  await expect(run.rows).toHaveCount(3);
  await run.openSample(0);
  const seen = new Set<string>();
  const generic: string[] = [];
  for (let index = 0; index < 3; index++) {
    if (index > 0) await page.getByRole('button', { name: 'Next sample' }).click();
    await sample.tab('Transcript');
    await page.getByRole('button', { name: 'expand all' }).click();
    // Through the whole transcript: its rows are drawn only near the view.
    for (let step = 0; step < 60; step++) {
      await expect(sample.transcript.locator('.loading-row')).toHaveCount(0);
      for (const { kind, generic: fallback } of await sample.drawnEvents()) {
        seen.add(kind);
        if (fallback) generic.push(kind);
      }
      if (!(await sample.pageDownTranscript())) break;
    }
    if (index === 0) await page.screenshot({ path: demo.shot('sample-every-kind') });
  }
  expect([...seen].sort()).toEqual(EVENT_ROWS);
  expect(generic).toEqual([]);
});
