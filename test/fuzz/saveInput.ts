// Save one fuzz input as a regression case: `node test/fuzz/saveInput.ts FAMILY SEED INDEX "what it broke"`.
// The harness saves the bugs it finds itself; this keeps an input found while a fix was being
// made (after the fix the harness no longer counts it as a bug).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFamilies } from './families.ts';
import { inputKey } from './protocol.ts';
import { Random } from './random.ts';

const [family, seed, index, found] = process.argv.slice(2);
if (!family || !seed || !index || !found)
  throw new Error('usage: saveInput.ts FAMILY SEED INDEX "what it broke"');
const scratch = mkdtempSync(join(tmpdir(), 'salvage-save-input-'));
const maker = (await loadFamilies(scratch)).find((item) => item.name === family);
if (!maker) throw new Error(`no family ${family}`);
const input = await maker.generate(new Random(inputKey(seed, family, Number(index))));
const folder = fileURLToPath(new URL(`../fuzz-regressions/${family}/`, import.meta.url));
mkdirSync(folder, { recursive: true });
const name = `${seed}-${index}`.replace(/[^A-Za-z0-9_-]/g, '_');
writeFileSync(join(folder, `${name}.bin`), input);
writeFileSync(
  join(folder, `${name}.json`),
  `${JSON.stringify({ family, seed, index: Number(index), found, bytes: input.length }, null, 2)}\n`,
);
rmSync(scratch, { recursive: true, force: true });
console.log(`saved ${family}/${name}.bin (${input.length} bytes)`);
