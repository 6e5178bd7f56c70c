import { FormatError } from '../../core/errors.js';

/** A parsed JSON object read through own properties only (no prototype lookups). */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Asserts `value` is a plain JSON object; BAD_STRUCTURE otherwise. */
export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError('BAD_STRUCTURE', `${what} must be an object`, 0);
  }
  return value as JsonObject;
}

/** An own property of `obj`, or undefined; never reads inherited names like `__proto__`. */
export function field(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A required string property; BAD_STRUCTURE when absent or not a string. */
export function stringField(obj: JsonObject, key: string, what: string): string {
  const v = field(obj, key);
  if (typeof v !== 'string')
    throw new FormatError('BAD_STRUCTURE', `${what}.${key} must be a string`, 0);
  return v;
}

/** A required array property; BAD_STRUCTURE when absent or not an array. */
export function arrayField(obj: JsonObject, key: string, what: string): readonly unknown[] {
  const v = field(obj, key);
  if (!Array.isArray(v))
    throw new FormatError('BAD_STRUCTURE', `${what}.${key} must be an array`, 0);
  return v;
}
