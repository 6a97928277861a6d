import type { LogHeader, Sample, SampleSummary } from '../../../shared/model/log.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import type {
  RecoveryPlan,
  RecoveryReport,
  RepairCheck,
  RepairReport,
  UndoReport,
} from '../../../shared/model/recovery.ts';
import { invoke } from './transport.ts';

/** Named calls for the slices; components never call these directly (rule 9). */
export function openedFolders(): Promise<ReadonlyArray<string>> {
  return invoke('salvage:app:folders', {});
}

export function listRuns(folder: string): Promise<ReadonlyArray<RunRow>> {
  return invoke('salvage:runs:list', { folder });
}

export function logInfo(
  path: string,
): Promise<{ readonly header: LogHeader; readonly summaries: ReadonlyArray<SampleSummary> }> {
  return invoke('salvage:log:info', { path });
}

export function readSample(path: string, id: string, epoch: number): Promise<Sample> {
  return invoke('salvage:log:sample', { path, id, epoch });
}

export function planRecovery(path: string): Promise<RecoveryPlan> {
  return invoke('salvage:recovery:plan', { path });
}

export function runRecovery(path: string): Promise<RecoveryReport> {
  return invoke('salvage:recovery:run', { path });
}

export function checkRepair(path: string): Promise<RepairCheck> {
  return invoke('salvage:repair:check', { path });
}

export function runRepair(path: string): Promise<RepairReport> {
  return invoke('salvage:repair:run', { path });
}

export function undoRepair(sidecar: string): Promise<UndoReport> {
  return invoke('salvage:repair:undo', { sidecar });
}
