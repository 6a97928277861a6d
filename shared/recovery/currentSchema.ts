import {
  editableJson,
  isJsonObject,
  pythonFloat,
  type JsonObject,
  type JsonValue,
  type MutableJsonObject,
} from '../formats/json/inspectJson.ts';

/**
 * Bring what a recovery writes up to Inspect's current log schema.
 *
 * Inspect's own recovery parses the eval spec, the plan and every sample with its pydantic models
 * and writes them back, so fields that older Inspect versions did not write come out with their
 * model defaults and legacy shapes come out migrated. Salvage fills the same defaults, so a log
 * recovered from an older run validates against the published schema
 * (test/fixtures/schemas/inspect-openapi.json) like one Inspect recovered. Values are owned by the
 * caller and changed in place.
 */
export function upgradeSpec(spec: JsonObject, newId: () => string): JsonObject {
  const target = editableJson(spec);
  target.eval_id ??= newId();
  target.task_attribs ??= {};
  target.task_args ??= {};
  // EvalSpec.migrate_values: the arguments passed default to the arguments.
  target.task_args_passed ??= target.task_args;
  target.solver_args_passed ??= target.solver_args ?? {};
  target.model_args ??= {};
  target.model_generate_config ??= {};
  if (Array.isArray(target.sandbox)) target.sandbox = sandboxSpec(target.sandbox);
  return target;
}

export function upgradePlan(plan: JsonObject): JsonObject {
  const target = editableJson(plan);
  for (const step of objects(target.steps)) step.params_passed ??= {};
  return target;
}

export function upgradeSample(sample: JsonObject): JsonObject {
  const target = editableJson(sample);
  target.role_usage ??= {};
  target.model_usage ??= {};
  target.store ??= {};
  target.metadata ??= {};
  target.attachments ??= {};
  if (Array.isArray(target.sandbox)) target.sandbox = sandboxSpec(target.sandbox);
  if (isJsonObject(target.output)) upgradeOutput(editableJson(target.output));
  upgradeScores(target.scores);
  for (const event of objects(target.events)) upgradeEvent(event);
  return target;
}

/** A 2024 sandbox `["docker", "compose.yaml"]` as the SandboxEnvironmentSpec it migrates to. */
function sandboxSpec(sandbox: ReadonlyArray<JsonValue>): JsonObject {
  const [type, config] = sandbox;
  return config === undefined || config === null
    ? { type: type ?? null }
    : { type: type ?? null, config };
}

function upgradeEvent(event: MutableJsonObject): void {
  event.working_start ??= pythonFloat(0);
  switch (event.event) {
    case 'model': {
      // A call still pending at the crash has no output yet: an empty one, as the model's default.
      if (!isJsonObject(event.output))
        event.output = { model: event.model ?? '', choices: [], completion: '' };
      upgradeOutput(editableJson(event.output));
      for (const tool of objects(event.tools)) {
        const parameters = isJsonObject(tool.parameters) ? tool.parameters : undefined;
        if (isJsonObject(parameters?.properties))
          for (const schema of Object.values(parameters.properties)) upgradeJsonSchema(schema);
      }
      const config = isJsonObject(event.config) ? event.config : undefined;
      const responseSchema = isJsonObject(config?.response_schema) ? config.response_schema : {};
      upgradeJsonSchema(responseSchema.json_schema);
      break;
    }
    case 'score':
      event.intermediate ??= false;
      if (isJsonObject(event.score)) editableJson(event.score).history ??= [];
      break;
    case 'state':
    case 'store':
      // JSON-patch changes omit None values on write; the schema lists them as required.
      for (const change of objects(event.changes)) {
        change.value ??= null;
        change.replaced ??= null;
      }
      break;
    default:
      break;
  }
}

/**
 * A tool parameter's JSON schema (Inspect's JSONSchema model), nested schemas included: `default`
 * is omitted on write when None, while the schema lists it as required. Iterative: a schema may
 * nest deeper than the stack goes.
 */
function upgradeJsonSchema(value: JsonValue | undefined): void {
  const pending: Array<JsonValue | undefined> = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!isJsonObject(next)) continue;
    const schema = editableJson(next);
    schema.default ??= null;
    pending.push(schema.items, schema.additionalProperties);
    if (isJsonObject(schema.properties))
      for (const property of Object.values(schema.properties)) pending.push(property);
    if (Array.isArray(schema.anyOf))
      for (const option of schema.anyOf as JsonValue[]) pending.push(option);
  }
}

/** ModelOutput.completion, when empty, is the text of the first choice (its `set_completion` validator). */
function upgradeOutput(output: MutableJsonObject): void {
  if (typeof output.completion === 'string' && output.completion !== '') return;
  const first = Array.isArray(output.choices) ? (output.choices as JsonValue[])[0] : undefined;
  const message = isJsonObject(first) && isJsonObject(first.message) ? first.message : undefined;
  output.completion = textOf(message?.content);
}

function upgradeScores(scores: JsonValue | undefined): void {
  if (!isJsonObject(scores)) return;
  for (const score of Object.values(scores)) {
    if (isJsonObject(score)) editableJson(score).history ??= [];
  }
}

function textOf(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as JsonValue[])
    .filter((part) => isJsonObject(part) && part.type === 'text')
    .map((part) => (isJsonObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

function objects(value: JsonValue | undefined): MutableJsonObject[] {
  return Array.isArray(value) ? (value as JsonValue[]).filter(isJsonObject).map(editableJson) : [];
}
