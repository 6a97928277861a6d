import { expect, type Locator, type Page } from '@playwright/test';

/** The runs list as a user sees it: rows found by the text they show (a file name, a task). */
export class RunsPage {
  readonly page: Page;
  readonly table: Locator;
  readonly rows: Locator;

  constructor(page: Page) {
    this.page = page;
    this.table = page.getByRole('table', { name: 'Runs' });
    this.rows = this.table.locator('tr.run-row');
  }

  row(text: string): Locator {
    return this.rows.filter({ hasText: text });
  }

  status(text: string): Locator {
    return this.row(text).locator('[data-status]');
  }

  /**
   * Wait until the folder is listed. Rows stream in, in sorted order, and are keyed by their
   * place: until the listing ends, the row found by its text may show another run by the time it
   * is clicked or its box ticked. The progress comes with the first rows and stays until the
   * last, so the first row is waited for first (before it, no progress shows either).
   */
  async listed(): Promise<void> {
    await expect(this.page.locator('tr.run-row').first()).toBeVisible({ timeout: 60_000 });
    await expect(this.page.getByTestId('runs-progress')).toHaveCount(0, { timeout: 60_000 });
  }

  /** Open a run with one click on its row. */
  async open(text: string): Promise<RunPage> {
    await this.listed();
    await this.row(text).locator('td').nth(4).click();
    return new RunPage(this.page);
  }
}

/** An open run: its sample grid, search and filter. */
export class RunPage {
  readonly page: Page;
  readonly view: Locator;
  readonly grid: Locator;
  readonly rows: Locator;

  constructor(page: Page) {
    this.page = page;
    this.view = page.getByRole('region', { name: 'Run' });
    this.grid = page.getByRole('table', { name: 'Samples' });
    this.rows = this.grid.locator('tr.sample-row');
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search samples').fill(text);
  }

  async filter(expression: string): Promise<void> {
    await this.page.getByLabel('Filter expression').fill(expression);
  }

  /** Open the sample of the n-th row shown. */
  async openSample(index = 0): Promise<void> {
    await this.rows.nth(index).locator('td').first().click();
  }
}

/** An open sample: its summary, messages, transcript tree and find band. */
export class SamplePage {
  readonly page: Page;
  readonly view: Locator;
  readonly messages: Locator;
  readonly transcript: Locator;

  constructor(page: Page) {
    this.page = page;
    this.view = page.getByRole('region', { name: 'Sample' });
    this.messages = page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
    this.transcript = page.getByLabel('Transcript', { exact: true });
  }

  async tab(name: 'Messages' | 'Transcript' | 'Metadata' | 'JSON'): Promise<void> {
    await this.page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
  }

  /** A span row of the transcript tree, by its name. */
  span(name: string): Locator {
    return this.transcript.getByRole('button', { name: new RegExp(`^[▸▾]\\s*${name}\\b`) });
  }

  /** Scroll the transcript down until `target` is drawn (its rows are virtualized). */
  async scrollTranscriptTo(target: Locator): Promise<void> {
    for (let step = 0; step < 100 && (await target.count()) === 0; step++) {
      await this.transcript.evaluate((element) => {
        (element as unknown as { scrollTop: number }).scrollTop += 400;
      });
      await this.page.waitForTimeout(50);
    }
  }

  /**
   * The events the transcript draws now, each with its kind and whether it is shown only by the
   * view of last resort (its JSON under a bare "Event" fold). Read at once: rows come and go.
   */
  async drawnEvents(): Promise<Array<{ kind: string; generic: boolean }>> {
    // A string expression: the specs compile without the DOM's types.
    return this.page.evaluate<Array<{ kind: string; generic: boolean }>>(
      `[...document.querySelectorAll('[aria-label="Transcript"] [data-event]')].map((row) => ({
        kind: (/\\bevent-(\\w+)/.exec(row.className) ?? [])[1] ?? '',
        generic: [...row.querySelectorAll('summary')].some((summary) => summary.textContent === 'Event'),
      }))`,
    );
  }

  /** Scroll the transcript down by most of its height; false when it was already at its end. */
  async pageDownTranscript(): Promise<boolean> {
    return this.transcript.evaluate((element) => {
      const box = element as unknown as {
        scrollTop: number;
        scrollHeight: number;
        clientHeight: number;
      };
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 2) return false;
      box.scrollTop += box.clientHeight * 0.8;
      return true;
    });
  }

  /** `url` (a sample's) made to point at its `n`th message or event (1-based, as links are). */
  linkTo(url: string, list: 'message' | 'event', n: number): string {
    const link = new URL(url);
    link.hash = `${link.hash.replace(/&(message|event)=\d+/, '')}&${list}=${n}`;
    return link.toString();
  }

  async find(text: string): Promise<void> {
    await this.page.keyboard.press('Control+f');
    await this.page.getByLabel('Find in sample').fill(text);
    await this.page.keyboard.press('Enter');
  }
}

/** What the page put on the clipboard (the context must grant clipboard-read). */
export async function readClipboard(page: Page): Promise<string> {
  // A string expression: the specs compile without the DOM's types.
  return String(await page.evaluate('navigator.clipboard.readText()'));
}
