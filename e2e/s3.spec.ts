// Web mode on a bucket: `salvage serve s3://…` against a real S3-compatible server (s3rver) on
// 127.0.0.1, configured the way a user configures it (AWS_* variables in the server's
// environment, never in the page). The desktop's typed bucket folder and its native confirmation
// are covered in electron/node/s3/s3Service.test.ts: Playwright cannot click a native dialog.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import {
  putFolder,
  putObject,
  startS3Server,
  testClient,
  useS3,
  type S3TestServer,
} from '../test/support/s3Server.ts';
import { RunPage, RunsPage, SamplePage } from './pages.ts';
import { copyDemo, serveFolder } from './serve.ts';

const BUCKET = 'team-evals';
const POPULARITY = '2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval';
const HOUR_MS = 60 * 60_000;

let s3: S3TestServer;
let app: { url: string; stop(): Promise<void> };
let root: string;

test.beforeAll(async () => {
  test.skip(
    test.info().project.name === 'electron',
    'web mode only: the desktop opens a typed bucket folder after a native confirmation (s3Service.test.ts)',
  );
  s3 = await startS3Server([BUCKET]);
  const demo = copyDemo('salvage-e2e-s3-');
  root = demo.root;
  const client = testClient(s3.endpoint);
  await putFolder(client, BUCKET, 'runs', demo.folder);
  await putObject(
    client,
    BUCKET,
    'more/second-copy.eval',
    readFileSync(join(demo.folder, POPULARITY)),
  );
  // Written three hours ago, buffer manifest and all: the crashed run no longer looks busy.
  s3.age(BUCKET, 3 * HOUR_MS);
  // The server reads the AWS_* variables it inherits, as it would from a user's shell.
  useS3(s3.endpoint);
  app = await serveFolder(
    `s3://${BUCKET}/runs`,
    mkdtempSync(join(tmpdir(), 'salvage-e2e-s3-data-')),
  );
});

test.afterAll(async () => {
  await app?.stop();
  await s3?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('s3: serve a bucket folder, its runs listed and judged, a run and a sample opened, another bucket folder typed in', async ({
  page,
}) => {
  await page.goto(app.url);
  const runs = new RunsPage(page);
  const status = (): Locator => page.getByTestId('runs-status');
  const opened = (): Locator =>
    page.getByRole('list', { name: 'Opened folders' }).getByRole('listitem');
  await expect(opened()).toHaveText(['runs×']);
  await expect(status()).toHaveText('6 runs');
  await expect(runs.status(POPULARITY)).toHaveText('success');
  // Crashed, sure of it (the buffer manifest is hours old), with its filestore in the bucket.
  await expect(runs.status('SyntheticCrash0001.eval')).toHaveText('crashed');
  await expect(runs.status('SyntheticCrash0001.eval')).toHaveAttribute('data-confidence', 'high');
  await expect(runs.status('SyntheticCrash0001.eval')).toHaveAttribute(
    'title',
    /crashed \(sure\): buffer manifest last written 3 h ago/,
  );
  await expect(runs.row('SyntheticCrash0001.eval')).toContainText('filestore');
  await page.screenshot({ path: 'test-results/e2e/web-s3-runs.png', fullPage: true });

  const run = await runs.open(POPULARITY);
  await expect(run.rows).toHaveCount(10);
  await run.search('fans and followers');
  await expect(run.rows).toHaveCount(1);
  await run.openSample(0);
  const sample = new SamplePage(page);
  await expect(sample.messages).toHaveCount(3);
  await sample.tab('Transcript');
  await expect(sample.transcript.locator('.event-model')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/e2e/web-s3-sample.png', fullPage: true });
  await page.goBack();
  await expect(new RunPage(page).rows.first()).toBeVisible();
  await page.goBack();
  await expect(runs.table).toBeVisible();

  // A bucket that does not exist is refused with what to check; nothing changes.
  await page.getByLabel('Folder path').fill('s3://no-such-bucket/runs');
  await page.getByRole('button', { name: 'Open folder' }).click();
  await expect(page.getByRole('alert')).toContainText('bucket does not exist');
  await expect(opened()).toHaveCount(1);
  // Another folder of the bucket joins the table.
  await page.getByLabel('Folder path').fill(`s3://${BUCKET}/more`);
  await page.getByRole('button', { name: 'Open folder' }).click();
  await expect(opened()).toHaveText(['runs×', 'more×']);
  await expect(status()).toHaveText('7 runs');
  await expect(runs.table).toContainText('second-copy.eval');
  await page.screenshot({ path: 'test-results/e2e/web-s3-folders.png', fullPage: true });
});

test('s3: the crashed run recovers from its filestore in the bucket, written back beside it', async ({
  page,
}) => {
  await page.goto(app.url);
  const runs = new RunsPage(page);
  await runs.row('SyntheticCrash0001.eval').getByRole('button', { name: 'Recover' }).click();
  const dialog = page.getByRole('dialog', { name: 'Recover run' });
  await expect(dialog.getByTestId('plan-source')).toHaveText('filestore');
  await expect(dialog.getByTestId('plan-flushed')).toHaveText('7');
  await dialog.getByRole('button', { name: 'Recover', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText('Recovered 10 samples');
  await expect(runs.status('SyntheticCrash0001-recovered.eval')).toHaveText('error');
  await expect(runs.row('SyntheticCrash0001-recovered.eval')).toContainText('runs');
  await dialog.getByRole('button', { name: 'Open recovered run' }).click();
  await expect(new RunPage(page).rows).toHaveCount(10);
  await page.screenshot({ path: 'test-results/e2e/web-s3-recovered.png', fullPage: true });
});
