// `npm run fuzz`: the fuzz harness (not part of `npm test`). Every reader family gets inputs made
// from the real fixtures by seeded mutations (test/fuzz/), run in-process in a worker thread;
// each outcome is a success, a typed Salvage error, or a bug: any other exception, an input that
// takes over 2 s of CPU (CPU, not wall time: the build machines are shared, and a loaded machine
// stretched 0.9 s of work to 4.5 s), one that never ends (killed after 20 s, twice, the second
// time alone), or one that takes the process's memory past the bound. Bugs are saved under test/fuzz-regressions/<family>/, where vitest replays them.
//
//   npm run fuzz                             # the short run: 2,000 inputs a family (CI)
//   npm run fuzz -- --inputs 100000          # the long run, figures for the README
//   npm run fuzz -- --inputs 100000 --seconds 600   # as many as fit in 10 minutes a family
//   npm run fuzz -- --family eval,zstd --seed s1 --from 500 --inputs 10
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadFamilies } from '../test/fuzz/families.ts';
import { Random } from '../test/fuzz/random.ts';
import { inputKey, type WorkerMessage, type WorkerTask } from '../test/fuzz/protocol.ts';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '2000' },
    from: { type: 'string', default: '0' },
    seed: { type: 'string', default: 'salvage' },
    family: { type: 'string' },
    'hang-ms': { type: 'string', default: '2000' },
    'memory-mb': { type: 'string', default: '1536' },
    save: { type: 'boolean', default: true },
    'no-save': { type: 'boolean', default: false },
    json: { type: 'string' },
    // A family's inputs end here when this many seconds have passed (the run's figures say how
    // many were tried): a long run that must fit a machine's time.
    seconds: { type: 'string' },
  },
});
const inputs = Number(values.inputs);
const from = Number(values.from);
const seed = values.seed;
const hangMs = Number(values['hang-ms']);
/** An input still running after this long (wall time) is stopped as never ending. */
const killMs = Math.max(20_000, 10 * hangMs);
const memoryBound = Number(values['memory-mb']) * 1024 * 1024;
const budgetMs = values.seconds ? Number(values.seconds) * 1000 : Infinity;
/** Inputs a worker takes at a time when a time budget is set (checked between batches). */
const BATCH = 200;
const save = values.save && !values['no-save'];
const REGRESSIONS = new URL('../test/fuzz-regressions/', import.meta.url);
const WORKER = new URL('../test/fuzz/worker.ts', import.meta.url);
// In memory where there is a tmpfs: a repair fsyncs its journal, sidecar and log, and on a disk
// those syncs were most of an input's time.
const scratch = mkdtempSync(
  join(
    existsSync('/dev/shm') && statfsSync('/dev/shm').type === 0x01021994 ? '/dev/shm' : tmpdir(),
    'salvage-fuzz-',
  ),
);

// The private copies a recovery makes of a buffer database go there too.
process.env.TMPDIR = scratch;

interface Bug {
  readonly index: number;
  readonly kind: 'exception' | 'hang' | 'memory';
  readonly detail: string;
}

interface Figures {
  family: string;
  inputs: number;
  success: number;
  typed: number;
  bugs: Bug[];
  /** Inputs over the time budget once, under it when run again alone. */
  slow: number;
  slowestMs: number;
  peakRssMb: number;
  seconds: number;
}

/** Run one worker over [start, end) (or `only`), reporting each input; resolves where it stopped. */
function runWorker(
  family: string,
  start: number,
  end: number,
  onEnd: (message: Extract<WorkerMessage, { type: 'end' }>, peakRss: number) => void,
  only?: ReadonlyArray<number>,
): Promise<{ stoppedAt: number | null; reason: 'hang' | 'memory' | null; detail: string }> {
  const task: WorkerTask = {
    family,
    seed,
    from: start,
    to: end,
    scratch: join(scratch, family),
    ...(only ? { only } : {}),
  };
  const worker = new Worker(WORKER, {
    workerData: task,
    // Past this the worker dies with ERR_WORKER_OUT_OF_MEMORY instead of the machine swapping.
    resourceLimits: { maxOldGenerationSizeMb: 3072 },
  });
  return new Promise((resolve, reject) => {
    let current: { index: number; began: number; peak: number } | null = null;
    let settled = false;
    const finish = (value: {
      stoppedAt: number | null;
      reason: 'hang' | 'memory' | null;
      detail: string;
    }) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      void worker.terminate();
      resolve(value);
    };
    const watch = setInterval(() => {
      if (!current) return;
      const rss = process.memoryUsage().rss;
      current.peak = Math.max(current.peak, rss);
      if (performance.now() - current.began > killMs)
        finish({
          stoppedAt: current.index,
          reason: 'hang',
          detail: `never ended (killed after ${killMs} ms)`,
        });
      else if (rss > memoryBound + baseline)
        finish({
          stoppedAt: current.index,
          reason: 'memory',
          detail: `RSS ${Math.round(rss / 2 ** 20)} MiB`,
        });
    }, 50);
    let baseline = process.memoryUsage().rss;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') baseline = process.memoryUsage().rss;
      else if (message.type === 'begin')
        current = {
          index: message.index,
          began: performance.now(),
          peak: process.memoryUsage().rss,
        };
      else if (message.type === 'end') {
        onEnd(message, current?.peak ?? 0);
        current = null;
      } else if (message.type === 'harness-error') {
        harnessErrors.push(`${family} #${message.index}: ${message.error}`);
      } else finish({ stoppedAt: null, reason: null, detail: '' });
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (current && error.code === 'ERR_WORKER_OUT_OF_MEMORY')
        finish({
          stoppedAt: current.index,
          reason: 'memory',
          detail: 'the worker ran out of heap',
        });
      else if (current)
        finish({
          stoppedAt: current.index,
          reason: 'memory',
          detail: `the worker died: ${error.message}`,
        });
      else if (!settled) {
        settled = true;
        clearInterval(watch);
        reject(error);
      }
    });
    worker.on('exit', () => finish({ stoppedAt: null, reason: null, detail: '' }));
  });
}

