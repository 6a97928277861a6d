import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { findLogFiles } from '../logs/findLogFiles.ts';
import type { RecoveryPlan } from '../../../shared/model/recovery.ts';
import { planRecovery, recoverLog } from '../recovery/recoverLog.ts';
import { recoveryState } from '../recovery/bufferLocation.ts';
import { renderTable } from './table.ts';
import type { Output } from './output.ts';
import { parseCommandArgs, UsageError } from './usage.ts';
import { isS3Url } from '../s3/s3Url.ts';
import { listRuns } from '../logs/listRuns.ts';
import { RunDigest } from '../index/runDigest.ts';
import type { Liveness } from '../../../shared/model/run.ts';

/** `salvage recover LOG [...]` and `salvage recover --list DIR`. */
export async function recoverCommand(args: ReadonlyArray<string>, output: Output): Promise<number> {
  const parsed = parseCommandArgs(args, {
    output: { type: 'string' },
    overwrite: { type: 'boolean', default: false },
    'no-events': { type: 'boolean', default: false },
    'buffer-dir': { type: 'string' },
    cleanup: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError(
      values.list ? 'recover --list takes one folder.' : 'recover takes one log.',
    );
  const bufferDir = values['buffer-dir'];
  if (values.list) return list(positionals[0]!, bufferDir, values.json === true, output);

  const options = {
    output: values.output,
    overwrite: values.overwrite === true,
    includeEvents: values['no-events'] !== true,
    bufferDir,
    cleanup: values.cleanup === true,
  };
  if (values['dry-run']) {
    const plan = await planRecovery(positionals[0]!, options);
    output.out(values.json ? stringifyInspectJson(plan, 2) : describePlan(plan, 'would write'));
    return 0;
  }
  const report = await recoverLog(positionals[0]!, options);
  if (values.json) {
    output.out(stringifyInspectJson(report, 2));
  } else {
    output.out(describePlan(report, 'wrote'));
    output.out(
      `Recovered ${report.written} samples (${report.bytes} bytes)${report.cleanedUp ? '; the buffer was removed' : ''}.`,
    );
    if (report.inProgress > 0)
      output.out(`Re-run the cancelled samples with: inspect eval-retry ${report.output}`);
  }
  return 0;
}

function describePlan(plan: RecoveryPlan, verb: string): string {
  const lines = [
    `log:          ${plan.log}`,
    `source:       ${plan.source}${plan.buffer ? ` (${plan.buffer})` : ''}${plan.archive === 'truncated' ? ', archive truncated' : ''}`,
    `samples:      ${plan.flushed} flushed, ${completedText(plan)}, ${plan.inProgress} in progress, ${plan.lost} lost (of ${plan.total ?? '?'})`,
    `${verb.padEnd(13)} ${plan.output}`,
  ];
  for (const lost of plan.lostEntries)
    lines.push(`lost entry:   ${lost.name} at byte ${lost.offset}: ${lost.reason}`);
  for (const warning of plan.warnings) lines.push(`warning:      ${warning}`);
  return lines.join('\n');
}

/**
 * The buffer's completed samples: those to recover, and those the log already holds, which
 * Inspect's own `--list` counts again among its completed samples.
 */
function completedText(plan: RecoveryPlan): string {
  if (plan.alreadyFlushed === 0) return `${plan.completed} completed in the buffer`;
  return `${plan.completed} completed in the buffer to recover, ${plan.alreadyFlushed} already flushed`;
}

async function list(
  folder: string,
  bufferDir: string | undefined,
  json: boolean,
  output: Output,
): Promise<number> {
  const rows: Array<Record<string, unknown>> = [];
  const remote = isS3Url(folder);
  for (const path of remote ? await unfinishedInBucket(folder) : await findLogFiles(folder)) {
    // Inspect logs only (.eval, and .json ones, which Salvage recovers into a .eval).
    if (!path.endsWith('.eval') && !path.endsWith('.json')) continue;
    // A .json log is read whole to be planned: only when it has a buffer to recover from.
    if (!remote && path.endsWith('.json') && recoveryState(path, false, bufferDir).state === 'none')
      continue;
    try {
      const plan = await planRecovery(path, { bufferDir });
      rows.push({
        path,
        source: plan.source,
        total: plan.total,
        flushed: plan.flushed,
        completed: plan.completed,
        already_flushed: plan.alreadyFlushed,
        in_progress: plan.inProgress,
        lost: plan.lost,
        ...(plan.liveness ? { liveness: plan.liveness } : {}),
      });
    } catch (error) {
      if (!isSalvageError(error)) throw error;
    }
  }
  if (json) {
    output.out(stringifyInspectJson(rows, 2));
  } else {
    // Logs in a bucket say how sure "crashed" is (a bucket shows no process).
    const judged = rows.some((row) => row.liveness !== undefined);
    const verdict = (row: Record<string, unknown>): string[] => {
      if (!judged) return [];
      const liveness = row.liveness as Liveness | undefined;
      return [liveness ? `${liveness.verdict} (${liveness.confidence})` : '-'];
    };
    output.out(
      renderTable(
        [
          ...(judged ? ['STATE'] : []),
          'SOURCE',
          'TOTAL',
          'FLUSHED',
          'COMPLETED',
          'ALREADY FLUSHED',
          'IN PROGRESS',
          'LOST',
          'PATH',
        ],
        rows.map((row) => [
          ...verdict(row),
          String(row.source),
          row.total === null || row.total === undefined ? '?' : JSON.stringify(row.total),
          String(row.flushed),
          String(row.completed),
          String(row.already_flushed),
          String(row.in_progress),
          String(row.lost),
          String(row.path),
        ]),
      ),
    );
  }
  return 0;
}

/**
 * The logs of a bucket folder that may be recoverable: those its listing finds unfinished and
 * not running (one listing, and the digests of finished runs), rather than opening every log.
 */
async function unfinishedInBucket(folder: string): Promise<string[]> {
  const digest = RunDigest.open();
  let rows;
  try {
    rows = await listRuns(folder, { digest });
  } finally {
    digest.close();
  }
  return rows
    .filter((row) => row.status === 'started' || row.problem?.kind === 'central-directory-missing')
    .map((row) => row.location);
}
