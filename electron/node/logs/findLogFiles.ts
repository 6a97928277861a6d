import { readdirSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { outputKind } from '../../../shared/model/outputNames.ts';
import { formatFromPath } from './openLog.ts';
import { jsonlRunKind } from './jsonlRuns.ts';
import { FileByteSource } from '../io/fileByteSource.ts';

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

/** Folders read between two turns of the event loop while walking. */
const FOLDERS_PER_TURN = 32;

/** Options of a walk for run logs. */
export interface WalkOptions {
  /**
   * Sniff `.json` files (false: list every one as a log; a listing sniffs only those its digest
   * does not know, with {@link isRunJsonHead}).
   */
  readonly sniffJson?: boolean;
}

/**
 * Every run log under `root` (recursive): Inspect logs, verifiers `results.jsonl` /
 * `traces.jsonl`, Codex `rollout-*.jsonl`; and Salvage's outputs beside them.
 *
 * A `.json` file is a log when it starts like one (a `"version"` field first, as pydantic writes
 * EvalLog); other JSON (metadata, listings) is another tool's and is left out. A `.json` file
 * that is not JSON at all is listed, so that the list shows it as unreadable rather than hiding it.
 */
export async function findRunFiles(root: string, options: WalkOptions = {}): Promise<RunFiles> {
  const logs: string[] = [];
  const outputs: string[] = [];
  for await (const folders of walkRunFolders(root, options)) {
    for (const folder of folders) {
      logs.push(...folder.logs);
      outputs.push(...folder.outputs);
    }
  }
  return { logs: logs.sort(), outputs: outputs.sort() };
}

/**
 * The run logs and outputs of each folder under `root` (see findRunFiles), a few dozen folders at
 * a time as they are read, so that a listing of 100,000 runs has rows to show long before the
 * walk ends. A folder comes whole (its logs and outputs sorted): Salvage writes every output
 * beside its source, so a folder is all its runs' links need. Subfolders are read in name order.
 */
export async function* walkRunFolders(
  root: string,
  options: WalkOptions = {},
): AsyncGenerator<RunFiles[]> {
  const sniffJson = options.sniffJson ?? true;
  // Normalized once: an absolute folder's names then join it by concatenation (path.join
  // normalizes again each time, a tenth of a warm listing's walk).
  const pending = [join(root)];
  const pathIn = (folder: string): ((name: string) => string) => {
    if (!isAbsolute(folder)) return (name) => join(folder, name);
    const prefix = folder.endsWith(sep) ? folder : `${folder}${sep}`;
    return (name) => prefix + name;
  };
  let read: RunFiles[] = [];
  let sinceTurn = 0;
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const logs: string[] = [];
    const outputs: string[] = [];
    const subfolders: string[] = [];
    // Read here, a few dozen folders between two turns of the event loop: a folder of 100,000
    // runs is as many folders, and a promise per folder (a hop through the thread pool and back)
    // cost four times the CPU of the reads themselves.
    const inFolder = pathIn(folder);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = inFolder(entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) subfolders.push(path);
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
      else if (format === 'inspect-json' && (!sniffJson || (await isRunJson(path))))
        logs.push(path);
    }
    // Last pushed, first read: the first subfolder by name is read next.
    pending.push(...subfolders.sort().reverse());
    if (logs.length > 0 || outputs.length > 0)
      read.push({ logs: logs.sort(), outputs: outputs.sort() });
    if (++sinceTurn === FOLDERS_PER_TURN || pending.length === 0) {
      sinceTurn = 0;
      if (read.length > 0) yield read;
      read = [];
      await new Promise((next) => setImmediate(next));
    }
  }
}

/** The run logs under `root`, sorted by path (see findRunFiles). */
export async function findLogFiles(root: string): Promise<ReadonlyArray<string>> {
  return (await findRunFiles(root)).logs;
}

/** Whether a `.json` file is listed as a run: an Inspect log, or not JSON at all (see findRunFiles). */
export async function isRunJson(path: string): Promise<boolean> {
  return isRunJsonHead(await headOf(path));
}

/** Whether a `.json` file whose first JSON_SNIFF_BYTES bytes these are is listed as a run. */
export function isRunJsonHead(head: Uint8Array): boolean {
  return jsonKindOfHead(head) !== 'other-json';
}

/** A `.json` file's first JSON_SNIFF_BYTES bytes. */
async function headOf(path: string): Promise<Uint8Array> {
  const source = await FileByteSource.open(path);
  try {
    return await source.read(0, Math.min(JSON_SNIFF_BYTES, source.size));
  } finally {
    await source.close();
  }
}

/** What a `.json` file is, from its first JSON_SNIFF_BYTES bytes. */
export function jsonKindOfHead(bytes: Uint8Array): 'inspect-log' | 'other-json' | 'not-json' {
  const head = new TextDecoder().decode(bytes);
  if (/^\s*\{\s*"version"\s*:/.test(head)) return 'inspect-log';
  // An empty file or one that opens like JSON is some tool's data; anything else is not JSON.
  return /^\s*(?:[{[]|$)/.test(head) ? 'other-json' : 'not-json';
}
