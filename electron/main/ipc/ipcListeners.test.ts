import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/ipc/channels.ts';
import { createLogService } from '../../node/services/logService.ts';
import { fixture, REAL } from '../../../test/support/fixtures.ts';
import { createIpcListeners } from './ipcListeners.ts';
import { OpenedFolders } from '../../node/services/openedFolders.ts';

const folder = mkdtempSync(join(tmpdir(), 'salvage-ipc-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const PAGE = 'file:///app/out/renderer/index.html';

describe('desktop transport', () => {
  it('serves every channel of the contract, to the app page only, with typed errors', async () => {
    const log = join(folder, 'run.eval');
    cpSync(fixture(`${REAL}/log/test_eval_log/log_formats.eval`), log);
    const folders = await OpenedFolders.load(join(folder, 'data/folders.json'), [folder]);
    const listeners = createIpcListeners(createLogService({ folders }), (url) =>
      url.startsWith(PAGE),
    );
    expect([...listeners.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());

    const info = await listeners.get('salvage:log:info')!(PAGE, { path: log });
    expect(info).toMatchObject({ ok: true, value: { header: { status: 'success' } } });
    expect(
      await listeners.get('salvage:log:info')!('https://evil.example/', { path: log }),
    ).toMatchObject({ ok: false, message: 'Untrusted sender.' });
    expect(await listeners.get('salvage:log:info')!(PAGE, { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      kind: 'io',
    });
    expect(await listeners.get('salvage:log:info')!(PAGE, { path: { toString: 1 } })).toMatchObject(
      {
        ok: false,
        kind: 'invalid-arguments',
      },
    );
  });
});
