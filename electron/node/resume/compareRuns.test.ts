import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffConfigs } from '../../../shared/resume/configDiff.ts';
import { fixture } from '../../../test/support/fixtures.ts';
import { recoverLog } from '../recovery/recoverLog.ts';
import { compareRuns } from './compareRuns.ts';

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-compare-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('comparing two runs raises no false alarms', () => {
  it('a key absent on one side and empty on the other is no difference', () => {
    const diff = diffConfigs(
      { eval: { task_args: {}, config: { limit: 10 } }, plan: { steps: [{ solver: 'generate' }] } },
      {
        eval: { model_generate_config: {}, task_args_passed: {}, config: { limit: 10 } },
        plan: { steps: [{ solver: 'generate', params_passed: {} }] },
      },
      'inspect',
    );
    expect(diff).toEqual({ compatible: true, differences: [], ignored: [] });
  });

  it('a run and its own recovered copy are resume-compatible, every changed sample counted', async () => {
    const folder = tempFolder();
    cpSync(fixture('synthetic/crash-with-buffer/logs'), folder, { recursive: true });
    const crashed = join(folder, '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval');
    const report = await recoverLog(crashed);
    const comparison = await compareRuns(crashed, report.output);
    expect(comparison.config.differences.filter((item) => item.class === 'result')).toEqual([]);
    expect(comparison.config.compatible).toBe(true);
    const [match] = comparison.changes;
    // The crashed log holds the 7 flushed samples; the recovered one adds the buffer's 3.
    expect(match).toMatchObject({ scorer: 'match', paired: 7, unchanged: 7, onlyB: 3 });
  });

  it('compares a verifiers run that crashed before writing metadata.json on its samples', async () => {
    const folder = tempFolder();
    const write = (name: string, rewards: number[]) => {
      mkdirSync(join(folder, name));
      const path = join(folder, name, 'results.jsonl');
      writeFileSync(
        path,
        rewards.map((reward, id) => `${JSON.stringify({ example_id: id, reward })}\n`).join(''),
      );
      return path;
    };
    const a = write('a', [0, 0, 1, 0]);
    const b = write('b', [1, 1, 1, 0]);
    writeFileSync(join(folder, 'b', 'metadata.json'), '{"env_id": "x", "num_examples": 4}');
    const comparison = await compareRuns(a, b);
    expect(comparison.unknownConfig).toEqual(['a']);
    expect(comparison.config.compatible).toBeNull();
    expect(comparison.changes[0]).toMatchObject({ scorer: 'reward', improved: 2, unchanged: 2 });
  });
});
