/**
 * The names of the files Salvage writes beside a user's log, in one place: the writers name
 * their outputs with these functions and the runs list recognises them by the same rules, so an
 * output is shown with the run it came from rather than as a run of its own.
 *
 * - `<name>-recovered.eval`: a crashed `<name>.eval` or `<name>.json`, recovered (as Inspect
 *   names it).
 * - `<base>.export.<ext>` (then `.export-2.<ext>`…): an export, `<base>` being the log without
 *   its `.eval`/`.json` extension (a JSONL log keeps its name).
 * - `<log>.torn-<UTC time>` (then `-2`…): a repair's sidecar; `<sidecar>.undone` once undone.
 * - `<base>.sample-<id>-epoch-<n>.md`: one sample exported as Markdown.
 */

/** A name's folder part and file part, with either separator. */
function split(path: string): { readonly folder: string; readonly name: string } {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return { folder: path.slice(0, cut + 1), name: path.slice(cut + 1) };
}

export function recoveredName(log: string): string {
  const { folder, name } = split(log);
  return `${folder}${name.replace(/\.(eval|json)$/, '')}-recovered.eval`;
}

/** The path an export would take, before a number is added to keep it from overwriting. */
export function exportBase(log: string): string {
  return `${log.replace(/\.(eval|json)$/, '')}.export`;
}

export function sampleMarkdownBase(log: string, id: string, epoch: number): string {
  const safeId = id.replace(/[^\w.-]+/g, '_');
  return `${log.replace(/\.(eval|json|jsonl)$/, '')}.sample-${safeId}-epoch-${epoch}`;
}

/** `<log>.torn-<stamp>` for a repair at `date` (compact UTC, sortable). */
export function sidecarName(log: string, date: Date, copy = 1): string {
  const stamp = date.toISOString().replace(/[-:]/g, '');
  return `${log}.torn-${stamp}${copy > 1 ? `-${copy}` : ''}`;
}

export const UNDONE_SUFFIX = '.undone';

/** What an output file is, and the names its source log may have, or null for any other file. */
export type OutputKind =
  | { readonly kind: 'recovered'; readonly sources: ReadonlyArray<string> }
  | { readonly kind: 'export'; readonly sources: ReadonlyArray<string> }
  | { readonly kind: 'sidecar'; readonly sources: ReadonlyArray<string>; readonly undone: boolean }
  | { readonly kind: 'sample-markdown' };

/** What every output's name holds (see the patterns below), so that most names skip them. */
const OUTPUT_MARK = /-recovered\.eval$|\.export|\.torn-|\.sample-/;

export function outputKind(path: string): OutputKind | null {
  const { folder, name } = split(path);
  // A listing asks this of every file of a folder of 100,000 runs: one scan says "none" for most.
  if (!OUTPUT_MARK.test(name)) return null;
  const recovered = /^(.+)-recovered\.eval$/.exec(name);
  if (recovered) {
    return {
      kind: 'recovered',
      sources: [`${folder}${recovered[1]}.eval`, `${folder}${recovered[1]}.json`],
    };
  }
  const exported = /^(.+)\.export(?:-\d+)?\.(?:eval|json|jsonl|csv)$/.exec(name);
  if (exported) {
    const base = `${folder}${exported[1]}`;
    return { kind: 'export', sources: [`${base}.eval`, `${base}.json`, base] };
  }
  const sidecar = /^(.+)\.torn-\d{8}T\d{6}(?:\.\d+)?Z(?:-\d+)?(\.undone)?$/.exec(name);
  if (sidecar) {
    return { kind: 'sidecar', sources: [`${folder}${sidecar[1]}`], undone: Boolean(sidecar[2]) };
  }
  if (/\.sample-.+-epoch-\d+(?:-\d+)?\.md$/.test(name)) return { kind: 'sample-markdown' };
  return null;
}
