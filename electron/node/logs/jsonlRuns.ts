import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
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

/** Bytes read per chunk while scanning a JSONL log. */
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export type JsonlRunKind = 'verifiers' | 'codex';

/** The JSONL run a file is, by its name: verifiers results/traces, or a Codex rollout. */
export function jsonlRunKind(path: string): JsonlRunKind | null {
  const name = basename(path);
  if (name === 'results.jsonl' || name === 'traces.jsonl') return 'verifiers';
  if (/^rollout-.*\.jsonl$/.test(name)) return 'codex';
  return null;
}

/**
 * Read every record of a JSONL log once, in chunks, splitting on `\n` only (U+2028 and U+0085
 * occur inside valid JSON strings). The bytes after the last `\n` are the tail: a complete record
 * that lacks its newline, or a torn one.
 */
export async function scanJsonl(
  path: string,
  onRecord: (record: unknown) => void,
): Promise<{ malformed: number; tail: 'healthy' | 'missing-newline' | 'torn' }> {
  const source = await FileByteSource.open(path);
  const decoder = new TextDecoder();
  let malformed = 0;
  let carry: Uint8Array = new Uint8Array(0);
  const handleLine = (bytes: Uint8Array): void => {
    const text = decoder.decode(bytes).trim();
    if (text === '') return;
    try {
      onRecord(parseInspectJson(text, 'record'));
    } catch {
      malformed += 1;
    }
  };
  try {
    for (let offset = 0; offset < source.size; offset += SCAN_CHUNK_BYTES) {
      const chunk = await source.read(offset, Math.min(SCAN_CHUNK_BYTES, source.size - offset));
      let start = 0;
      for (
        let newline = chunk.indexOf(NEWLINE);
        newline !== -1;
        newline = chunk.indexOf(NEWLINE, start)
      ) {
        const piece = chunk.subarray(start, newline);
        handleLine(carry.length ? concat(carry, piece) : piece);
        carry = new Uint8Array(0);
        start = newline + 1;
      }
      carry = concat(carry, chunk.subarray(start));
    }
  } finally {
    await source.close();
  }
  if (carry.length === 0 || decoder.decode(carry).trim() === '')
    return { malformed, tail: 'healthy' };
  try {
    onRecord(parseInspectJson(decoder.decode(carry), 'record'));
    return { malformed, tail: 'missing-newline' };
  } catch {
    return { malformed, tail: 'torn' };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The runs-table row of a verifiers or Codex JSONL log. */
export async function describeJsonlRun(
  path: string,
  root: string,
  kind: JsonlRunKind,
): Promise<RunRow> {
  const stats = await stat(path);
  const tally: JsonlTally = emptyTally();
  const scan = await scanJsonl(path, (record) =>
    kind === 'verifiers'
      ? tallyVerifiersRecord(tally, record as never)
      : tallyCodexRecord(tally, record as never),
  );
  const base = {
    path: relative(root, path) || path,
    format: kind,
    size: stats.size,
    modified: stats.mtime.toISOString(),
    problem:
      scan.malformed > 0
        ? {
            kind: 'invalid-json' as const,
            message: `${scan.malformed} malformed line(s) in the middle of the log`,
          }
        : null,
    recovery:
      scan.tail === 'torn' || scan.tail === 'missing-newline' ? ('torn-tail' as const) : null,
  };
  if (kind === 'codex') {
    return {
      ...base,
      task: tally.cwd ? basename(tally.cwd) : null,
      model: tally.model,
      status: scan.tail === 'torn' ? 'started' : 'success',
      samples: { completed: tally.turns, total: null },
      created: tally.firstTimestamp,
      score: null,
    };
  }
  const folder = dirname(path);
  const metadataPath = join(folder, 'metadata.json');
  const metadata = existsSync(metadataPath) ? safeJson(metadataPath) : null;
  const fromMetadata = metadata ? verifiersMetadataFacts(metadata) : null;
  const fromName = factsFromRunFolderName(basename(dirname(folder)));
  return {
    ...base,
    task: fromMetadata?.task ?? fromName.task,
    model: fromMetadata?.model ?? fromName.model,
    // metadata.json is written when the run ends: without it the run never finished (or is running).
    status: metadata ? 'success' : 'started',
    samples: { completed: tally.records, total: fromMetadata?.total ?? null },
    created: fromMetadata?.created ?? null,
    score:
      tally.rewarded > 0 ? tally.rewardSum / tally.rewarded : (fromMetadata?.averageReward ?? null),
  };
}

function safeJson(path: string) {
  try {
    const value = parseInspectJson(readFileSync(path, 'utf8'), path);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}
