import { isJsonObject, type JsonValue } from '../../../shared/formats/json/inspectJson.ts';
import { sampleKey, scalarText } from '../../../shared/model/log.ts';
import {
  diffConfigs,
  type ConfigDiff,
  type ConfigKind,
} from '../../../shared/resume/configDiff.ts';
import type { ComparedSample, RunComparison } from '../../../shared/resume/comparison.ts';
import { scoreChanges } from '../../../shared/resume/scoreChanges.ts';
import { formatFromPath, withLog } from '../logs/openLog.ts';
import { jsonlRunKind } from '../logs/jsonlRuns.ts';
import { readRunConfig } from './runConfig.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { setOwn } from '../../../shared/util/records.ts';
import { numberFrom } from '../../../shared/model/log.ts';

export type { ComparedSample, RunComparison };

/** Two runs' configurations compared (what `diff-config` prints and the compare view shows). */
export async function compareConfigs(
  a: string,
  b: string,
): Promise<{ kind: ConfigKind; diff: ConfigDiff; unknown: Array<'a' | 'b'> }> {
  const [configA, configB] = await Promise.all([readRunConfig(a), readRunConfig(b)]);
  if (configA.kind !== configB.kind)
    throw new SalvageError(
      'unsupported-format',
      `Cannot compare an ${configA.kind} run with a ${configB.kind} run.`,
    );
  const unknown: Array<'a' | 'b'> = [];
  if (configA.config === null) unknown.push('a');
  if (configB.config === null) unknown.push('b');
  return {
    kind: configA.kind,
    diff: diffConfigs(configA.config, configB.config, configA.kind),
    unknown,
  };
}

/**
 * Two runs side by side: the configuration diff, per-sample score values aligned by (id, epoch),
 * and per scorer how the values moved (improved, regressed, unchanged) with a paired test.
 */
export async function compareRuns(a: string, b: string): Promise<RunComparison> {
  const { kind, diff, unknown } = await compareConfigs(a, b);
  // Samples are compared when both are logs (not run folders or metadata files).
  const isLog = (path: string) =>
    jsonlRunKind(path) !== null ||
    (formatFromPath(path) !== null && !path.endsWith('metadata.json'));
  if (!isLog(a) || !isLog(b))
    return { kind, config: diff, unknownConfig: unknown, samples: [], changes: [] };
  const [scoresA, scoresB] = await Promise.all([scoresOf(a), scoresOf(b)]);
  const keys = [...new Set([...scoresA.keys(), ...scoresB.keys()])];
  const samples = keys.map((key) => {
    const row = scoresA.get(key) ?? scoresB.get(key)!;
    return {
      id: row.id,
      epoch: row.epoch,
      a: scoresA.get(key)?.values ?? null,
      b: scoresB.get(key)?.values ?? null,
    };
  });
  samples.sort(
    (x, y) => x.id.localeCompare(y.id, undefined, { numeric: true }) || x.epoch - y.epoch,
  );
  return { kind, config: diff, unknownConfig: unknown, samples, changes: scoreChanges(samples) };
}

async function scoresOf(
  path: string,
): Promise<Map<string, { id: string; epoch: number; values: Record<string, JsonValue> }>> {
  const summaries = await withLog(path, (reader) => reader.readSummaries());
  const rows = new Map<string, { id: string; epoch: number; values: Record<string, JsonValue> }>();
  for (const summary of summaries) {
    const values: Record<string, JsonValue> = {};
    if (isJsonObject(summary.scores)) {
      for (const [name, score] of Object.entries(summary.scores))
        setOwn(values, name, isJsonObject(score) ? (score.value ?? null) : null);
    }
    rows.set(sampleKey(summary.id, summary.epoch), {
      id: scalarText(summary.id),
      epoch: numberFrom(summary.epoch ?? 1),
      values,
    });
  }
  return rows;
}
