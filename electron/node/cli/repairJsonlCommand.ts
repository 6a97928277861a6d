import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { checkJsonl, repairJsonl, undoRepair, type RepairCheck } from '../repair/repairJsonl.ts';
import type { Output } from './output.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** `salvage repair FILE [--dry-run] [--json]` and `salvage repair --undo SIDECAR [--json]`. */
export async function repairJsonlCommand(
  args: ReadonlyArray<string>,
  output: Output,
): Promise<number> {
  const parsed = parseCommandArgs(args, {
    'dry-run': { type: 'boolean', default: false },
    undo: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError(
      values.undo ? 'repair --undo takes one sidecar file.' : 'repair takes one JSONL file.',
    );
  const json = values.json === true;
  if (values.undo) {
    const report = await undoRepair(positionals[0]!);
    output.out(
      json
        ? stringifyInspectJson(report, 2)
        : report.neverApplied
          ? `Nothing to put back: the repair never changed ${report.log} (it stopped before it did); the sidecar is marked .undone.`
          : `Restored ${report.restoredBytes} bytes into ${report.log} (now ${report.size} bytes).`,
    );
    return 0;
  }
  if (values['dry-run']) {
    const check = await checkJsonl(positionals[0]!);
    output.out(json ? stringifyInspectJson(check, 2) : describe(check, 'would'));
    return 0;
  }
  const report = await repairJsonl(positionals[0]!);
  output.out(
    json ? stringifyInspectJson(report, 2) : describe(report, report.repaired ? 'did' : 'would'),
  );
  return 0;
}

function describe(check: RepairCheck, mood: 'would' | 'did'): string {
  const lines = [`log: ${check.log} (${check.size} bytes)`];
  if (check.completedInterrupted)
    lines.push(
      `finished an interrupted ${check.completedInterrupted} of this log first (from its journal)`,
    );
  if (check.plans.length === 0) lines.push('tail: healthy, nothing to repair');
  for (const plan of check.plans) {
    const range = `bytes ${plan.moved.start}–${plan.moved.end}`;
    switch (plan.action) {
      case 'truncate-torn':
        lines.push(
          `line ${plan.line} is torn: ${mood === 'did' ? 'moved' : 'would move'} ${range} to ${check.sidecar}`,
        );
        break;
      case 'append-newline':
        lines.push(
          `line ${plan.line} is complete but lacks its newline: ${mood === 'did' ? 'added' : 'would add'} it`,
        );
        break;
      case 'move-fragment':
        lines.push(
          `line ${plan.line} has a torn fragment before a complete record: ${mood === 'did' ? 'moved' : 'would move'} the fragment (${range}) to ${check.sidecar}`,
        );
        break;
      case 'insert-newline':
        lines.push(
          `line ${plan.line} holds a complete record with the next one glued after it: ${mood === 'did' ? 'added' : 'would add'} the missing newline at byte ${plan.moved.start}, removing nothing`,
        );
        break;
    }
    lines.push(`  ${JSON.stringify(plan.preview)}`);
  }
  if (mood === 'did' && check.plans.length > 0)
    lines.push(`undo with: salvage repair --undo ${check.sidecar}`);
  for (const bad of check.malformed)
    lines.push(`malformed line ${bad.line} (bytes ${bad.start}–${bad.end}) left as it is`);
  if (check.malformedCount > check.malformed.length)
    lines.push(`… and ${check.malformedCount - check.malformed.length} more malformed lines`);
  return lines.join('\n');
}
