import type { GuardMode } from './types.js';

/** Spotlighting transforms for untrusted documents (Hines et al. 2024). */
export type SpotlightMode = 'delimit' | 'datamark' | 'base64';

/** Output escaping applied to `sanitized`. */
export type EncodeMode = 'none' | 'html' | 'markdown';

/**
 * The `guard:` section of torchward.yml, resolved. Every stage can be switched off; limits bound
 * the work done per record whatever the input says.
 */
export interface GuardConfig {
  readonly mode: GuardMode;
  /** Records longer than this (UTF-16 code units) are not judged: error LIMIT_EXCEEDED, flagged. */
  readonly maxChars: number;
  readonly stages: {
    readonly invisible: boolean;
    readonly normalize: boolean;
    readonly rescan: boolean;
    readonly filter: boolean;
    readonly validate: boolean;
    /** The adversarial-suffix layer (GCG-style optimised token soup). */
    readonly suffix: boolean;
  };
  readonly rescan: {
    /** Most decoded characters per record, over all spans and depths (base64 bombs). */
    readonly maxDecodedChars: number;
    /** Deepest decode of a decoded span (base64 inside base64 …). */
    readonly maxDepth: number;
    /** Most encoded spans examined per record. */
    readonly maxSpans: number;
  };
  readonly filter: {
    /** Hosts (exact, or a suffix after a dot) that markdown images and links may point at. */
    readonly allowHosts: readonly string[];
  };
  readonly validate: {
    /** Longest accepted text, in code points; longer is a finding, not an error. */
    readonly maxLength?: number;
    /** Unicode script names (`Latin`, `Common`, …) allowed; empty = any. */
    readonly allowedScripts: readonly string[];
    /** General category prefixes allowed (`L`, `N`, `P`, `Zs`, …); empty = any. */
    readonly allowedCategories: readonly string[];
    /** A JSON Schema the structured input (a JSONL record, or JSON text) must satisfy. */
    readonly schema?: unknown;
  };
  readonly encode: EncodeMode;
  /** Canary strings that must never appear in a model's response (proxy). */
  readonly canaries: readonly string[];
}

/** Defaults: balanced mode, every stage on, no script restriction, no encoding. */
export const DEFAULT_GUARD_CONFIG: GuardConfig = Object.freeze({
  mode: 'balanced',
  maxChars: 1024 * 1024,
  stages: {
    invisible: true,
    normalize: true,
    rescan: true,
    filter: true,
    validate: true,
    suffix: true,
  },
  rescan: { maxDecodedChars: 64 * 1024, maxDepth: 3, maxSpans: 64 },
  filter: { allowHosts: [] },
  validate: { allowedScripts: [], allowedCategories: [] },
  encode: 'none',
  canaries: [],
});

/** Thrown for an invalid `guard:` section; the CLI reports it as a usage error. */
export class GuardConfigError extends Error {
  override readonly name = 'GuardConfigError';
}

const MODES: readonly GuardMode[] = ['strict', 'balanced', 'permissive'];

/**
 * Resolves a `guard:` mapping (already parsed from YAML, or built by a library caller) over the
 * defaults. Throws GuardConfigError naming the bad key; unknown keys are errors, so a typo never
 * silently turns a stage off.
 */
