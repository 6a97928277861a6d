import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { fixture, FIXTURES_ROOT, REAL, TS_MONO } from '../../../test/support/fixtures.ts';

const BIN = fileURLToPath(new URL('../../../bin/salvage', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'salvage-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function salvage(...args: string[]): { code: number; stdout: string; stderr: string } {
  const run = spawnSync(BIN, args, {
    encoding: 'utf8',
    env: { ...process.env, SALVAGE_DATA_DIR: join(folder, 'data') },
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

describe('bin/salvage', () => {
  it("keeps Node's compile cache in the temp folder, or where NODE_COMPILE_CACHE says", () => {
    const empty = join(folder, 'nothing');
    mkdirSync(empty, { recursive: true });
    const run = (env: Record<string, string>): number | null => {
      const { NODE_COMPILE_CACHE: _unset, ...rest } = process.env;
      return spawnSync(BIN, ['ls', empty], {
        env: { ...rest, SALVAGE_DATA_DIR: join(folder, 'data'), ...env },
      }).status;
    };
    const temp = join(folder, 'tmp');
    mkdirSync(temp);
    expect(run({ TMPDIR: temp })).toBe(0);
    expect(readdirSync(join(temp, 'node-compile-cache')).length).toBeGreaterThan(0);
    const chosen = join(folder, 'chosen-cache');
    expect(run({ TMPDIR: temp, NODE_COMPILE_CACHE: chosen })).toBe(0);
    expect(readdirSync(chosen).length).toBeGreaterThan(0);
  });
});

describe('salvage command line', () => {
  const popularity = fixture(
    `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`,
  );

  it('ls --json lists every log with its facts', () => {
    cpSync(popularity, join(folder, 'finished.eval'));
    cpSync(
      fixture('synthetic/truncated/popularity_deflate_start_only.eval'),
      join(folder, 'started.eval'),
    );
    writeFileSync(join(folder, 'metadata.json'), '{"env_id": "not an inspect log"}');
    const { code, stdout } = salvage('ls', folder, '--json');
    expect(code).toBe(0);
    const rows = parseInspectJson(stdout, 'ls output') as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.path)).toEqual(['finished.eval', 'started.eval']);
    expect(rows[0]).toMatchObject({
      format: 'inspect-eval',
      task: 'popularity',
      model: 'openai/gpt-4o-mini',
      status: 'success',
      samples: { completed: 10, total: 10 },
      created: '2025-02-11T15:18:04-05:00',
      size: 21014,
    });
    expect(rows[1]).toMatchObject({ status: 'started', samples: { completed: 0, total: 10 } });
  });

  it('info --json prints the header and the de-duplicated summaries', () => {
    const { code, stdout } = salvage('info', popularity, '--json');
    expect(code).toBe(0);
    const info = parseInspectJson(stdout, 'info output') as {
      header: Record<string, unknown>;
      summaries: unknown[];
    };
    expect(info.header).toMatchObject({ status: 'success', eval: { task: 'popularity' } });
    expect(info.summaries).toHaveLength(10);
  });

  it('sample prints one sample, human or --json', () => {
    const human = salvage('sample', popularity, '3', '1');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('[assistant] No');
    const json = salvage('sample', popularity, '3', '1', '--json');
    expect((parseInspectJson(json.stdout, 'sample') as Record<string, unknown>).id).toBe(3);
  });

  it('exits 1 with the typed message for bad input, never a stack trace', () => {
    const bytes = readFileSync(popularity);
    writeFileSync(join(folder, 'cut.eval'), bytes.subarray(0, 5000));
    const cut = salvage('info', join(folder, 'cut.eval'));
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^salvage: The zip central directory is missing/);
    expect(cut.stderr).not.toMatch(/\n\s+at /);
    const missing = salvage('sample', popularity, '99', '1');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Sample id 99 epoch 1 is not in this log');
  });

  it('ends quietly when the reader of its output stops early (a closed pipe)', () => {
    // A sample of over a megabyte: far more than a pipe holds, so the writer meets the closed end.
    const agent = fixture(`${TS_MONO}/original/ais-decoder.eval`);
    const piped = spawnSync(
      'bash',
      [
        '-c',
        `"$0" sample "$1" 1 1 --json | head -c 100 > /dev/null; exit \${PIPESTATUS[0]}`,
        BIN,
        agent,
      ],
      { encoding: 'utf8', env: { ...process.env, SALVAGE_DATA_DIR: join(folder, 'data') } },
    );
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });

  it('exits 2 on usage errors', () => {
    expect(salvage().code).toBe(2);
    expect(salvage('frobnicate').code).toBe(2);
    expect(salvage('sample', popularity, '1', 'first').code).toBe(2);
    expect(salvage('ls', '--bogus', folder).code).toBe(2);
  });

  it('recover --dry-run --json prints the plan', () => {
    const crash = fixture('synthetic/crash-with-buffer/logs');
    cpSync(crash, join(folder, 'crash'), { recursive: true });
    const log = join(folder, 'crash/2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001.eval');
    const { code, stdout } = salvage('recover', log, '--dry-run', '--json');
    expect(code).toBe(0);
    expect(parseInspectJson(stdout, 'plan')).toMatchObject({
      source: 'filestore',
      flushed: 7,
      completed: 2,
      inProgress: 1,
      lost: 0,
    });
    const list = salvage('recover', '--list', join(folder, 'crash'), '--json');
    expect(parseInspectJson(list.stdout, 'list')).toEqual([
      expect.objectContaining({
        source: 'filestore',
        total: 10,
        flushed: 7,
        completed: 2,
        in_progress: 1,
      }),
    ]);
  });
});

describe('salvage diff-config', () => {
  it('compares two real Inspect runs and says whether they are resume-compatible', () => {
    const finished = fixture(
      `${REAL}/scorer/logs/2025-02-11T15-18-04-05-00_popularity_mj7khqpMM4GBCfVQozKgzB.eval`,
    );
    const sameTask = fixture(
      `${REAL}/scorer/logs/2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval`,
    );
    const same = parseInspectJson(
      salvage('diff-config', sameTask, finished, '--json').stdout,
      'diff',
    ) as Record<string, unknown>;
    expect(same).toMatchObject({
      kind: 'inspect',
      compatible: true,
      differences: [],
      ignored: ['eval.created', 'eval.run_id', 'eval.task_id'],
    });

    const other = salvage(
      'diff-config',
      fixture(`${REAL}/log/test_eval_log/log_formats.eval`),
      finished,
    );
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(
      /result\s+eval\.model\s+"ollama\/llama3\.1"\s+"openai\/gpt-4o-mini"/,
    );
    expect(other.stdout).toMatch(/throughput\s+plan\.config\.max_connections/);
    expect(other.stdout).toContain('resume-compatible: no');
  });

  it('compares two verifiers v1 runs by their config.toml, nested settings classified by name', () => {
    const config = (model: string, concurrency: number, seed: number): string =>
      [
        '# written by verifiers',
        'env_id = "gsm8k"',
        `model = "${model}"`,
        'started = 2026-11-23T10:00:00Z',
        '',
        '[sampling]',
        'temperature = 0.7',
        `seed = ${seed}`,
        'max_tokens = 1_024',
        '',
        '[eval]',
        `max_concurrent = ${concurrency}`,
        'num_examples = 9007199254740993',
        '',
      ].join('\n');
    const runA = join(folder, 'outputs/gsm8k--gpt-4.1-mini--default/run-a');
    const runB = join(folder, 'outputs/gsm8k--gpt-4.1-mini--default/run-b');
    for (const [run, text] of [
      [runA, config('gpt-4.1-mini', 8, 1)],
      [runB, config('gpt-4.1-mini', 64, 1)],
    ] as const) {
      mkdirSync(run, { recursive: true });
      writeFileSync(join(run, 'config.toml'), text);
      writeFileSync(join(run, 'traces.jsonl'), '');
    }
    const diff = parseInspectJson(
      salvage('diff-config', runA, join(runB, 'traces.jsonl'), '--json').stdout,
      'diff',
    ) as { compatible: boolean; differences: Array<{ key: string; class: string }> };
    expect(diff.compatible).toBe(true);
    expect(diff.differences).toEqual([
      expect.objectContaining({ key: 'eval.max_concurrent', class: 'throughput' }),
    ]);

    writeFileSync(join(runB, 'config.toml'), config('gpt-4.1', 64, 2));
    const changed = salvage('diff-config', runA, runB);
    expect(changed.stdout).toMatch(/result\s+model\s+"gpt-4\.1-mini"\s+"gpt-4\.1"/);
    expect(changed.stdout).toMatch(/result\s+sampling\.seed/);
    expect(changed.stdout).toContain('resume-compatible: no');

    writeFileSync(join(runB, 'config.toml'), 'model = "unterminated');
    const broken = salvage('diff-config', runA, runB);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/config\.toml is not valid TOML \(line 1, column \d+\)/);
  });
});

