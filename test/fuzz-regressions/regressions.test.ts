// Every input the fuzz harness (`npm run fuzz`) or the issue 15 campaign found to break Salvage,
// replayed through the same family runner: each must now succeed or fail with a typed error,
// in bounded time. test/fuzz-regressions/<family>/<name>.bin is the input, <name>.json says what
// it broke and when it was found.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFamilies } from '../fuzz/families.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'salvage-fuzz-regressions-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const families = await loadFamilies(join(scratch, 'families'));

/**
 * CPU time, as the harness counts it (the build machines are shared: wall time stretches
 * severalfold under load), with room beside the harness's 2 s; and a wall-clock limit only for an
 * input that would never end.
 */
const CPU_LIMIT_MS = 4_000;
const WALL_LIMIT_MS = 60_000;

const cases = readdirSync(HERE)
  .filter((name) => statSync(join(HERE, name)).isDirectory())
  .flatMap((family) =>
    readdirSync(join(HERE, family))
      .filter((name) => name.endsWith('.bin'))
      .map((name) => ({ family, name })),
  );

describe('saved fuzz crashers', () => {
  it('are there, each with its note', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const { family, name } of cases)
      expect(existsSync(join(HERE, family, name.replace(/\.bin$/, '.json')))).toBe(true);
  });

  it.each(cases)(
    '$family/$name: a success or a typed error, in bounded time',
    async ({ family, name }) => {
      const runner = families.find((item) => item.name === family);
      expect(runner, `no fuzz family ${family}`).toBeDefined();
      const input = new Uint8Array(readFileSync(join(HERE, family, name)));
      const cpu = process.cpuUsage();
      const outcome = await runner!.run(input, join(scratch, 'run'));
      expect(['success', 'typed']).toContain(outcome);
      const used = process.cpuUsage(cpu);
      expect((used.user + used.system) / 1000).toBeLessThan(CPU_LIMIT_MS);
    },
    WALL_LIMIT_MS,
  );
});
