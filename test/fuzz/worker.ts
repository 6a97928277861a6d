// One family's inputs, run in a worker thread of `npm run fuzz` (scripts/fuzz.ts): the main
// thread watches the time each input takes and the process's memory, and ends this worker when
// an input hangs. Input N is made from `${seed}:${family}:${N}`, so any input can be made again.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { isSalvageError } from '../../shared/util/errors.ts';
import { loadFamilies } from './families.ts';
import { inputKey, type WorkerMessage, type WorkerTask } from './protocol.ts';
import { Random } from './random.ts';

/** Inputs stay small: the harness looks for small files that cost much, not for large ones. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

const task = workerData as WorkerTask;
const port = parentPort!;
mkdirSync(task.scratch, { recursive: true });
const families = await loadFamilies(join(task.scratch, 'families'));
const family = families.find((item) => item.name === task.family);
if (!family) throw new Error(`No fuzz family ${task.family}`);
port.postMessage({ type: 'ready' } satisfies WorkerMessage);

const indexes = task.only ?? Array.from({ length: task.to - task.from }, (_, i) => task.from + i);
for (const index of indexes) {
  let input: Uint8Array;
  try {
    input = await family.generate(new Random(inputKey(task.seed, task.family, index)));
  } catch (error) {
    // The harness failed to make this input: not Salvage's bug, but said, never hidden.
    port.postMessage({
      type: 'harness-error',
      index,
      error: describe(error),
    } satisfies WorkerMessage);
    continue;
  }
  if (input.length > MAX_INPUT_BYTES) {
    port.postMessage({
      type: 'harness-error',
      index,
      error: `made an input of ${input.length} bytes (over ${MAX_INPUT_BYTES})`,
    } satisfies WorkerMessage);
    continue;
  }
  port.postMessage({ type: 'begin', index } satisfies WorkerMessage);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const cpuMs = (): number => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  };
  let message: WorkerMessage;
  try {
    const outcome = await family.run(input, join(task.scratch, 'run'));
    message = { type: 'end', index, outcome, ms: performance.now() - started, cpuMs: cpuMs() };
  } catch (error) {
    // A typed error escaping `run` is still typed (a step that was not wrapped).
    message = isSalvageError(error)
      ? { type: 'end', index, outcome: 'typed', ms: performance.now() - started, cpuMs: cpuMs() }
      : {
          type: 'end',
          index,
          outcome: 'bug',
          ms: performance.now() - started,
          cpuMs: cpuMs(),
          error: describe(error),
          input,
        };
  }
  port.postMessage(message);
}
port.postMessage({ type: 'done' } satisfies WorkerMessage);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const where = (error.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((line) => line.trim())
    .join(' | ');
  return `${error.name}: ${error.message.slice(0, 300)} @ ${where}`;
}
