import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { EventMap } from '../../../shared/ipc/contract.ts';
import { fixture, REAL } from '../../../test/support/fixtures.ts';
import { RunDigest } from '../index/runDigest.ts';
import { EventHub } from './eventHub.ts';
import { createLogService } from './logService.ts';
import { OpenedFolders } from './openedFolders.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'salvage-service-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CRASHED = '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval';

describe('log service', () => {
  it('reports a recovery’s progress as events, ending at every sample written', async () => {
    const logs = join(root, 'logs');
    const crash = fixture('synthetic/crash-with-buffer/logs');
    cpSync(join(crash, CRASHED), join(logs, CRASHED));
    cpSync(join(crash, '.buffer'), join(logs, '.buffer'), { recursive: true });
    const events = new EventHub();
    const progress: Array<EventMap['salvage:recovery:progress']> = [];
    events.subscribe((channel, payload) => {
      if (channel === 'salvage:recovery:progress')
        progress.push(payload as EventMap['salvage:recovery:progress']);
    });
    const service = createLogService({
      folders: await OpenedFolders.load(join(root, 'data/folders.json'), [logs]),
      events,
    });
    const report = await service['salvage:recovery:run']({
      path: join(logs, CRASHED),
      overwrite: false,
    });
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last.path).toBe(join(logs, CRASHED));
    expect(last.done).toBe(last.total);
    expect(last.total).toBeGreaterThanOrEqual(report.written);

    // A second recovery meets the first one's output: refused with a kind the dialog turns into
    // an Overwrite button, and done when the user asks for it.
    await expect(
      service['salvage:recovery:run']({ path: join(logs, CRASHED), overwrite: false }),
    ).rejects.toMatchObject({ kind: 'already-exists' });
    const again = await service['salvage:recovery:run']({
      path: join(logs, CRASHED),
      overwrite: true,
    });
    expect(again.output).toBe(report.output);
  });

  it('lists runs through the digest: a second listing of unchanged finished runs reads no log', async () => {
    const logs = join(root, 'listed');
    cpSync(
      fixture(
        `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`,
      ),
      join(logs, 'finished.eval'),
    );
    const digest = RunDigest.open(join(root, 'data/run-digest.sqlite'));
    try {
      const service = createLogService({
        folders: await OpenedFolders.load(join(root, 'data/listed.json'), [logs]),
        digest,
      });
      const first = await service['salvage:runs:list']({ folder: logs });
      expect([digest.hits, digest.misses]).toEqual([0, 1]);
      const again = await service['salvage:runs:list']({ folder: logs });
      expect([digest.hits, digest.misses]).toEqual([1, 1]);
      expect(again).toEqual(first);
    } finally {
      digest.close();
    }
  });

  it('streams a folder’s runs as batches until one says done; a cancelled listing ends quietly', async () => {
    const logs = join(root, 'streamed');
    cpSync(new URL('../../../demo/logs/', import.meta.url), logs, { recursive: true });
    const events = new EventHub();
    const batches: Array<EventMap['salvage:runs:batch']> = [];
    events.subscribe((channel, payload) => {
      if (channel === 'salvage:runs:batch') batches.push(payload as EventMap['salvage:runs:batch']);
    });
    const service = createLogService({
      folders: await OpenedFolders.load(join(root, 'data/streamed.json'), [logs]),
      events,
    });
    const ended = (streamId: string): Promise<Array<EventMap['salvage:runs:batch']>> =>
      vi.waitFor(() => {
        const mine = batches.filter((batch) => batch.streamId === streamId);
        if (!mine.at(-1)?.done) throw new Error('not done yet');
        return mine;
      });

    const { streamId } = await service['salvage:runs:stream']({ folder: logs });
    const streamed = await ended(streamId);
    const listed = await service['salvage:runs:list']({ folder: logs });
    const rows = streamed.flatMap((batch) => batch.rows);
    expect([...rows].sort((a, b) => a.location.localeCompare(b.location))).toEqual(
      [...listed].sort((a, b) => a.location.localeCompare(b.location)),
    );
    expect(streamed.at(-1)).toMatchObject({ done: true, found: listed.length });
    expect(streamed.at(-1)).not.toHaveProperty('error');

    const cancelled = await service['salvage:runs:stream']({ folder: logs });
    await service['salvage:runs:cancel'](cancelled);
    expect((await ended(cancelled.streamId)).at(-1)).not.toHaveProperty('error');
    await expect(service['salvage:runs:stream']({ folder: root })).rejects.toMatchObject({
      kind: 'outside-opened-folders',
    });
  });
});
