import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { FIXTURES_ROOT } from './fixtures.ts';

/** Validators for Inspect's published schemas (test/fixtures/schemas/inspect-openapi.json). */
let ajv: Ajv2020 | undefined;

interface SchemaDocument {
  components: { schemas: Record<string, SchemaNode> };
}
interface SchemaNode {
  anyOf?: Array<{ $ref?: string }>;
  properties?: Record<string, { const?: string }>;
}

function schemaDocument(): SchemaDocument {
  return JSON.parse(
    readFileSync(join(FIXTURES_ROOT, 'schemas/inspect-openapi.json'), 'utf8'),
  ) as SchemaDocument;
}

export function inspectValidator(
  schema: 'EvalSample' | 'EvalLog' | 'EvalSampleSummary',
): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ ...schemaDocument(), $id: 'inspect-openapi' });
  }
  return ajv.getSchema(`inspect-openapi#/components/schemas/${schema}`)!;
}

/** The validator's errors in a form a failing assertion can show. */
export function schemaErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

/**
 * The kinds a union of the schema admits, by the constant of its members' discriminator:
 * `Event` by `event` (`model`, `tool`, …), `Content` by `type` (`text`, `image`, …).
 */
export function inspectUnionKinds(union: 'Event' | 'Content'): string[] {
  const schemas = schemaDocument().components.schemas;
  const discriminator = union === 'Event' ? 'event' : 'type';
  return (schemas[union]?.anyOf ?? []).map(({ $ref }) => {
    const member = schemas[($ref ?? '').split('/').at(-1)!];
    const kind = member?.properties?.[discriminator]?.const;
    if (kind === undefined) throw new Error(`${union} member ${$ref} has no ${discriminator}`);
    return kind;
  });
}
