import { isJsonObject, type JsonValue } from '../../../shared/formats/json/inspectJson.ts';
import { sampleKey, scalarText } from '../../../shared/model/log.ts';
import { diffConfigs } from '../../../shared/resume/configDiff.ts';
import type { ComparedSample, RunComparison } from '../../../shared/resume/comparison.ts';
import { formatFromPath, withLog } from '../logs/openLog.ts';
import { jsonlRunKind } from '../logs/jsonlRuns.ts';
import { readRunConfig } from './runConfig.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { setOwn } from '../../../shared/util/records.ts';
import { numberFrom } from '../../../shared/model/log.ts';

export type { ComparedSample, RunComparison };

/** Two runs side by side: the configuration diff, and per-sample score values aligned by (id, epoch). */
export async function compareRuns(a: string, b: string): Promise<RunComparison> {
  const [configA, configB] = await Promise.all([readRunConfig(a), readRunConfig(b)]);
  if (configA.kind !== configB.kind)
    throw new SalvageError(
      'unsupported-format',
      `Cannot compare an ${configA.kind} run with a ${configB.kind} run.`,
    );
  const config = diffConfigs(configA.config, configB.config, configA.kind);
  // Samples are compared when both are logs (not run folders or metadata files).
  const isLog = (path: string) =>
    jsonlRunKind(path) !== null ||
    (formatFromPath(path) !== null && !path.endsWith('metadata.json'));
  if (!isLog(a) || !isLog(b)) return { config, samples: [] };
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
  return { config, samples };
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
