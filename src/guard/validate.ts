import { createRequire } from 'node:module';
import type { GuardFinding } from './types.js';

interface AjvValidate {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}

const compiled = new WeakMap<object, AjvValidate>();

/**
 * Compiles a JSON Schema with ajv (once per schema object). The schema comes from the user's own
 * torchward.yml, never from the scanned input. Throws ajv's error for an invalid schema.
 */
export function compileSchema(schema: object): AjvValidate {
  const hit = compiled.get(schema);
  if (hit !== undefined) return hit;
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as new (o: object) => { compile(s: object): AjvValidate };
  // allErrors off: the first violation is enough, and the work stays bounded on big records.
  const fn = new Ajv({ allErrors: false, strict: false }).compile(schema);
  compiled.set(schema, fn);
  return fn;
}

/** Findings for structured input that fails `schema`; offsets cover the whole input. */
export function schemaFindings(value: unknown, schema: object, length: number): GuardFinding[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const e = validate.errors?.[0];
  return [
    {
      stage: 'validate',
      code: 'validate/schema',
      message: `input does not match the configured JSON Schema: ${e === undefined ? 'invalid' : `${e.instancePath || '/'} ${e.message ?? ''}`}`,
      start: 0,
      end: length,
      weight: 0.5,
    },
  ];
}

/**
 * Checks the text's length (code points) and that every character is of an allowed script and
 * general category (when lists are configured). Reports the first offending character of each
 * kind, with the count.
 */
export function textFindings(
  text: string,
  map: Int32Array,
  opts: {
    readonly maxLength?: number;
    readonly allowedScripts: readonly string[];
    readonly allowedCategories: readonly string[];
  },
): GuardFinding[] {
  const out: GuardFinding[] = [];
  // Nothing configured (the default): nothing to walk.
  if (
    opts.maxLength === undefined &&
    opts.allowedScripts.length === 0 &&
    opts.allowedCategories.length === 0
  )
    return out;
  let cps = 0;
  let lengthAt = -1;
  const scriptRe =
    opts.allowedScripts.length === 0
      ? undefined
      : new RegExp(`^[${opts.allowedScripts.map((s) => `\\p{Script=${s}}`).join('')}\\s]$`, 'u');
  const catRe =
    opts.allowedCategories.length === 0
      ? undefined
      : new RegExp(`^[${opts.allowedCategories.map((c) => `\\p{${c}}`).join('')}\\s]$`, 'u');
  let badScript = -1;
  let badScriptN = 0;
  let badCat = -1;
  let badCatN = 0;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) ?? 0;
    const size = cp > 0xffff ? 2 : 1;
    cps++;
    if (opts.maxLength !== undefined && cps > opts.maxLength && lengthAt < 0) lengthAt = i;
    if (scriptRe !== undefined || catRe !== undefined) {
      const ch = String.fromCodePoint(cp);
      if (scriptRe !== undefined && !scriptRe.test(ch)) {
        if (badScript < 0) badScript = i;
        badScriptN++;
      }
      if (catRe !== undefined && !catRe.test(ch)) {
        if (badCat < 0) badCat = i;
        badCatN++;
      }
    }
    i += size;
  }
  const at = (o: number): number => map[o] ?? map[map.length - 1] ?? 0;
  if (lengthAt >= 0)
    out.push({
      stage: 'validate',
      code: 'validate/too-long',
      message: `text has ${cps} code points, more than the ${opts.maxLength ?? 0} allowed`,
      start: at(lengthAt),
      end: at(text.length),
      weight: 0.3,
    });
  if (badScript >= 0)
    out.push({
      stage: 'validate',
      code: 'validate/script',
      message: `${badScriptN} character(s) outside the allowed scripts (${opts.allowedScripts.join(', ')})`,
      start: at(badScript),
      end: at(badScript + 1),
      weight: 0.3,
      detail: `U+${(text.codePointAt(badScript) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
    });
  if (badCat >= 0)
    out.push({
      stage: 'validate',
      code: 'validate/character-class',
      message: `${badCatN} character(s) outside the allowed categories (${opts.allowedCategories.join(', ')})`,
      start: at(badCat),
      end: at(badCat + 1),
      weight: 0.3,
      detail: `U+${(text.codePointAt(badCat) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
    });
  return out;
}
