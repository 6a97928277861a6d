import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const MB = 1e6;

/**
 * The young generation's size after a burst of allocation where most young objects survive a
 * while (as when a page is assembled), in a fresh Node process, with or without the setting.
 * Read after a full collection: one still marking may extend it for a moment (see the module).
 */
function youngGenerationAfterBurst(keptSmall: boolean): number {
  const module = new URL('./youngGeneration.ts', import.meta.url).href;
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    if (${keptSmall}) (await import(${JSON.stringify(module)})).keepYoungGenerationSmall();
    let kept = [];
    for (let i = 0; i < 1_500_000; i++) {
      kept.push({ i, text: 'item ' + i });
      if (kept.length === 500_000) kept = [];
    }
    gc();
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    console.log(young.space_size);`;
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  );
  return Number(output.trim());
}

describe('the young generation of the process that pages samples', () => {
  it('stays at its starting size where V8 would grow it', () => {
    // Without the setting, V8 grows it tenfold and more on this burst.
    expect(youngGenerationAfterBurst(false)).toBeGreaterThan(16 * MB);
    expect(youngGenerationAfterBurst(true)).toBeLessThanOrEqual(4 * MB);
  });
});
