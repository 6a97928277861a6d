import { secondsBetween } from '../../../shared/formats/runFacts.ts';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isJsonObject, parseInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import {
  emptyTally,
  factsFromRunFolderName,
  tallyCodexRecord,
  tallyVerifiersRecord,
  verifiersMetadataFacts,
  type JsonlTally,
} from '../../../shared/formats/runs/jsonlRunFacts.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { walkLines } from '../../../shared/formats/jsonl/lineReader.ts';

export type JsonlRunKind = 'verifiers' | 'codex';

/** The JSONL run a file is, by its name: verifiers results/traces, or a Codex rollout. */
export function jsonlRunKind(path: string): JsonlRunKind | null {
  const name = basename(path);
  if (name === 'results.jsonl' || name === 'traces.jsonl') return 'verifiers';
  if (/^rollout-.*\.jsonl$/.test(name)) return 'codex';
  return null;
}

export type TailState = 'healthy' | 'missing-newline' | 'torn';

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
 * The runs-table row of a verifiers or Codex JSONL log, and the state to resume from when it grows:
 * given `resume`, only the bytes after its watermark are read.
 */
export async function describeJsonlRun(
  path: string,
  root: string,
  kind: JsonlRunKind,
  resume?: JsonlScanState,
): Promise<{ row: RunRow; state: JsonlScanState }> {
  const stats = await stat(path);
  const fold = (tally: JsonlTally, record: unknown): void =>
    kind === 'verifiers'
      ? tallyVerifiersRecord(tally, record as never)
      : tallyCodexRecord(tally, record as never);
  const complete: JsonlTally = resume ? structuredClone(resume.tally) : emptyTally();
  const scan = await scanJsonl(path, (record) => fold(complete, record), resume?.watermark ?? 0);
  const malformed = scan.malformed + (resume?.malformed ?? 0);
  const state: JsonlScanState = { watermark: scan.watermark, tally: complete, malformed };
  // A complete record missing only its newline counts; it stays out of the saved state, as the
  // next scan reads it again from the watermark.
  const tally = structuredClone(complete);
  if (scan.tailRecord !== undefined) fold(tally, scan.tailRecord);

  const base = {
    path: relative(root, path) || path,
    location: resolve(path),
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
  };
  if (kind === 'codex') {
    const row: RunRow = {
      ...base,
      task: tally.cwd ? basename(tally.cwd) : null,
      model: tally.model,
      status: scan.tail === 'torn' ? 'started' : 'success',
      samples: { completed: tally.turns, total: null },
      created: tally.firstTimestamp,
      score: null,
      tokens: tally.tokens,
      duration: secondsBetween(tally.firstTimestamp, tally.lastTimestamp),
    };
    return { row, state };
  }
  const folder = dirname(path);
  const metadataPath = join(folder, 'metadata.json');
  const metadata = existsSync(metadataPath) ? safeJson(metadataPath) : null;
  const fromMetadata = metadata ? verifiersMetadataFacts(metadata) : null;
  const fromName = factsFromRunFolderName(basename(dirname(folder)));
  const row: RunRow = {
    ...base,
    task: fromMetadata?.task ?? fromName.task,
    model: fromMetadata?.model ?? fromName.model,
    // metadata.json is written when the run ends: without it the run never finished (or is running).
    status: metadata ? 'success' : 'started',
    samples: { completed: tally.records, total: fromMetadata?.total ?? null },
    created: fromMetadata?.created ?? null,
    tokens: fromMetadata?.tokens ?? null,
    duration: fromMetadata?.duration ?? null,
    score:
      tally.rewarded > 0 ? tally.rewardSum / tally.rewarded : (fromMetadata?.averageReward ?? null),
  };
  return { row, state };
}

function safeJson(path: string) {
  try {
    const value = parseInspectJson(readFileSync(path, 'utf8'), path);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}