describe('salvage search', () => {
  it('--json prints every hit with its path as given under DIR, format, sample, where and snippet', () => {
    const logs = join(folder, 'search-logs');
    mkdirSync(join(logs, 'codex'), { recursive: true });
    cpSync(
      fixture(
        'real-crashes/expected/db-strids-errors/2026-11-30T18-11-58-00-00_slow_7ANuQBAEah8uuhty7wKbJp-recovered.eval',
      ),
      join(logs, 'strids.eval'),
    );
    cpSync(
      join(
        FIXTURES_ROOT,
        'jsonl-real/codex/sessions/2025/11/17/rollout-2025-11-17T15-30-28-019a93b9-f380-7600-98ff-940e6b99603c.jsonl',
      ),
      join(logs, 'codex/rollout-2025-11-17T15-30-28-session.jsonl'),
    );
    const { code, stdout } = salvage(
      'search',
      '"deliberate failure in sample index 2" OR "configuration LM Studio is already wired"',
      logs,
      '--json',
    );
    expect(code).toBe(0);
    const hits = parseInspectJson(stdout, 'search output') as Array<Record<string, unknown>>;
    expect(hits).toEqual([
      {
        path: join(logs, 'codex/rollout-2025-11-17T15-30-28-session.jsonl'),
        format: 'codex',
        task: 'chatbot-ui',
        model: 'gpt-5.1-codex',
        sample: { id: 'session', epoch: 1 },
        where: 'message 6 (tool)',
        place: { kind: 'message', index: 5, label: 'tool' },
        snippet: expect.stringContaining('LM Studio is already wired into your') as unknown,
        matches: [[expect.any(Number), expect.any(Number)]],
      },
      expect.objectContaining({
        path: join(logs, 'strids.eval'),
        format: 'inspect-eval',
        sample: { id: 's-03', epoch: 1 },
        where: 'event 18 (logger)',
      }),
      expect.objectContaining({
        path: join(logs, 'strids.eval'),
        sample: { id: 's-03', epoch: 1 },
        where: 'event 19 (error)',
      }),
    ]);
    const first = hits[0] as { snippet: string; matches: Array<[number, number]> };
    const [start, end] = first.matches[0]!;
    expect(first.snippet.slice(start, end)).toBe('configuration\n\nLM Studio is already wired');
    // A relative DIR is kept as given; --limit caps the hits.
    const relative = spawnSync(
      BIN,
      ['search', 'slow_add', 'search-logs', '--json', '--limit', '2'],
      {
        cwd: folder,
        encoding: 'utf8',
        env: { ...process.env, SALVAGE_DATA_DIR: join(folder, 'data') },
      },
    );
    const limited = parseInspectJson(relative.stdout, 'search output') as Array<{ path: string }>;
    expect(limited.map((hit) => hit.path)).toEqual([
      'search-logs/strids.eval',
      'search-logs/strids.eval',
    ]);
  });

  it('prints hits grouped by run, and refuses a bad query with a message (exit 1)', () => {
    const logs = join(folder, 'search-logs');
    const human = salvage('search', 'mockllm', logs);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${join(logs, 'strids.eval')}  (slow · mockllm/model)`);
    expect(human.stdout).toContain('run (task, model, tags): slow [mockllm]/model');
    const bad = salvage('search', '"unclosed', logs);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'salvage: The quote at character 1 is never closed: add the closing " or remove it.\n',
    );
  });
});
