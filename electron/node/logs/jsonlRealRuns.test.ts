import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isJsonObject, type JsonValue } from '../../../shared/formats/json/inspectJson.ts';
import { runFacts } from '../../../shared/model/runFacts.ts';
import { sampleFacts } from '../../../shared/model/sampleFacts.ts';
import { headerStatus } from '../../../shared/formats/runs/jsonlRunFacts.ts';
import { contentText } from '../../../shared/formats/runs/verifiersRecords.ts';
import { scalarText } from '../../../shared/model/log.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import { JSONL_FIXTURES } from '../../../test/support/fixtures.ts';
import {
  rollouts,
  writeLegacyRun,
  writeV1Run,
  writeV1TomlRun,
} from '../../../test/support/verifiersRuns.ts';
import { compareRuns } from '../resume/compareRuns.ts';
import { describeJsonlRun, jsonlRunKind } from './jsonlRuns.ts';
import { listRuns } from './listRuns.ts';
import { withLog } from './openLog.ts';

const root = mkdtempSync(join(tmpdir(), 'salvage-jsonl-real-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PE = 'verifiers/prime-environments/environments';
const VF = 'verifiers/verifiers/environments';
const HANGMAN =
  'verifiers/prime-envs/games/hangman/environments/hangman_agent/outputs/evals/hangman_agent--gpt-4.1-mini';
const real = (path: string) => join(JSONL_FIXTURES, path);

/** The facts each real log must give, as the real tool's own files say them. */
const EXPECTED: ReadonlyArray<{
  readonly path: string;
  readonly row: Partial<RunRow>;
  /** Samples and rollouts per sample (the rollouts of one example are one sample's epochs). */
  readonly samples: number;
  readonly epochs: number;
}> = [
  {
    path: `${PE}/aime2025/outputs/evals/aime2025--gpt-5/78a8154e/results.jsonl`,
    row: {
      task: 'aime2025',
      model: 'gpt-5',
      status: 'success',
      samples: { completed: 30, total: 30 },
      created: '2025-08-27 04:55:20',
      tokens: null,
      duration: null,
    },
    samples: 30,
    epochs: 1,
  },
  {
    path: `${PE}/hendrycks_math/outputs/evals/hendrycks-math--gpt-5/9ebc4171/results.jsonl`,
    row: {
      task: 'hendrycks-math',
      model: 'gpt-5',
      status: 'success',
      samples: { completed: 15, total: 15 },
      created: '2025-08-27 10:01:40',
      score: 1,
    },
    samples: 5,
    epochs: 3,
  },
  {
    path: `${PE}/hendrycks_math/outputs/evals/hendrycks-math--gpt-4.1-mini/999af35f/results.jsonl`,
    row: {
      task: 'hendrycks-math',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 15, total: 15 },
      created: '2025-08-27 09:58:49',
    },
    samples: 5,
    epochs: 3,
  },
  {
    path: `${PE}/reverse_text/outputs/evals/reverse-text--gpt-4.1-mini/bfadea31/results.jsonl`,
    row: {
      task: 'reverse-text',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 15, total: 15 },
      created: '2025-08-27 11:15:40',
    },
    samples: 5,
    epochs: 3,
  },
  {
    path: 'verifiers/security-verifiers/outputs/evals/sv-env-network-logs--gpt-4.1-mini/e69380e5/results.jsonl',
    row: {
      task: 'sv-env-network-logs',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 30, total: 30 },
      created: '2025-09-02 20:42:54',
    },
    samples: 10,
    epochs: 3,
  },
  {
    path: `${VF}/arc_agi_3/outputs/evals/arc-agi-3--gpt-4.1-mini/8bf05aed/results.jsonl`,
    row: {
      task: 'arc-agi-3',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 3, total: 3 },
      created: '2025-09-19 22:21:19',
      score: 0,
      duration: 10.895951271057129,
    },
    samples: 1,
    epochs: 3,
  },
  {
    path: `${VF}/arc_agi_3/outputs/evals/arc-agi-3--gpt-4.1-mini/9228bc3e/results.jsonl`,
    row: {
      task: 'arc-agi-3',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 3, total: 3 },
      created: '2025-09-19 22:19:53',
      duration: 12.932491064071655,
    },
    samples: 1,
    epochs: 3,
  },
  {
    path: `${VF}/math_python/outputs/evals/math-python--gpt-5-nano/cb7a1799/results.jsonl`,
    row: {
      task: 'math-python',
      model: 'gpt-5-nano',
      status: 'success',
      samples: { completed: 15, total: 15 },
      created: '2025-09-29 21:20:27',
      score: 1,
      duration: 30.880018949508667,
    },
    samples: 5,
    epochs: 3,
  },
  {
    path: `${VF}/math_python/outputs/evals/math-python--gpt-4.1-mini/578769a7/results.jsonl`,
    row: {
      task: 'math-python',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 15, total: 15 },
      created: '2025-09-30 00:47:48',
      duration: 34.940431118011475,
    },
    samples: 5,
    epochs: 3,
  },
  {
    // verifiers 0.1.10: no `date` (the rows' timing.start_time has it); `usage` is a per-rollout mean.
    path: `${HANGMAN}/0e66d07a/results.jsonl`,
    row: {
      task: 'hangman_agent',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 24, total: 24 },
      created: '2026-03-11T09:52:05.550Z',
      tokens: 82_613,
      duration: 9.125234842300415,
    },
    samples: 12,
    epochs: 2,
  },
  {
    path: `${HANGMAN}/53366283/results.jsonl`,
    row: {
      task: 'hangman_agent',
      model: 'gpt-4.1-mini',
      status: 'success',
      samples: { completed: 6, total: 6 },
      created: '2026-03-11T09:50:20.451Z',
      tokens: 39_790,
      duration: 13.584689140319824,
    },
    samples: 6,
    epochs: 1,
  },
  {
    // Codex CLI 0.58: 40 turn_context lines in one turn; one session is one sample.
    path: 'codex/sessions/2025/11/17/rollout-2025-11-17T15-30-28-019a93b9-f380-7600-98ff-940e6b99603c.jsonl',
    row: {
      task: 'chatbot-ui',
      model: 'gpt-5.1-codex',
      status: 'success',
      samples: { completed: 1, total: 1 },
      created: '2025-11-17T21:30:28.664Z',
      tokens: 1_121_566,
      duration: 498.045,
    },
    samples: 1,
    epochs: 1,
  },
  {
    // The legacy rollout layout (Codex CLI of September 2025): the folder comes from <environment_context>.
    path: 'codex/sessions/2025/09/10/rollout-2025-09-10T18-58-38-cf4def41-21e0-4b91-adb4-5397c1492084.jsonl',
    row: {
      task: 'codex-session-viewer',
      model: null,
      status: 'success',
      samples: { completed: 1, total: 1 },
      created: '2025-09-10T18:58:38.331Z',
      tokens: null,
      duration: null,
    },
    samples: 1,
    epochs: 1,
  },
  {
    // A single `session_meta` line with no newline after it (Codex CLI 0.63).
    path: 'codex/sessions/2025/11/23/rollout-2025-11-23T19-24-17-019ab22c-95af-7160-b11d-8f552d0ce721.jsonl',
    row: {
      task: 'codex-session-view',
      status: 'success',
      samples: { completed: 1, total: 1 },
      created: '2025-11-23T19:24:17.722Z',
      recovery: 'torn-tail',
    },
    samples: 1,
    epochs: 1,
  },
];

