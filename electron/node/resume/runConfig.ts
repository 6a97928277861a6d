import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  isJsonObject,
  parseInspectJson,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import type { ConfigKind } from '../../../shared/resume/configDiff.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { formatFromPath, withLog } from '../logs/openLog.ts';

/** The configuration of a run, and what kind of run it is. */
export interface RunConfig {
  readonly kind: ConfigKind;
  readonly config: JsonValue;
}

/**
 * A run's configuration: an Inspect log's eval spec and plan, or a verifiers run's
 * `metadata.json` (given the run folder, its `results.jsonl` or the metadata itself).
 */
export async function readRunConfig(path: string): Promise<RunConfig> {
  if (
    formatFromPath(path) === 'inspect-eval' ||
    (formatFromPath(path) === 'inspect-json' && !path.endsWith('metadata.json'))
  ) {
    const header = await withLog(path, (reader) => reader.readHeader());
    return { kind: 'inspect', config: { eval: header.eval ?? {}, plan: header.plan ?? {} } };
  }
  const folder = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  const metadata = join(folder, 'metadata.json');
  if (existsSync(metadata)) {
    const value = parseInspectJson(readFileSync(metadata, 'utf8'), metadata);
    if (!isJsonObject(value))
      throw new SalvageError('unsupported-format', `${metadata} is not a JSON object.`);
    return { kind: 'verifiers', config: value };
  }
  if (existsSync(join(folder, 'config.toml'))) {
    throw new SalvageError(
      'unsupported-format',
      `${folder} is a verifiers v1 run (config.toml); comparing v1 configurations is not supported yet.`,
    );
  }
  throw new SalvageError(
    'unsupported-format',
    `${path} is neither an Inspect log nor a verifiers run with a metadata.json (a run that crashed before writing it has no configuration to compare).`,
  );
}
