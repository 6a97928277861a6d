import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { outputKind } from '../../../shared/model/outputNames.ts';
import { formatFromPath } from './openLog.ts';
import { jsonlRunKind } from './jsonlRuns.ts';

/** Folders never holding logs of their own: Inspect's sample-buffer filestores, VCS and package folders. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.buffer', '.git', 'node_modules']);

/** Bytes sniffed at the start of a .json file to tell an Inspect log from other JSON. */
export const JSON_SNIFF_BYTES = 256;

/** The runs under a folder, and the files Salvage wrote beside them. */
export interface RunFiles {
  /** Every run log (recovered logs included: they are runs), sorted by path. */
  readonly logs: ReadonlyArray<string>;
  /** Exports and repair sidecars, shown with the run they came from (see outputNames.ts). */
  readonly outputs: ReadonlyArray<string>;
}

/**
 * Every run log under `root` (recursive): Inspect logs, verifiers `results.jsonl` /
 * `traces.jsonl`, Codex `rollout-*.jsonl`; and Salvage's outputs beside them.
 *
 * A `.json` file is a log when it starts like one (a `"version"` field first, as pydantic writes
 * EvalLog); other JSON (metadata, listings) is another tool's and is left out. A `.json` file
 * that is not JSON at all is listed, so that the list shows it as unreadable rather than hiding it.
 */
export async function findRunFiles(root: string): Promise<RunFiles> {
  const logs: string[] = [];
  const outputs: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) pending.push(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const output = outputKind(path);
      if (output && output.kind !== 'recovered') {
        outputs.push(path);
        continue;
      }
      const format = formatFromPath(path);
      if (format === 'inspect-eval' || jsonlRunKind(path) !== null) logs.push(path);
      else if (format === 'inspect-json' && (await jsonKind(path)) !== 'other-json')
        logs.push(path);
    }
  }
  return { logs: logs.sort(), outputs: outputs.sort() };
}

/** The run logs under `root`, sorted by path (see findRunFiles). */
export async function findLogFiles(root: string): Promise<ReadonlyArray<string>> {
  return (await findRunFiles(root)).logs;
}

/** What a `.json` file's first bytes say it is. */
async function jsonKind(path: string): Promise<'inspect-log' | 'other-json' | 'not-json'> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(JSON_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, JSON_SNIFF_BYTES, 0);
    return jsonKindOfHead(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** What a `.json` file is, from its first JSON_SNIFF_BYTES bytes. */
export function jsonKindOfHead(bytes: Uint8Array): 'inspect-log' | 'other-json' | 'not-json' {
  const head = new TextDecoder().decode(bytes);
  if (/^\s*\{\s*"version"\s*:/.test(head)) return 'inspect-log';
  // An empty file or one that opens like JSON is some tool's data; anything else is not JSON.
  return /^\s*(?:[{[]|$)/.test(head) ? 'other-json' : 'not-json';
}