/** A run as the run view reads it: its header, its summaries, and the samples asked for. */
async function readRun(path: string, wanted: ReadonlyArray<[string, number]> = []) {
  return withLog(path, async (reader) => {
    const header = await reader.readHeader();
    const summaries = await reader.readSummaries();
    const samples = [];
    for (const [id, epoch] of wanted) samples.push(await reader.readSample(id, epoch));
    return { header, summaries, samples };
  });
}

describe('real verifiers runs and Codex sessions', () => {
  for (const expected of EXPECTED) {
    it(`reads ${expected.path.split('/').slice(-3).join('/')} as the tool wrote it, the list and the run view agreeing`, async () => {
      const path = real(expected.path);
      const { row } = await describeJsonlRun(path, JSONL_FIXTURES, jsonlRunKind(path)!);
      expect(row).toMatchObject(expected.row);
      const { header, summaries } = await readRun(path);
      // The run view's header read through Inspect's own fact reader gives the list's figures.
      const viewed = runFacts(header, summaries);
      expect({
        task: viewed.task,
        model: viewed.model,
        status: viewed.status,
        samples: viewed.samples,
        created: viewed.created,
        score: viewed.score,
        tokens: viewed.tokens,
      }).toEqual({
        task: row.task,
        model: row.model,
        status: headerStatus(row.status as 'success'),
        samples: row.samples,
        created: row.created,
        score: row.score,
        tokens: row.tokens,
      });
      if (row.duration === null) expect(viewed.duration).toBeNull();
      else expect(viewed.duration).toBeCloseTo(row.duration, 2);
      const epochs = new Map<string, number>();
      for (const summary of summaries)
        epochs.set(scalarText(summary.id), (epochs.get(scalarText(summary.id)) ?? 0) + 1);
      expect(epochs.size).toBe(expected.samples);
      expect(new Set(epochs.values())).toEqual(new Set([expected.epochs]));
    });
  }

  it('groups the rollouts of one example as one sample even where the `id` column is wrong', async () => {
    // verifiers 0.1.3 to 0.1.5 wrote `id = row // rollouts_per_example` over rows in rollout-major
    // order: row i is example i % num_examples. The prompts prove it: each sample's epochs ask one thing.
    for (const path of [
      `${PE}/reverse_text/outputs/evals/reverse-text--gpt-4.1-mini/bfadea31/results.jsonl`,
      `${PE}/hendrycks_math/outputs/evals/hendrycks-math--gpt-5/9ebc4171/results.jsonl`,
      `${VF}/math_python/outputs/evals/math-python--gpt-5-nano/cb7a1799/results.jsonl`,
      'verifiers/security-verifiers/outputs/evals/sv-env-network-logs--gpt-4.1-mini/e69380e5/results.jsonl',
    ]) {
      const { summaries } = await readRun(real(path));
      const prompts = new Map<string, Set<string>>();
      for (const summary of summaries) {
        const id = scalarText(summary.id);
        prompts.set(id, (prompts.get(id) ?? new Set()).add(scalarText(summary.input)));
      }
      expect(prompts.size).toBeGreaterThan(1);
      for (const [id, inputs] of prompts) expect(inputs.size, `${path} sample ${id}`).toBe(1);
    }
  });

  it("shows what each rollout answered in the grid: the last assistant text, or an agent's last tool call", async () => {
    const math = await readRun(
      real(`${VF}/math_python/outputs/evals/math-python--gpt-4.1-mini/578769a7/results.jsonl`),
    );
    expect(sampleFacts(math.summaries[0]!).answer).toBe('\\[\n\\boxed{0}\n\\]');
    const hangman = await readRun(real(`${HANGMAN}/0e66d07a/results.jsonl`));
    expect(sampleFacts(hangman.summaries[0]!)).toMatchObject({
      answer: 'suggest_letter({"letter":"u"})',
      tokens: 1705,
    });
    expect(sampleFacts(hangman.summaries[0]!).duration).toBeCloseTo(3.7355, 3);
  });

  it('pairs the same examples when comparing two runs', async () => {
    const comparison = await compareRuns(
      real(`${PE}/hendrycks_math/outputs/evals/hendrycks-math--gpt-5/9ebc4171/results.jsonl`),
      real(`${VF}/math_python/outputs/evals/math-python--gpt-5-nano/cb7a1799/results.jsonl`),
    );
    expect(comparison.samples).toHaveLength(15);
    const a = await readRun(
      real(`${PE}/hendrycks_math/outputs/evals/hendrycks-math--gpt-5/9ebc4171/results.jsonl`),
    );
    const b = await readRun(
      real(`${VF}/math_python/outputs/evals/math-python--gpt-5-nano/cb7a1799/results.jsonl`),
    );
    const input = (summaries: typeof a.summaries, id: string, epoch: number) =>
      summaries.find((summary) => scalarText(summary.id) === id && summary.epoch === epoch)?.input;
    for (const pair of comparison.samples) {
      expect(pair.a && pair.b).toBeTruthy();
      expect(input(a.summaries, pair.id, pair.epoch)).toBe(input(b.summaries, pair.id, pair.epoch));
    }
  });

  it('shows every message of the legacy Codex layout, and a session as one sample', async () => {
    const legacy = await readRun(real(EXPECTED[12]!.path), [['session', 1]]);
    expect(legacy.summaries).toMatchObject([{ id: 'session', epoch: 1, message_count: 598 }]);
    const sample = legacy.samples[0]!;
    const messages = sample.messages as JsonValue[];
    expect(messages).toHaveLength(598);
    expect(
      messages.filter((message) => isJsonObject(message) && message.role === 'tool'),
    ).toHaveLength(246);
    expect(scalarText(legacy.summaries[0]!.input)).toContain(
      "What's the next task I should work on?",
    );
    expect(legacy.header.eval).toMatchObject({
      task: 'codex-session-viewer',
      task_args: { cwd: '/home/user/projects/codex-session-viewer' },
    });

    const current = await readRun(real(EXPECTED[11]!.path));
    expect(current.summaries).toHaveLength(1);
    expect(current.summaries[0]!.message_count).toBe(80);
  });

  it('gives the task of a lone unterminated session_meta line in the run view as in the list', async () => {
    const { header } = await readRun(real(EXPECTED[13]!.path));
    expect(header.eval).toMatchObject({
      task: 'codex-session-view',
      task_args: { cwd: '/home/user/projects/temp/codex-session-view' },
    });
    expect(header.metadata).toMatchObject({ cli_version: '0.63.0', originator: 'codex_cli_rs' });
  });
});