export function parseGuardConfig(value: unknown, where = 'guard'): GuardConfig {
  if (value === undefined || value === null) return DEFAULT_GUARD_CONFIG;
  const v = record(value, where);
  known(v, where, [
    'mode',
    'max-chars',
    'stages',
    'rescan',
    'filter',
    'validate',
    'encode',
    'canaries',
  ]);
  const d = DEFAULT_GUARD_CONFIG;
  const mode = v.mode ?? d.mode;
  if (!MODES.includes(mode as GuardMode))
    throw new GuardConfigError(`${where}.mode must be one of ${MODES.join(', ')}`);
  const stages = record(v.stages ?? {}, `${where}.stages`);
  known(stages, `${where}.stages`, [
    'invisible',
    'normalize',
    'rescan',
    'filter',
    'validate',
    'suffix',
  ]);
  const rescan = record(v.rescan ?? {}, `${where}.rescan`);
  known(rescan, `${where}.rescan`, ['max-decoded-chars', 'max-depth', 'max-spans']);
  const filter = record(v.filter ?? {}, `${where}.filter`);
  known(filter, `${where}.filter`, ['allow-hosts']);
  const validate = record(v.validate ?? {}, `${where}.validate`);
  known(validate, `${where}.validate`, [
    'max-length',
    'allowed-scripts',
    'allowed-categories',
    'schema',
  ]);
  const encode = v.encode ?? d.encode;
  if (encode !== 'none' && encode !== 'html' && encode !== 'markdown')
    throw new GuardConfigError(`${where}.encode must be none, html or markdown`);
  const maxLength = validate['max-length'];
  const schema = validate.schema;
  if (schema !== undefined && (typeof schema !== 'object' || schema === null))
    throw new GuardConfigError(`${where}.validate.schema must be a JSON Schema mapping`);
  for (const s of strings(validate['allowed-scripts'] ?? [], `${where}.validate.allowed-scripts`)) {
    try {
      new RegExp(`\\p{Script=${s}}`, 'u');
    } catch {
      throw new GuardConfigError(`${where}.validate.allowed-scripts: unknown script '${s}'`);
    }
  }
  for (const c of strings(
    validate['allowed-categories'] ?? [],
    `${where}.validate.allowed-categories`,
  )) {
    if (!/^[A-Z][a-z]?$/.test(c))
      throw new GuardConfigError(`${where}.validate.allowed-categories: bad category '${c}'`);
  }
  return {
    mode: mode as GuardMode,
    maxChars: int(v['max-chars'] ?? d.maxChars, `${where}.max-chars`, 1, 64 * 1024 * 1024),
    stages: {
      invisible: bool(stages.invisible ?? true, `${where}.stages.invisible`),
      normalize: bool(stages.normalize ?? true, `${where}.stages.normalize`),
      rescan: bool(stages.rescan ?? true, `${where}.stages.rescan`),
      filter: bool(stages.filter ?? true, `${where}.stages.filter`),
      validate: bool(stages.validate ?? true, `${where}.stages.validate`),
      suffix: bool(stages.suffix ?? true, `${where}.stages.suffix`),
    },
    rescan: {
      maxDecodedChars: int(
        rescan['max-decoded-chars'] ?? d.rescan.maxDecodedChars,
        `${where}.rescan.max-decoded-chars`,
        0,
        16 * 1024 * 1024,
      ),
      maxDepth: int(rescan['max-depth'] ?? d.rescan.maxDepth, `${where}.rescan.max-depth`, 0, 8),
      maxSpans: int(rescan['max-spans'] ?? d.rescan.maxSpans, `${where}.rescan.max-spans`, 0, 4096),
    },
    filter: {
      allowHosts: strings(filter['allow-hosts'] ?? [], `${where}.filter.allow-hosts`).map((h) =>
        h.toLowerCase(),
      ),
    },
    validate: {
      ...(maxLength === undefined
        ? {}
        : { maxLength: int(maxLength, `${where}.validate.max-length`, 1, 64 * 1024 * 1024) }),
      allowedScripts: strings(validate['allowed-scripts'] ?? [], ''),
      allowedCategories: strings(validate['allowed-categories'] ?? [], ''),
      ...(schema === undefined ? {} : { schema }),
    },
    encode,
    canaries: strings(v.canaries ?? [], `${where}.canaries`).filter((c) => c.length > 0),
  };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new GuardConfigError(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function known(v: Record<string, unknown>, where: string, keys: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!keys.includes(k))
      throw new GuardConfigError(`${where}: unknown key '${k}' (known: ${keys.join(', ')})`);
  }
}

function bool(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new GuardConfigError(`${where} must be true or false`);
  return value;
}

function int(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new GuardConfigError(`${where} must be an integer from ${min} to ${max}`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new GuardConfigError(`${where} must be a list of strings`);
  const out: string[] = [];
  for (const s of value) {
    if (typeof s !== 'string') throw new GuardConfigError(`${where} must be a list of strings`);
    out.push(s);
  }
  return out;
}
