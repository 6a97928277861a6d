import { mkdirSync, openSync, rmSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo's running run: a verifiers evaluation that appends one rollout every
 * `intervalMs` to `<folder>/outputs/evals/gsm8k--gpt-4.1-mini/live/results.jsonl`, holding the log
 * open for writing as a real writer does, so the app lists it as running and its open view keeps
 * streaming. After `total` rollouts it writes `metadata.json` (the run finished) and exits.
 * Run it as its own process (`node liveRun.ts FOLDER`): a process's own open files do not make a
 * run look live to itself.
 */
export function runLiveDemo(folder: string, total = 240, intervalMs = 1_500): Promise<void> {
  const run = join(folder, 'outputs/evals/gsm8k--gpt-4.1-mini/live');
  rmSync(run, { recursive: true, force: true });
  mkdirSync(run, { recursive: true });
  const fd = openSync(join(run, 'results.jsonl'), 'a');
  const started = new Date();
  let written = 0;
  let rewarded = 0;
  const append = (): void => {
    const id = written;
    const a = 12 + ((id * 7) % 50);
    const b = 3 + ((id * 11) % 40);
    const correct = id % 4 !== 3;
    const answer = correct ? a + b : a + b + 1;
    rewarded += correct ? 1 : 0;
    const row = {
      example_id: id,
      prompt: [{ role: 'user', content: `What is ${a} + ${b}? Answer with the number only.` }],
      completion: [{ role: 'assistant', content: `${a} + ${b} = ${answer}. The answer is ${answer}.` }],
      answer: String(a + b),
      task: 'gsm8k',
      reward: correct ? 1 : 0,
      metrics: { correct_answer_reward_func: correct ? 1 : 0 },
    };
    writeSync(fd, `${JSON.stringify(row)}\n`);
    written += 1;
  };
  for (let i = 0; i < 5; i++) append();
  return new Promise((done) => {
    const timer = setInterval(() => {
      append();
      if (written < total) return;
      clearInterval(timer);
      closeSync(fd);
      writeFileSync(
        join(run, 'metadata.json'),
        `${JSON.stringify(
          {
            env_id: 'gsm8k',
            model: 'gpt-4.1-mini',
            num_examples: total,
            rollouts_per_example: 1,
            date: started.toISOString().slice(0, 10),
            time: started.toISOString().slice(11, 19),
            avg_reward: rewarded / written,
          },
          null,
          2,
        )}\n`,
      );
      done();
    }, intervalMs);
  });
}

if (import.meta.main) {
  const [folder, total, interval] = process.argv.slice(2);
  if (!folder) {
    console.error('usage: node liveRun.ts FOLDER [ROLLOUTS] [INTERVAL_MS]');
    process.exit(2);
  }
  void runLiveDemo(folder, Number(total ?? 240), Number(interval ?? 1_500));
}
