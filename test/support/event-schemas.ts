/** The events' JSON Schemas (functions/commons/events/schemas), compiled once, for validating what is emitted. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const dir = fileURLToPath(new URL('../../functions/commons/events/schemas/', import.meta.url));

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true });
(addFormats as unknown as (instance: unknown) => void)(ajv);

export const SCHEMA_FILES = readdirSync(dir).filter((name) => name.endsWith('.schema.json'));

const validators = new Map(
  SCHEMA_FILES.map((name) => [
    name.replace('.schema.json', ''),
    ajv.compile(JSON.parse(readFileSync(join(dir, name), 'utf8'))),
  ]),
);

/** Problems of an event envelope against its detail-type's schema; [] when it is valid. */
export const schemaProblems = (envelope: { 'detail-type': string } & Record<string, unknown>): string[] => {
  const validate = validators.get(envelope['detail-type']);
  if (!validate) return [`no schema for ${envelope['detail-type']}`];
  return validate(envelope)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
};
