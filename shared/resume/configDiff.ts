import { isJsonObject, stringifyInspectJson, type JsonValue } from '../formats/json/inspectJson.ts';
import { mapJsonLeaves } from '../formats/json/jsonTree.ts';

/** The kind of run a configuration comes from. */
export type ConfigKind = 'inspect' | 'verifiers';

/**
 * How a differing key matters for a resume: `throughput` (how fast or verbosely it runs), `scope`
 * (B asks for more of the same: more examples, as verifiers' own resume accepts), `result`
 * (anything that can change what a sample produces, or that Salvage does not know).
 */
export type DifferenceClass = 'throughput' | 'scope' | 'result';

export interface ConfigDifference {
  readonly key: string;
  readonly a: JsonValue | null;
  readonly b: JsonValue | null;
  readonly class: DifferenceClass;
}

export interface ConfigDiff {
  /**
   * No result-affecting difference: samples of one run can stand beside samples of the other
   * (B may cover more). Null when a run records no configuration (a verifiers run that crashed
   * before writing `metadata.json`): nothing can be said.
   */
  readonly compatible: boolean | null;
  readonly differences: ReadonlyArray<ConfigDifference>;
  /** Keys that differ but are bookkeeping or outcomes, not configuration. */
  readonly ignored: ReadonlyArray<string>;
}

/**
 * Keys that only change how fast or how verbosely a run goes, never what a sample produces:
 * concurrency, connection and sample limits, retries and timeouts of calls, buffering, logging
 * cadence, display. Anything not matched here counts as result-affecting.
 */
const THROUGHPUT: Readonly<Record<ConfigKind, ReadonlyArray<RegExp>>> = {
  inspect: [
    /^eval\.config\.(max_samples|max_sandboxes|max_subprocesses|max_tasks|log_samples|log_realtime|log_images|log_buffer|log_shared|score_display|log_level|trace)$/,
    /^(eval\.model_generate_config|plan\.config)\.(max_connections|max_retries|timeout|attempt_timeout|batch)$/,
  ],
  verifiers: [
    // By the key's last segment: v1 configurations nest the same settings in tables.
    /(^|\.)(max_concurrent\w*|save_every|num_workers|max_connections|max_retries|timeout|verbose|save_to_hf_hub|hf_hub_dataset_name|push|rich|show_logs)$/,
    // v1: the env-server worker pool that hosts the rollouts.
    /^serve(\.|$)/,
  ],
};

/** Keys whose growth from A to B only asks for more samples (verifiers' resume accepts a larger `num_examples`). */
const SCOPE: Readonly<Record<ConfigKind, ReadonlyArray<string>>> = {
  inspect: [],
  verifiers: ['num_examples', 'num_tasks'],
};

/**
 * Keys that always differ between two runs (identities, timestamps, versions) or are outcomes
 * (averages, pass@k, usage, timings), not configuration.
 */
const IGNORED: Readonly<Record<ConfigKind, ReadonlyArray<RegExp>>> = {
  inspect: [
    /^eval\.(eval_id|run_id|eval_set_id|created|task_id|packages|revision|task_file|metadata|tags|viewer)(\.|$)/,
    /^plan\.name$/,
  ],
  verifiers: [
    // Outcomes: per-metric averages, pass@k, usage, timings, the date; and bookkeeping.
    /^avg_/,
    /^(date|time|time_ms|usage|cost|version_info|state_columns|pass_at_k|pass_all_k|pass_threshold|tools|path_to_save)(\.|$)/,
    // v1 run identity and where it was written.
    /^(run\.(name|dir|id)|output_dir|uuid)$/,
  ],
};