/** Inputs the harness itself failed to make (reported, so that a broken mutator is seen). */
const harnessErrors: string[] = [];

let mainFamilies: Awaited<ReturnType<typeof loadFamilies>> | undefined;
/** A bug's input, made again in this thread from its key, and saved for the regression test. */
async function saveInput(family: string, index: number, bug: Bug): Promise<void> {
  if (!save) return;
  mainFamilies ??= await loadFamilies(join(scratch, 'main'));
  const maker = mainFamilies.find((item) => item.name === family)!;
  const input = await maker.generate(new Random(inputKey(seed, family, index)));
  const folder = new URL(`${family}/`, REGRESSIONS);
  mkdirSync(folder, { recursive: true });
  const name = `${seed}-${index}`.replace(/[^A-Za-z0-9_-]/g, '_');
  writeFileSync(new URL(`${name}.bin`, folder), input);
  writeFileSync(
    new URL(`${name}.json`, folder),
    `${JSON.stringify({ family, seed, index, found: `${bug.kind}: ${bug.detail}`, bytes: input.length }, null, 2)}\n`,
  );
}

async function fuzzFamily(family: string): Promise<Figures> {
  const figures: Figures = {
    family,
    inputs: 0,
    success: 0,
    typed: 0,
    bugs: [],
    slow: 0,
    slowestMs: 0,
    peakRssMb: 0,
    seconds: 0,
  };
  const started = performance.now();
  const onEnd = (message: Extract<WorkerMessage, { type: 'end' }>, peak: number): void => {
    figures.inputs += 1;
    figures.slowestMs = Math.max(figures.slowestMs, message.cpuMs);
    figures.peakRssMb = Math.max(figures.peakRssMb, Math.round(peak / 2 ** 20));
    if (message.outcome !== 'bug' && message.cpuMs > hangMs) {
      figures.bugs.push({
        index: message.index,
        kind: 'hang',
        detail: `${Math.round(message.cpuMs)} ms of CPU`,
      });
      return;
    }
    if (message.outcome === 'success') figures.success += 1;
    else if (message.outcome === 'typed') figures.typed += 1;
    else
      figures.bugs.push({ index: message.index, kind: 'exception', detail: message.error ?? '' });
  };
  let position = from;
  const end = from + inputs;
  while (position < end && performance.now() - started < budgetMs) {
    const batchEnd = budgetMs === Infinity ? end : Math.min(end, position + BATCH);
    const stop = await runWorker(family, position, batchEnd, onEnd);
    if (stop.stoppedAt === null) {
      position = batchEnd;
      continue;
    }
    // Run the input again alone: a machine busy elsewhere must not make a hang.
    const again = await runWorker(family, stop.stoppedAt, stop.stoppedAt + 1, onEnd, [
      stop.stoppedAt,
    ]);
    if (again.stoppedAt !== null) {
      figures.inputs += 1;
      figures.bugs.push({
        index: stop.stoppedAt,
        kind: again.reason ?? 'hang',
        detail: again.detail,
      });
    } else figures.slow += 1;
    position = stop.stoppedAt + 1;
  }
  for (const bug of figures.bugs) await saveInput(family, bug.index, bug);
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}

const all = (await loadFamilies(join(scratch, 'list'))).map((family) => family.name);
const chosen = values.family ? values.family.split(',') : all;
const results: Figures[] = [];
console.log(
  `fuzz: seed ${seed}, inputs ${from}–${from + inputs - 1} of each family: ${chosen.join(', ')}`,
);
for (const family of chosen) {
  const figures = await fuzzFamily(family);
  results.push(figures);
  console.log(
    `${family.padEnd(13)} ${String(figures.inputs).padStart(7)} inputs  ${String(figures.success).padStart(7)} ok  ${String(figures.typed).padStart(7)} typed  ${String(figures.bugs.length).padStart(3)} bugs  ${String(figures.slow).padStart(3)} slow  slowest ${Math.round(figures.slowestMs)} ms CPU  peak RSS ${figures.peakRssMb} MiB  ${Math.round(figures.inputs / figures.seconds)}/s`,
  );
  for (const bug of figures.bugs.slice(0, 20))
    console.log(`  bug #${bug.index} ${bug.kind}: ${bug.detail}`);
}
rmSync(scratch, { recursive: true, force: true });
if (values.json)
  writeFileSync(values.json, `${JSON.stringify({ seed, from, inputs, results }, null, 2)}\n`);
for (const error of harnessErrors.slice(0, 20)) console.log(`harness error: ${error}`);
const bugs = results.reduce((sum, figures) => sum + figures.bugs.length, 0);
console.log(
  `fuzz: ${results.reduce((sum, f) => sum + f.inputs, 0)} inputs, ${bugs} bugs, ${harnessErrors.length} harness errors`,
);
process.exit(bugs > 0 || harnessErrors.length > 0 ? 1 : 0);