describe('a verifiers run’s status, from what its files say', () => {
  const copy = (path: string, name: string): string => {
    const folder = join(root, 'status', name, 'hangman_agent--gpt-4.1-mini', 'run');
    cpSync(dirname(real(path)), folder, { recursive: true });
    return join(folder, 'results.jsonl');
  };
  const status = async (log: string) => (await describeJsonlRun(log, root, 'verifiers')).row;
  const rows = readFileSync(real(`${HANGMAN}/0e66d07a/results.jsonl`), 'utf8').split('\n');

  it('calls a run cut mid-row crashed, even with its metadata.json (rewritten after every group since 0.1.10)', async () => {
    const log = copy(`${HANGMAN}/0e66d07a/results.jsonl`, 'torn');
    writeFileSync(log, rows.slice(0, 10).join('\n') + '\n' + rows[10]!.slice(0, 500));
    expect(await status(log)).toMatchObject({
      status: 'started',
      recovery: 'torn-tail',
      samples: { completed: 10, total: 24 },
    });
  });

  it('calls a run that stopped between groups incomplete, and one without metadata.json incomplete', async () => {
    const log = copy(`${HANGMAN}/0e66d07a/results.jsonl`, 'short');
    writeFileSync(log, rows.slice(0, 10).join('\n') + '\n');
    expect(await status(log)).toMatchObject({
      status: 'incomplete',
      recovery: null,
      samples: { completed: 10, total: 24 },
    });
    unlinkSync(join(dirname(log), 'metadata.json'));
    expect(await status(log)).toMatchObject({
      status: 'incomplete',
      task: 'hangman_agent',
      model: 'gpt-4.1-mini',
      samples: { completed: 10, total: null },
    });
  });

  it('calls a finished run with a last row missing only its newline finished, with its repair offered', async () => {
    const log = copy(`${HANGMAN}/53366283/results.jsonl`, 'newline');
    truncateSync(log, readFileSync(log).length - 1);
    expect(await status(log)).toMatchObject({
      status: 'success',
      recovery: 'torn-tail',
      samples: { completed: 6, total: 6 },
    });
  });

  it.runIf(process.platform === 'linux')(
    'calls an incomplete run running while a process holds its log open for writing',
    async () => {
      const log = copy(`${HANGMAN}/53366283/results.jsonl`, 'live');
      const six = readFileSync(log, 'utf8').split('\n');
      writeFileSync(log, six.slice(0, 3).join('\n') + '\n');
      const listed = async () =>
        (await listRuns(join(root, 'status/live'))).find((row) =>
          row.path.endsWith('results.jsonl'),
        );
      expect((await listed())?.status).toBe('incomplete');
      const writer = spawn(process.execPath, [
        '-e',
        `require('fs').openSync(${JSON.stringify(log)}, 'a'); console.log('open'); setInterval(() => {}, 1000);`,
      ]);
      try {
        await new Promise((resolve) => writer.stdout.once('data', resolve));
        expect(await listed()).toMatchObject({ status: 'running', recovery: null });
      } finally {
        writer.kill();
        await new Promise((resolve) => writer.once('exit', resolve));
      }
      appendFileSync(log, six.slice(3).join('\n'));
      expect((await listed())?.status).toBe('success');
    },
  );
});

