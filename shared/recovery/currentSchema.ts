import {
  editableJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type MutableJsonObject,
} from '../formats/json/inspectJson.ts';

/**
 * Bring what a recovery writes up to Inspect's current log schema.
 *
 * Inspect's own recovery parses every sample with its pydantic models and writes it back, so
 * fields that older Inspect versions did not write come out with their model defaults. Salvage
 * fills the same defaults, so a log recovered from an older run validates against the published
 * schema (shared/schemas/inspect-openapi.json) like one Inspect recovered. Values are owned by the
 * caller and changed in place.
 */
export function upgradeHeader(header: JsonObject, newId: () => string): JsonObject {
  const target = editableJson(header);
  const spec = isJsonObject(target.eval) ? editableJson(target.eval) : undefined;
  if (spec) {
    spec.eval_id ??= newId();
    spec.task_attribs ??= {};
    spec.task_args ??= {};
    spec.task_args_passed ??= {};
    spec.model_args ??= {};
    spec.model_generate_config ??= {};
  }
  const plan = isJsonObject(target.plan) ? target.plan : undefined;
  for (const step of objects(plan?.steps)) step.params_passed ??= {};
  return target;
}

export function upgradeSample(sample: JsonObject): JsonObject {
  const target = editableJson(sample);
  target.role_usage ??= {};
  target.model_usage ??= {};
  target.store ??= {};
  target.metadata ??= {};
  target.attachments ??= {};
  if (isJsonObject(target.output)) upgradeOutput(editableJson(target.output));
  upgradeScores(target.scores);
  for (const event of objects(target.events)) upgradeEvent(event);
  return target;
}

function upgradeEvent(event: MutableJsonObject): void {
  event.working_start ??= 0;
  switch (event.event) {
    case 'model':
      // A call still pending at the crash has no output yet: an empty one, as the model's default.
      if (!isJsonObject(event.output))
        event.output = { model: event.model ?? '', choices: [], completion: '' };
      upgradeOutput(editableJson(event.output));
      break;
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

/** ModelOutput.completion defaults to the text of the first choice. */
function upgradeOutput(output: MutableJsonObject): void {
  if (output.completion !== undefined) return;
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
    .map((part) =>
      isJsonObject(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '',
    )
    .join('');
}

function objects(value: JsonValue | undefined): MutableJsonObject[] {
  return Array.isArray(value) ? (value as JsonValue[]).filter(isJsonObject).map(editableJson) : [];
}
