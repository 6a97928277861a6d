import type { LogHeader, Sample } from '../../../shared/model/log.ts';
import type { RunRow } from '../../../shared/model/run.ts';
import type {
  RecoveryPlan,
  RecoveryReport,
  RepairCheck,
  RepairReport,
  UndoReport,
} from '../../../shared/model/recovery.ts';
import { eventsReady, invoke, subscribe } from './transport.ts';
import type { SampleBatch } from '../../../shared/ipc/contract.ts';
import type { RunComparison } from '../../../shared/resume/comparison.ts';

/** Named calls for the slices; components never call these directly (rule 9). */
export function openedFolders(): Promise<ReadonlyArray<string>> {
  return invoke('salvage:app:folders', {});
}

/** Open a folder: `null` asks through the desktop's folder dialog; web mode needs a path. */
export function addFolder(path: string | null): Promise<ReadonlyArray<string>> {
  return invoke('salvage:folders:add', { path });
}

export function removeFolder(folder: string): Promise<ReadonlyArray<string>> {
  return invoke('salvage:folders:remove', { folder });
}

export { isDesktop } from './transport.ts';

export function listRuns(folder: string): Promise<ReadonlyArray<RunRow>> {
  return invoke('salvage:runs:list', { folder });
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

export function readHeader(path: string): Promise<LogHeader> {
  return invoke('salvage:log:header', { path });
}

/**
 * Stream a run's sample summaries: `onBatch` gets each batch of this stream until one is done.
 * Returns a cancel function.
 */
export async function streamSamples(
  path: string,
  onBatch: (batch: SampleBatch) => void,
): Promise<() => void> {
  await eventsReady();
  let streamId: string | null = null;
  const early: SampleBatch[] = [];
  const unsubscribe = subscribe('salvage:samples:batch', (batch) => {
    if (streamId === null) early.push(batch);
    else if (batch.streamId === streamId) deliver(batch);
  });
  const deliver = (batch: SampleBatch): void => {
    onBatch(batch);
    if (batch.done) unsubscribe();
  };
  streamId = (await invoke('salvage:samples:stream', { path })).streamId;
  for (const batch of early.splice(0)) if (batch.streamId === streamId) deliver(batch);
  const id = streamId;
  return () => {
    unsubscribe();
    void invoke('salvage:samples:cancel', { streamId: id });
  };
}

export { eventsReady } from './transport.ts';

/** Called as a recovery rebuilds and writes samples; returns the unsubscribe function. */
export function onRecoveryProgress(
  listener: (progress: { path: string; done: number; total: number }) => void,
): () => void {
  return subscribe('salvage:recovery:progress', listener);
}

/** Called when files change in an opened folder; returns the unsubscribe function. */
export function onRunsChanged(listener: () => void): () => void {
  return subscribe('salvage:runs:changed', listener);
}

export function exportRun(
  path: string,
  format: 'eval' | 'json' | 'jsonl' | 'csv',
): Promise<{ readonly output: string; readonly samples: number }> {
  return invoke('salvage:export:run', { path, format });
}

export function exportSampleMarkdown(
  path: string,
  id: string,
  epoch: number,
): Promise<{ readonly output: string }> {
  return invoke('salvage:export:sample', { path, id, epoch });
}

export function compareRuns(a: string, b: string): Promise<RunComparison> {
  return invoke('salvage:compare:runs', { a, b });
}