/** Dotted key paths of nested objects; arrays and scalars are compared whole. Iterative (any depth). */
export function flattenConfig(value: JsonValue, prefix = ''): Map<string, JsonValue> {
  const flat = new Map<string, JsonValue>();
  if (!isJsonObject(value)) {
    if (prefix) flat.set(prefix, value);
    return flat;
  }
  // A stack of objects being walked, each at its next key: the same order as a recursive walk.
  const stack: Array<{ entries: Array<[string, JsonValue]>; next: number; path: string }> = [
    { entries: Object.entries(value), next: 0, path: prefix },
  ];
  while (stack.length > 0) {
    const top = stack.at(-1)!;
    if (top.next === top.entries.length) {
      stack.pop();
      continue;
    }
    const [key, item] = top.entries[top.next++]!;
    const path = top.path ? `${top.path}.${key}` : key;
    if (isJsonObject(item) && Object.keys(item).length > 0)
      stack.push({ entries: Object.entries(item), next: 0, path });
    else flat.set(path, item);
  }
  return flat;
}

/**
 * Compare two configurations of the same kind, classifying every differing key; a missing
 * configuration (null) makes the verdict unknown.
 */
export function diffConfigs(a: JsonValue, b: JsonValue, kind: ConfigKind): ConfigDiff {
  if (a === null || b === null) return { compatible: null, differences: [], ignored: [] };
  const left = flattenConfig(a);
  const right = flattenConfig(b);
  const differences: ConfigDifference[] = [];
  const ignored: string[] = [];
  for (const key of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const valueA = left.get(key) ?? null;
    const valueB = right.get(key) ?? null;
    if (same(valueA, valueB)) continue;
    if (IGNORED[kind].some((pattern) => pattern.test(key))) {
      ignored.push(key);
      continue;
    }
    const grows =
      SCOPE[kind].includes(key) &&
      typeof valueA === 'number' &&
      typeof valueB === 'number' &&
      valueA > 0 &&
      valueB > valueA;
    const throughput = THROUGHPUT[kind].some((pattern) => pattern.test(key));
    differences.push({
      key,
      a: valueA,
      b: valueB,
      class: grows ? 'scope' : throughput ? 'throughput' : 'result',
    });
  }
  const order: Record<DifferenceClass, number> = { result: 0, scope: 1, throughput: 2 };
  differences.sort((x, y) => order[x.class] - order[y.class] || x.key.localeCompare(y.key));
  return {
    compatible: differences.every((difference) => difference.class !== 'result'),
    differences,
    ignored,
  };
}

function same(a: JsonValue, b: JsonValue): boolean {
  const text = (value: JsonValue): string => {
    const form = canonical(value);
    return stringifyInspectJson(isEmpty(form) ? null : form);
  };
  return text(a) === text(b);
}

/**
 * A value as a comparison sees it: objects with sorted keys (key order is not a difference) and
 * without empty members, so that a key absent on one side and empty (`{}`, `null`) on the other
 * is no difference either (Inspect writes `model_generate_config: {}` in one version and leaves
 * it out in another; a recovered log fills in `params_passed: {}`).
 */
function canonical(value: JsonValue): JsonValue {
  const copy = mapJsonLeaves(value, (leaf) => leaf, { sortKeys: true });
  // Empty members dropped from the innermost out, so that one holding only empty members goes
  // too; with a list of containers, not recursion (a configuration may nest deeper than the stack).
  const containers: JsonValue[] = [];
  const pending: JsonValue[] = [copy];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (!Array.isArray(item) && !isJsonObject(item)) continue;
    containers.push(item);
    const children: ReadonlyArray<JsonValue> = Array.isArray(item)
      ? (item as JsonValue[])
      : Object.values(item as Record<string, JsonValue>);
    for (const child of children) pending.push(child);
  }
  for (const container of containers.reverse()) {
    if (!isJsonObject(container)) continue;
    for (const key of Object.keys(container))
      if (isEmpty(container[key]!)) Reflect.deleteProperty(container, key);
  }
  return isEmpty(copy) ? null : copy;
}

function isEmpty(value: JsonValue): boolean {
  return value === null || (isJsonObject(value) && Object.keys(value).length === 0);
}
