import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

let validator: ValidateFunction | undefined;

/**
 * Validates a SARIF log against the official SARIF 2.1.0 JSON schema (draft-04), as shipped by
 * @microsoft/jest-sarif. Returns the error list (empty when valid).
 */
export function sarifErrors(log: unknown): string[] {
  if (validator === undefined) {
    const Ajv = require('ajv-draft-04') as new (o: object) => {
      compile(s: object): ValidateFunction;
    };
    const addFormats = require('ajv-formats') as (a: unknown) => void;
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
    // The schema has a pattern that is not valid under the 'u' flag; compile without it.
    const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  if (validator(log)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