describe('verifiers 0.1.14 and later (generated from verifiers’ own source: no public run exists)', () => {
  it('reads `time` in seconds, the date from the rows, the total tokens, and says incomplete before the end', async () => {
    const written = rollouts(4, 2);
    const folder = writeLegacyRun(join(root, 'v014'), {
      env: 'gsm8k',
      model: 'openai/gpt-4.1-mini',
      id: 'a1b2c3d4',
      examples: 4,
      rolloutsPerExample: 2,
      written,
      seconds: 61.25,
    });
    const log = join(folder, 'results.jsonl');
    const { row } = await describeJsonlRun(log, root, 'verifiers');
    expect(row).toMatchObject({
      task: 'gsm8k',
      model: 'openai/gpt-4.1-mini',
      status: 'success',
      samples: { completed: 8, total: 8 },
      created: new Date(written[0]!.start * 1000).toISOString(),
      tokens: written.reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0),
      duration: 61.25,
    });
    // Since 0.2.0 metadata.json is written before the first rollout: it proves nothing.
    writeLegacyRun(join(root, 'v014'), {
      env: 'gsm8k',
      model: 'openai/gpt-4.1-mini',
      id: 'a1b2c3d4',
      examples: 4,
      rolloutsPerExample: 2,
      written: written.slice(0, 3),
    });
    expect((await describeJsonlRun(log, root, 'verifiers')).row).toMatchObject({
      status: 'incomplete',
      samples: { completed: 3, total: 8 },
    });
  });
});

