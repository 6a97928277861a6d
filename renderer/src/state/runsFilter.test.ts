import { describe, expect, it } from 'vitest';
import { NO_LINKS, type RunRow } from '../../../shared/model/run.ts';
import { filterRuns, folderOf, NO_RUNS_FILTER, runGroups, type RunsFilter } from './runsFilter.ts';

function run(path: string, change: Partial<RunRow> = {}): RunRow {
  return {
    path,
    location: `/home/me/logs/${path}`,
    format: 'inspect-eval',
    task: 'popularity',
    model: 'openai/gpt-4o-mini',
    status: 'success',
    recovery: null,
    samples: { completed: 1, total: 1 },
    created: null,
    score: null,
    scores: [],
    errors: 0,
    cost: null,
    tags: [],
    tokens: null,
    duration: null,
    size: 1,
    modified: '2026-11-30T00:00:00Z',
    problem: null,
    links: NO_LINKS,
    ...change,
  };
}

const RUNS = [
  run('a.eval', { scores: [{ name: 'accuracy', value: 0.8 }] }),
  run('crash/b.eval', { status: 'started', recovery: 'filestore' }),
  run('verifiers/gsm8k/results.jsonl', {
    format: 'verifiers',
    task: 'gsm8k',
    scores: [{ name: 'reward', value: 0.3 }],
    tags: ['baseline'],
  }),
];
const ALL: RunsFilter = NO_RUNS_FILTER;
const paths = (filter: Partial<RunsFilter>) => {
  const shown = filterRuns(RUNS, { ...ALL, ...filter });
  const matched = RUNS.filter((_, index) => shown.mask[index] === 1).map((row) => row.path);
  expect(shown.count).toBe(matched.length);
  return matched;
};

describe('the runs filter matches what the table shows', () => {
  it('the status as the badge says it, the recovery source, the folder, a tag', () => {
    expect(paths({ text: 'crashed' })).toEqual(['crash/b.eval']);
    expect(paths({ text: 'filestore' })).toEqual(['crash/b.eval']);
    expect(paths({ text: 'logs/verifiers' })).toEqual(['verifiers/gsm8k/results.jsonl']);
    expect(paths({ text: 'BASELINE' })).toEqual(['verifiers/gsm8k/results.jsonl']);
    expect(paths({ status: 'crashed' })).toEqual(['crash/b.eval']);
    expect(paths({ status: 'needs recovery or repair' })).toEqual(['crash/b.eval']);
  });

  it('a score range keeps runs whose headline score is in it, and none without a score', () => {
    expect(paths({ minScore: 0.5 })).toEqual(['a.eval']);
    expect(paths({ maxScore: 0.5 })).toEqual(['verifiers/gsm8k/results.jsonl']);
    expect(paths({ minScore: 0, maxScore: 1 })).toEqual([
      'a.eval',
      'verifiers/gsm8k/results.jsonl',
    ]);
  });

  it('a folder of the sidebar keeps the runs in it and below it; a task, its runs', () => {
    expect(paths({ group: { by: 'folder', value: 'logs/verifiers' } })).toEqual([
      'verifiers/gsm8k/results.jsonl',
    ]);
    expect(paths({ group: { by: 'folder', value: 'logs' } })).toHaveLength(3);
    expect(paths({ group: { by: 'task', value: 'popularity' } })).toEqual([
      'a.eval',
      'crash/b.eval',
    ]);
    const groups = runGroups(RUNS);
    expect(groups.folders.map(({ value, depth, count }) => [value, depth, count])).toEqual([
      ['logs', 0, 3],
      ['logs/crash', 1, 1],
      ['logs/verifiers', 1, 1],
      ['logs/verifiers/gsm8k', 2, 1],
    ]);
    expect(groups.tasks.map(({ value, count }) => [value, count])).toEqual([
      ['gsm8k', 1],
      ['popularity', 2],
    ]);
  });

  it('typing on finds what a fresh filter finds, and a changed status filters afresh', () => {
    const texts = ['l', 'lo', 'logs', 'logs/', 'logs/c', 'logs/cr', 'logs/', 'g'];
    // Over a copy of the runs, each text alone (the filter narrows only over the same runs).
    const fresh = texts.map((text) => {
      const copy = [...RUNS];
      const shown = filterRuns(copy, { ...ALL, text });
      return copy.filter((_, index) => shown.mask[index] === 1).map((row) => row.path);
    });
    expect(fresh[2]).toHaveLength(3);
    expect(fresh[3]).toEqual(['crash/b.eval', 'verifiers/gsm8k/results.jsonl']);
    expect(texts.map((text) => paths({ text }))).toEqual(fresh);
    expect(paths({ text: 'logs' })).toHaveLength(3);
    expect(paths({ text: 'logs', status: 'crashed' })).toEqual(['crash/b.eval']);
    expect(paths({ text: 'logs/v', status: 'crashed' })).toEqual([]);
    expect(paths({ text: 'logs/v' })).toEqual(['verifiers/gsm8k/results.jsonl']);
  });

  it('names a run’s folder by the opened folder and the folders below it', () => {
    expect(folderOf(RUNS[0]!)).toBe('logs');
    expect(folderOf(RUNS[2]!)).toBe('logs/verifiers/gsm8k');
  });
});
