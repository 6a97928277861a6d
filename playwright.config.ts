import { defineConfig } from '@playwright/test';

// End-to-end tests: the real renderer in Debian's Chromium against `salvage serve` (web mode).
// Playwright's own browser download is never used: the machines here cannot fetch it.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  workers: 1,
  forbidOnly: true,
  reporter: [['list']],
  // The same specs against web mode (Chromium and `salvage serve`) and against the desktop app,
  // which runs where an Electron binary and a display exist and is skipped, with why, elsewhere.
  projects: [{ name: 'web' }, { name: 'electron' }],
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'on',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
