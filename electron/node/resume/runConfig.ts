import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseToml, TomlDate, TomlError } from 'smol-toml';
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
 * A run's configuration: an Inspect log's eval spec and plan, a verifiers run's `metadata.json`,
 * or a verifiers v1 run's `config.toml` (given the run folder or a file in it).
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
  const toml = join(folder, 'config.toml');
  if (existsSync(toml)) return { kind: 'verifiers', config: readToml(toml) };
  throw new SalvageError(
    'unsupported-format',
    `${path} is neither an Inspect log nor a verifiers run with a metadata.json (a run that crashed before writing it has no configuration to compare).`,
  );
}

/** A v1 `config.toml` as JSON: exact integers (bigint beyond 2^53), dates as their text. */
function readToml(path: string): JsonValue {
  let table: unknown;
  try {
    table = parseToml(readFileSync(path, 'utf8'), { integersAsBigInt: 'asNeeded' });
  } catch (error) {
    const where = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : '';
    throw new SalvageError(
      'unsupported-format',
      `${path} is not valid TOML${where}: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  return asJson(table);
}

function asJson(value: unknown): JsonValue {
  if (value instanceof TomlDate) return value.toISOString();
  if (Array.isArray(value)) return value.map(asJson);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asJson(item)]));
  return value as JsonValue;
}
