import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const DIR = join(process.cwd(), 'test', 'fixtures', 'cyclonedx');

let validator: ValidateFunction | undefined;

/**
 * Validates a BOM against the official CycloneDX 1.6 JSON schema (draft-07, vendored in
 * test/fixtures/cyclonedx with its SPDX and JSF schemas) with ajv. Returns the errors (empty
 * when valid).
 */
export function cycloneDxErrors(bom: unknown): string[] {
  if (validator === undefined) {
    const Ajv = (require('ajv') as { default: new (o: object) => AjvLike }).default;
    const addFormats = require('ajv-formats') as (a: unknown) => void;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const name of ['spdx.schema.json', 'jsf-0.82.schema.json']) {
      ajv.addSchema(JSON.parse(readFileSync(join(DIR, name), 'utf8')) as object);
    }
    validator = ajv.compile(
      JSON.parse(readFileSync(join(DIR, 'bom-1.6.schema.json'), 'utf8')) as object,
    );
  }
  if (validator(bom)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

interface AjvLike {
  addSchema(s: object): unknown;
  compile(s: object): ValidateFunction;
}
