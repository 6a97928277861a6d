import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatFromPath } from './openLog.ts';
import { jsonlRunKind } from './jsonlRuns.ts';

/** Folders never holding logs of their own: Inspect's sample-buffer filestores, VCS and package folders. */
const SKIPPED_FOLDERS = new Set(['.buffer', '.git', 'node_modules']);

/** Bytes sniffed at the start of a .json file to tell an Inspect log from other JSON. */
const JSON_SNIFF_BYTES = 256;

/**
 * Every run log under `root` (recursive), sorted by path: Inspect logs, verifiers
 * `results.jsonl` / `traces.jsonl`, and Codex `rollout-*.jsonl`.
 *
 * `.json` files are kept only when they start like an Inspect log (a `"version"` field first, as
 * pydantic writes EvalLog), so metadata and listing files beside the logs are not reported.
 */
export async function findLogFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) pending.push(path);
      } else if (entry.isFile()) {
        const format = formatFromPath(path);
        if (format === 'inspect-eval' || jsonlRunKind(path) !== null) found.push(path);
        else if (format === 'inspect-json' && (await looksLikeInspectJson(path))) found.push(path);
      }
    }
  }
  return found.sort();
}

async function looksLikeInspectJson(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(JSON_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, JSON_SNIFF_BYTES, 0);
    const head = new TextDecoder().decode(buffer.subarray(0, bytesRead));
    return /^\s*\{\s*"version"\s*:/.test(head);
  } finally {
    await handle.close();
  }
}
