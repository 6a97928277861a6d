import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { compareConfigs } from '../resume/compareRuns.ts';
import type { Output } from './output.ts';
import { renderTable } from './table.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** Longest value shown in the human table; --json carries everything. */
const VALUE_CHARS = 50;

/** `salvage diff-config A B [--json]`: what differs between two runs' configurations, and whether that matters for a resume. */
export async function compareConfigCommand(
  args: ReadonlyArray<string>,
  output: Output,
): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean', default: false } });
  if (parsed.positionals.length !== 2) throw new UsageError('diff-config takes two runs.');
  const [a, b] = parsed.positionals as [string, string];
  const { kind, diff, unknown } = await compareConfigs(a, b);
  if (parsed.values.json === true) {
    output.out(stringifyInspectJson({ kind, ...diff, unknown_config: unknown }, 2));
    return 0;
  }
  if (diff.compatible === null) {
    output.out(
      `resume-compatible: unknown (${unknown.map((side) => (side === 'a' ? a : b)).join(' and ')} record${unknown.length === 1 ? 's' : ''} no configuration: the run crashed before writing it)`,
    );
    return 0;
  }
  const show = (value: unknown): string => {
    const text = value === null ? '(absent)' : stringifyInspectJson(value);
    return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
  };
  if (diff.differences.length > 0) {
    output.out(
      renderTable(
        ['CLASS', 'KEY', 'A', 'B'],
        diff.differences.map((item) => [item.class, item.key, show(item.a), show(item.b)]),
      ),
    );
  }
  const counted = (kind: string) => diff.differences.filter((item) => item.class === kind).length;
  const results = counted('result');
  const scope = counted('scope');
  output.out(
    `resume-compatible: ${diff.compatible ? 'yes' : 'no'} (${results} result-affecting difference${results === 1 ? '' : 's'}, ${counted('throughput')} throughput${scope > 0 ? `, ${scope} more samples asked` : ''}, ${diff.ignored.length} outcome or bookkeeping key${diff.ignored.length === 1 ? '' : 's'} ignored)`,
  );
  return 0;
}
