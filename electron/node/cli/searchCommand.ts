import { realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import type { RunFormat, RunStatus } from '../../../shared/model/run.ts';
import {
  describePlace,
  type IndexProgress,
  type SearchHit,
  type Snippet,
} from '../../../shared/search/searchTypes.ts';
import { fileError } from '../io/fileErrors.ts';
import { RunDigest } from '../index/runDigest.ts';
import { SearchEngine } from '../search/searchEngine.ts';
import { defaultIndexPath } from '../search/searchStore.ts';
import type { Output } from './output.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** Hits printed unless `--limit` says otherwise. */
const DEFAULT_LIMIT = 50;

/**
 * `salvage search QUERY [DIR…] [--json] [--limit N] [filters]`: the runs under each DIR (the
 * current folder by default) are brought into the search index first (incrementally: unchanged
 * runs cost a stat), then searched. `--json` prints an array of hits, each with the log's path
 * as given under its DIR, its format, the sample, where in it (`where`, as the sample view numbers
 * messages and events; `place`, the same as data) and the snippet with the matched words' ranges.
 */
export async function searchCommand(
  args: ReadonlyArray<string>,
  output: Output,
  interactive = process.stderr.isTTY === true,
): Promise<number> {
  const parsed = parseCommandArgs(args, {
    json: { type: 'boolean', default: false },
    limit: { type: 'string', default: String(DEFAULT_LIMIT) },
    status: { type: 'string' },
    format: { type: 'string' },
    task: { type: 'string' },
    model: { type: 'string' },
    'min-score': { type: 'string' },
    'max-score': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  });
  const [query, ...given] = parsed.positionals;
  if (query === undefined) throw new UsageError('search needs a QUERY.');
  const limit = Number(parsed.values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive whole number, got ${parsed.values.limit}.`);
  const score = (name: 'min-score' | 'max-score'): number | null => {
    const text = parsed.values[name];
    if (text === undefined) return null;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got ${text}.`);
    return value;
  };
  const dirs = given.length > 0 ? given : ['.'];
  const roots = await Promise.all(
    dirs.map((dir) =>
      realpath(dir).catch((error: unknown) => {
        throw fileError(error, dir);
      }),
    ),
  );
  const digest = RunDigest.open();
  const engine = new SearchEngine(defaultIndexPath(), { digest });
  try {
    await engine.index(roots, undefined, interactive ? (p) => showProgress(p, output) : undefined);
    const result = engine.search(
      {
        query,
        limit,
        status: (parsed.values.status ?? null) as RunStatus | null,
        format: (parsed.values.format ?? null) as RunFormat | null,
        task: parsed.values.task ?? null,
        model: parsed.values.model ?? null,
        folder: null,
        minScore: score('min-score'),
        maxScore: score('max-score'),
        createdFrom: parsed.values.from ?? null,
        createdTo: parsed.values.to ?? null,
      },
      roots,
    );
    const asGiven = (run: string): string => {
      const at = roots.findIndex((root) => !relative(root, run).startsWith('..'));
      return at < 0 ? run : join(dirs[at]!, relative(roots[at]!, run));
    };
    if (parsed.values.json === true) {
      output.out(
        stringifyInspectJson(
          result.hits.map((hit) => jsonHit(hit, asGiven)),
          2,
        ),
      );
    } else {
      printHuman(result.hits, result.more, asGiven, output);
    }
  } finally {
    engine.close();
    digest.close();
  }
  return 0;
}

function jsonHit(hit: SearchHit, asGiven: (run: string) => string) {
  return {
    path: asGiven(hit.run),
    format: hit.format,
    task: hit.task,
    model: hit.model,
    sample: hit.sample,
    where: describePlace(hit.place),
    place: hit.place,
    snippet: hit.snippet.text,
    matches: hit.snippet.marks,
  };
}

function printHuman(
  hits: ReadonlyArray<SearchHit>,
  more: boolean,
  asGiven: (run: string) => string,
  output: Output,
): void {
  if (hits.length === 0) {
    output.err('No hits.');
    return;
  }
  const lines: string[] = [];
  let run: string | null = null;
  for (const hit of hits) {
    if (hit.run !== run) {
      run = hit.run;
      const facts = [hit.task, hit.model].filter(Boolean).join(' · ');
      lines.push(
        `${lines.length > 0 ? '\n' : ''}${asGiven(hit.run)}${facts ? `  (${facts})` : ''}`,
      );
    }
    const sample = hit.sample ? `sample ${hit.sample.id} epoch ${hit.sample.epoch} · ` : '';
    lines.push(`  ${sample}${describePlace(hit.place)}: ${marked(hit.snippet)}`);
  }
  if (more) lines.push(`\n(more hits: raise --limit, or narrow the query)`);
  output.out(lines.join('\n'));
}

/** The snippet on one line, the matched words in [brackets]. */
function marked(snippet: Snippet): string {
  let text = '';
  let at = 0;
  for (const [start, end] of snippet.marks) {
    text += `${snippet.text.slice(at, start)}[${snippet.text.slice(start, end)}]`;
    at = end;
  }
  return (text + snippet.text.slice(at)).replace(/\s+/g, ' ').trim();
}

function showProgress(progress: IndexProgress, output: Output): void {
  if (progress.phase === 'indexing' && progress.runsTotal > 0)
    output.err(`indexing: ${progress.runsDone} of ${progress.runsTotal} runs…`);
}
