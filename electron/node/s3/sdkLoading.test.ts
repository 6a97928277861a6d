// The AWS SDK costs a quarter second of CPU to load: the modules a local listing runs on (the CLI,
// the services, the reader pool's worker threads) must not load it until a bucket is met. Checked
// in a fresh Node process that records every module resolved, as the product runs them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

/** The `@aws-sdk/*` and `@smithy/*` modules a fresh process resolves while running `script`. */
function sdkModulesLoadedBy(script: string): string[] {
  const program = `
    import { registerHooks } from 'node:module';
    const sdk = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        const found = next(specifier, context);
        if (/node_modules\\/@(aws-sdk|smithy)\\//.test(found.url)) sdk.add(specifier);
        return found;
      },
    });
    ${script}
    console.log(JSON.stringify([...sdk]));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as string[];
}

describe('the AWS SDK', () => {
  it('is not loaded by a local listing, the CLI, the services or a reader worker', () => {
    const loaded = sdkModulesLoadedBy(`
      const { mkdtempSync, cpSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const folder = mkdtempSync(tmpdir() + '/salvage-sdk-');
      cpSync('demo/logs', folder, { recursive: true });
      await import('./electron/node/cli/main.ts');
      await import('./electron/node/services/logService.ts');
      await import('./electron/node/logs/readerThread.ts');
      const { listRuns } = await import('./electron/node/logs/listRuns.ts');
      const rows = await listRuns(folder);
      rmSync(folder, { recursive: true, force: true });
      if (rows.length === 0) throw new Error('nothing listed');
    `);
    expect(loaded).toEqual([]);
  });

  it('is loaded once a bucket location is met', () => {
    const loaded = sdkModulesLoadedBy(`
      const { openLogSource } = await import('./electron/node/logs/openLog.ts');
      // No server answers: what matters is the import on the way there.
      process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
      process.env.AWS_ACCESS_KEY_ID = 'key';
      process.env.AWS_SECRET_ACCESS_KEY = 'secret';
      process.env.AWS_MAX_ATTEMPTS = '1';
      await openLogSource('s3://bucket/x.eval').catch(() => undefined);
    `);
    expect(loaded).toContain('@aws-sdk/client-s3');
  });
});
