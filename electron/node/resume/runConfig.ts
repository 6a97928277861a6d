import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { basename, dirname, join } from 'node:path';
import {
  isJsonObject,
  parseInspectJson,
  type JsonValue,
} from '../../../shared/formats/json/inspectJson.ts';
import type { ConfigKind } from '../../../shared/resume/configDiff.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { formatFromPath, withLog } from '../logs/openLog.ts';
import { jsonlRunKind, tomlAsJson } from '../logs/jsonlRuns.ts';

/** The configuration of a run, and what kind of run it is. */
export interface RunConfig {
  readonly kind: ConfigKind;
  /** Null for a run that records none (a verifiers run that crashed before writing it). */
  readonly config: JsonValue | null;
}

/**
 * A run's configuration: an Inspect log's eval spec and plan, a verifiers run's `metadata.json`,
 * or a verifiers v1 run's `configs/eval.json` or `config.toml` (given the run folder or a file in it).
 */
export async function readRunConfig(path: string): Promise<RunConfig> {
  // A verifiers run's own JSON files are not Inspect logs.
  const v1Config = basename(dirname(path)) === 'configs';
  if (
    formatFromPath(path) === 'inspect-eval' ||
    (formatFromPath(path) === 'inspect-json' && !path.endsWith('metadata.json') && !v1Config)
  ) {
    const header = await withLog(path, (reader) => reader.readHeader());
    return { kind: 'inspect', config: { eval: header.eval ?? {}, plan: header.plan ?? {} } };
  }
  const folder =
    existsSync(path) && statSync(path).isDirectory()
      ? path
      : v1Config
        ? dirname(dirname(path))
        : dirname(path);
  const metadata = join(folder, 'metadata.json');
  if (existsSync(metadata)) return { kind: 'verifiers', config: readJsonConfig(metadata) };
  // v1: the resolved configuration verifiers saves (`configs/<cli>.json`, the first by name, as
  // verifiers itself picks it), or `config.toml` before August 2026.
  const configs = join(folder, 'configs');
  const saved =
    existsSync(configs) && statSync(configs).isDirectory()
      ? readdirSync(configs)
          .filter((name) => name.endsWith('.json'))
          .sort()[0]
      : undefined;
  if (saved) return { kind: 'verifiers', config: readJsonConfig(join(configs, saved)) };
  const toml = join(folder, 'config.toml');
  if (existsSync(toml)) return { kind: 'verifiers', config: readToml(toml) };
  // The rollouts of a run that crashed before writing its configuration: compared on its samples.
  if (jsonlRunKind(path) === 'verifiers') return { kind: 'verifiers', config: null };
  throw new SalvageError(
    'unsupported-format',
    `${path} is neither an Inspect log nor a verifiers run with its configuration (metadata.json, configs/eval.json or config.toml); a run that crashed before writing it has none to compare.`,
  );
}

function readJsonConfig(path: string): JsonValue {
  let value: JsonValue;
  try {
    value = parseInspectJson(readFileSync(path, 'utf8'), path);
  } catch (error) {
    throw new SalvageError(
      'unsupported-format',
      `${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!isJsonObject(value))
    throw new SalvageError('unsupported-format', `${path} is not a JSON object.`);
  return value;
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
  return tomlAsJson(table);
}