describe('verifiers v1 (generated from verifiers’ own source: no public run exists)', () => {
  it('reads a run folder as verifiers writes it today: episodes, configs/eval.json, scores, messages, errors', async () => {
    const written = rollouts(3, 2);
    const errored = { ...written[5]!, error: 'upstream timed out' };
    const folder = writeV1Run(join(root, 'v1'), {
      env: 'gsm8k',
      model: 'deepseek/deepseek-v4-flash',
      shortId: '0a1b2c3d',
      numTasks: 3,
      numRollouts: 2,
      written: [...written.slice(0, 5), errored],
    });
    const log = join(folder, 'traces.jsonl');
    const { row } = await describeJsonlRun(log, root, 'verifiers');
    const okRewards = written.slice(0, 5).map((r) => r.reward);
    expect(row).toMatchObject({
      task: 'gsm8k',
      model: 'deepseek/deepseek-v4-flash',
      status: 'error',
      samples: { completed: 5, total: 6 },
      created: new Date(written[0]!.start * 1000).toISOString(),
      score: okRewards.reduce((a, b) => a + b, 0) / okRewards.length,
      tokens: [...written.slice(0, 5), errored].reduce(
        (sum, r) => sum + r.inputTokens + r.outputTokens,
        0,
      ),
    });
    expect(row.duration).toBeCloseTo(written[5]!.start + 3.75 - written[0]!.start, 6);
    const { header, summaries, samples } = await readRun(log, [['0', 1]]);
    expect(runFacts(header, summaries)).toMatchObject({
      task: row.task,
      model: row.model,
      status: 'error',
      samples: row.samples,
      score: row.score,
      tokens: row.tokens,
    });
    expect(
      (header.results as { scores: Array<{ name: string }> }).scores.map((score) => score.name),
    ).toEqual(['reward', 'correct', 'num_turns']);
    expect(summaries.map((summary) => [summary.id, summary.epoch])).toEqual([
      ['0', 1],
      ['0', 2],
      ['1', 1],
      ['1', 2],
      ['2', 1],
      ['2', 2],
    ]);
    expect(summaries[5]).toMatchObject({ error: 'ProviderError: upstream timed out' });
    const first = samples[0]!;
    expect(
      (first.messages as JsonValue[]).map(
        (message) => isJsonObject(message) && [message.role, contentText(message.content)],
      ),
    ).toEqual([
      ['user', 'What is 2 squared?'],
      ['assistant', 'The answer is 4.'],
    ]);
    expect(first.scores).toEqual({
      reward: { value: written[0]!.reward, answer: 'The answer is 4.', history: [] },
    });
    // The sample grid's row of a rollout: what the model answered, its tokens and its time.
    const facts = sampleFacts(summaries[0]!);
    expect(facts).toMatchObject({
      answer: 'The answer is 4.',
      tokens: written[0]!.inputTokens + written[0]!.outputTokens,
    });
    expect(facts.duration).toBeCloseTo(3.75, 6);
    expect(sampleFacts(summaries[5]!)).toMatchObject({
      error: 'ProviderError: upstream timed out',
    });
  });

  it('calls a run with fewer episodes than planned incomplete, a torn one crashed, a full one success', async () => {
    const written = rollouts(2, 2);
    const write = (list: typeof written, tail = '') =>
      join(
        writeV1Run(join(root, 'v1-status'), {
          env: 'wordle',
          model: 'gpt-5',
          shortId: 'deadbeef',
          numTasks: 2,
          numRollouts: 2,
          written: list,
          tail,
        }),
        'traces.jsonl',
      );
    expect((await describeJsonlRun(write(written.slice(0, 3)), root, 'verifiers')).row.status).toBe(
      'incomplete',
    );
    expect(
      (
        await describeJsonlRun(
          write(written.slice(0, 3), '{"id":"ep9","env":{"id":"wor'),
          root,
          'verifiers',
        )
      ).row,
    ).toMatchObject({ status: 'started', recovery: 'torn-tail' });
    expect((await describeJsonlRun(write(written), root, 'verifiers')).row.status).toBe('success');
  });

  it('reads the July 2026 layout: config.toml and one bare trace per line, task and model from the folders', async () => {
    const written = rollouts(2, 1);
    const folder = writeV1TomlRun(join(root, 'v1-toml'), {
      env: 'gsm8k',
      model: 'openai/gpt-5',
      uuid: '4c1e6f0a-1111-4222-8333-944455556666',
      numTasks: 2,
      numRollouts: 1,
      written,
    });
    const log = join(folder, 'traces.jsonl');
    const { row } = await describeJsonlRun(log, root, 'verifiers');
    expect(row).toMatchObject({
      task: 'gsm8k',
      model: 'openai/gpt-5',
      status: 'success',
      samples: { completed: 2, total: 2 },
    });
    const { summaries } = await readRun(log);
    expect(summaries.map((summary) => summary.id)).toEqual(['0', '1']);
  });
});
