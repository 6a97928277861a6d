import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseToml, TomlDate } from 'smol-toml';
import {
  isJsonObject,
  parseInspectJson,
  type JsonObject,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import {
  emptyTally,
  foldRecord,
  jsonlRunFacts,
  type JsonlRunContext,
  type JsonlTally,
  type TailState,
} from '../../../shared/formats/runs/jsonlRunFacts.ts';
import { NO_LINKS, type RunRow } from '../../../shared/model/run.ts';
import { FileByteSource, statFile } from '../io/fileByteSource.ts';
import { walkLines } from '../../../shared/formats/jsonl/lineReader.ts';
import { placeUnder } from './runRow.ts';

export type JsonlRunKind = 'verifiers' | 'codex';
export type { TailState };

/** The JSONL run a file is, by its name: verifiers results/traces, or a Codex rollout. */
export function jsonlRunKind(path: string): JsonlRunKind | null {
  const name = basename(path);
  if (name === 'results.jsonl' || name === 'traces.jsonl') return 'verifiers';
  if (/^rollout-.*\.jsonl$/.test(name)) return 'codex';
  return null;
}

export interface JsonlScan {
  /** Lines between newlines that are not JSON (reported, never turned into empty records). */
  readonly malformed: number;
  readonly tail: TailState;
  /** Offset just after the last `\n`: where a later scan of the grown file resumes. */
  readonly watermark: number;
  /** The record after the last `\n`, when it parses (a complete record missing its newline). */
  readonly tailRecord: unknown;
}

/**
 * Read the complete records of a JSONL log from `from`, in chunks, splitting on `\n` only
 * (U+2028 and U+0085 occur inside valid JSON strings). The bytes after the last `\n` are the tail:
 * a complete record that lacks its newline, or a torn one; it is reported, not passed to onRecord.
 */
export async function scanJsonl(
  path: string,
  onRecord: (record: unknown) => void,
  from = 0,
): Promise<JsonlScan> {
  const source = await FileByteSource.open(path);
  const decoder = new TextDecoder();
  let malformed = 0;
  let walk;
  try {
    walk = await walkLines(
      source,
      (line) => {
        const text = decoder.decode(line).trim();
        if (text === '') return;
        try {
          onRecord(parseInspectJson(text, 'record'));
        } catch {
          malformed += 1;
        }
      },
      from,
    );
  } finally {
    await source.close();
  }
  const tailText = decoder.decode(walk.tail).trim();
  const watermark = walk.tailStart;
  if (tailText === '') return { malformed, tail: 'healthy', watermark, tailRecord: undefined };
  try {
    return {
      malformed,
      tail: 'missing-newline',
      watermark,
      tailRecord: parseInspectJson(tailText, 'record'),
    };
  } catch {
    return { malformed, tail: 'torn', watermark, tailRecord: undefined };
  }
}

/** Where a scan of a growing JSONL log stopped: the end of its last complete line, and the tally up to there. */
export interface JsonlScanState {
  readonly watermark: number;
  readonly tally: JsonlTally;
  readonly malformed: number;
}

/**
 * What a run's folder says besides its log: a verifiers run's `metadata.json`, a v1 run's
 * configuration (`configs/*.json`, earlier `config.toml`), and the folders' names. Shared by the
 * runs list and the run reader, so both read the same facts.
 */
export function readRunContext(path: string, kind: JsonlRunKind): JsonlRunContext {
  const folder = dirname(resolve(path));
  return {
    kind,
    metadata: kind === 'verifiers' ? readJsonObject(join(folder, 'metadata.json')) : null,
    config: kind === 'verifiers' ? readV1Config(folder) : null,
    folder: basename(folder),
    parentFolder: basename(dirname(folder)),
  };
}

/** A v1 run's saved configuration: the first `configs/*.json` (as verifiers picks it), else `config.toml`. */
export function readV1Config(folder: string): JsonObject | null {
  const configs = join(folder, 'configs');
  if (existsSync(configs) && statSync(configs).isDirectory()) {
    const first = readdirSync(configs)
      .filter((name) => name.endsWith('.json'))
      .sort()[0];
    if (first) return readJsonObject(join(configs, first));
  }
  const toml = join(folder, 'config.toml');
  if (!existsSync(toml)) return null;
  try {
    const value = tomlAsJson(
      parseToml(readFileSync(toml, 'utf8'), { integersAsBigInt: 'asNeeded' }),
    );
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** A TOML table as JSON: exact integers (bigint beyond 2^53), dates as their text. */
export function tomlAsJson(value: unknown): JsonValue {
  if (value instanceof TomlDate) return value.toISOString();
  if (Array.isArray(value)) return value.map(tomlAsJson);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, tomlAsJson(item)]));
  return value as JsonValue;
}

/**
 * The runs-table row of a verifiers or Codex JSONL log, and the state to resume from when it grows:
 * given `resume`, only the bytes after its watermark are read.
 */
export async function describeJsonlRun(
  path: string,
  root: string,
  kind: JsonlRunKind,
  resume?: JsonlScanState,
): Promise<{ row: RunRow; state: JsonlScanState }> {
  const stats = await statFile(path);
  const complete: JsonlTally = resume ? structuredClone(resume.tally) : emptyTally();
  const scan = await scanJsonl(
    path,
    (record) => foldRecord(kind, complete, record as JsonValue),
    resume?.watermark ?? 0,
  );
  const malformed = scan.malformed + (resume?.malformed ?? 0);
  const state: JsonlScanState = { watermark: scan.watermark, tally: complete, malformed };
  // A complete record missing only its newline counts; it stays out of the saved state, as the
  // next scan reads it again from the watermark.
  const tally = structuredClone(complete);
  if (scan.tailRecord !== undefined) foldRecord(kind, tally, scan.tailRecord as JsonValue);
  const facts = jsonlRunFacts(tally, readRunContext(path, kind), scan.tail);
  const row: RunRow = {
    links: NO_LINKS,
    ...placeUnder(root, path),
    format: kind,
    size: stats.size,
    modified: stats.mtime.toISOString(),
    problem:
      malformed > 0
        ? {
            kind: 'invalid-json' as const,
            message: `${malformed} malformed line(s) in the middle of the log`,
          }
        : null,
    recovery: scan.tail === 'healthy' ? null : ('torn-tail' as const),
    task: facts.task,
    model: facts.model,
    status: facts.status,
    samples: facts.samples,
    created: facts.created,
    score: facts.score,
    scores: facts.scores,
    errors: tally.errored,
    cost: null,
    tags: [],
    tokens: facts.tokens,
    duration: facts.duration,
  };
  return { row, state };
}

function readJsonObject(path: string): JsonObject | null {
  if (!existsSync(path)) return null;
  try {
    const value = parseInspectJson(readFileSync(path, 'utf8'), path);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}
