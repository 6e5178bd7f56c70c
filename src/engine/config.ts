import { readFile, stat } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { parseForbiddenUses } from '../workflows/forbidden-uses.js';
import { CONFIDENCES, SEVERITIES, type Confidence, type Severity } from '../core/finding.js';
import {
  ConfigError,
  checkGlobalName,
  EMPTY_CONFIG,
  type TorchwardConfig,
} from './config-model.js';

export {
  CONFIG_NAMES,
  ConfigError,
  checkGlobalName,
  EMPTY_CONFIG,
  findConfig,
  type TorchwardConfig,
} from './config-model.js';

// The yaml package checks duplicate keys in quadratic time; a config is small, so cap it low.
const MAX_CONFIG_BYTES = 64 * 1024;

/** Reads and validates a configuration file. Throws ConfigError with the reason. */
export async function loadConfig(path: string): Promise<TorchwardConfig> {
  const info = await stat(path).catch((error: unknown) => {
    throw new ConfigError(`cannot read config ${path}: ${String(error)}`);
  });
  if (info.size > MAX_CONFIG_BYTES) throw new ConfigError(`config ${path} is larger than 64 KiB`);
  const text = await readFile(path, 'utf8');
  return { ...parseConfig(text, path), source: path };
}

/** Parses configuration text; `name` is used in error messages. Throws ConfigError. */
export function parseConfig(text: string, name: string): TorchwardConfig {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${name}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return parseConfigValue(doc.toJS({ maxAliasCount: 100 }), name);
}

/**
 * Validates configuration given as plain data (a parsed torchward.yml, or the same mapping built
 * by a library caller): the one parser of every key, so the CLI, the library and
 * parseWorkflowAuditConfig refuse the same things with the same messages. `name` starts each
 * message. Throws ConfigError naming the key; unknown keys are errors, so a typo never goes
 * silently unapplied.
 */
export function parseConfigValue(value: unknown, name: string): TorchwardConfig {
  if (value === null || value === undefined) return EMPTY_CONFIG;
  if (!isRecord(value)) throw new ConfigError(`${name}: the top level must be a mapping`);
  const known = [
    'allow-globals',
    'exclude',
    'fail-on',
    'unscanned-severity',
    'runners',
    'ignore',
    'signature',
    'guard',
    'privacy',
    'min-confidence',
    'pedantic',
    'forbidden-uses',
  ];
  unknownKeys(value, known, name);
  const failOn = value['fail-on'];
  if (failOn !== undefined && !SEVERITIES.includes(failOn as Severity)) {
    throw new ConfigError(`${name}: fail-on must be one of ${SEVERITIES.join(', ')}`);
  }
  const unscannedSeverity = value['unscanned-severity'];
  if (unscannedSeverity !== undefined && !SEVERITIES.includes(unscannedSeverity as Severity)) {
    throw new ConfigError(`${name}: unscanned-severity must be one of ${SEVERITIES.join(', ')}`);
  }
  const minConfidence = value['min-confidence'];
  if (minConfidence !== undefined && !CONFIDENCES.includes(minConfidence as Confidence)) {
    throw new ConfigError(`${name}: min-confidence must be one of ${CONFIDENCES.join(', ')}`);
  }
  const pedantic = value.pedantic;
  if (pedantic !== undefined && typeof pedantic !== 'boolean') {
    throw new ConfigError(`${name}: pedantic must be true or false`);
  }
  const runners = value.runners ?? {};
  if (!isRecord(runners)) throw new ConfigError(`${name}: runners must be a mapping`);
  unknownKeys(runners, ['ephemeral', 'persistent'], `${name}: runners`);
  const ignore = value.ignore ?? {};
  if (!isRecord(ignore))
    throw new ConfigError(
      `${name}: ignore must be a mapping of rule id to true or a list of globs`,
    );
  const ignoreOut: Record<string, true | readonly string[]> = {};
  for (const [rule, v] of Object.entries(ignore)) {
    if (v === true) ignoreOut[rule] = true;
    else if (isStringList(v)) ignoreOut[rule] = v;
    else throw new ConfigError(`${name}: ignore.${rule} must be true or a list of path globs`);
  }
  const signature = value.signature;
  if (signature !== undefined && !isRecord(signature))
    throw new ConfigError(`${name}: signature must be a mapping`);
  if (value.privacy !== undefined && typeof value.privacy !== 'boolean')
    throw new ConfigError(`${name}: privacy must be true or false`);
  let forbiddenUses: { allow: string[] } | { deny: string[] } | undefined;
  if (value['forbidden-uses'] !== undefined) {
    try {
      const policy = parseForbiddenUses(value['forbidden-uses'], `${name}: forbidden-uses`);
      forbiddenUses =
        'allow' in policy
          ? { allow: policy.allow.map((p) => p.text) }
          : { deny: policy.deny.map((p) => p.text) };
    } catch (error) {
      throw new ConfigError(error instanceof Error ? error.message : String(error));
    }
  }
  const allowGlobals = stringList(value['allow-globals'] ?? [], `${name}: allow-globals`);
  for (const g of allowGlobals) checkGlobalName(g, `${name}: allow-globals`);
  return {
    allowGlobals,
    exclude: stringList(value.exclude ?? [], `${name}: exclude`),
    ...(failOn === undefined ? {} : { failOn: failOn as Severity }),
    ...(unscannedSeverity === undefined
      ? {}
      : { unscannedSeverity: unscannedSeverity as Severity }),
    runners: {
      ephemeral: stringList(runners.ephemeral ?? [], `${name}: runners.ephemeral`),
      persistent: stringList(runners.persistent ?? [], `${name}: runners.persistent`),
    },
    ignore: ignoreOut,
    ...(minConfidence === undefined ? {} : { minConfidence: minConfidence as Confidence }),
    ...(pedantic === undefined ? {} : { pedantic }),
    ...(forbiddenUses === undefined ? {} : { forbiddenUses }),
    ...(signature === undefined ? {} : { signature }),
    // Checked by the guard's own parser (src/guard/config.ts) when `torchward guard` runs.
    ...(value.guard === undefined ? {} : { guard: value.guard }),
    ...(value.privacy === undefined ? {} : { privacy: value.privacy }),
  };
}

/** Refuses a key of `map` outside `known`, in one message style for every section. */
function unknownKeys(map: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(map)) {
    if (!known.includes(key))
      throw new ConfigError(`${where}: unknown key '${key}' (known: ${known.join(', ')})`);
  }
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function stringList(value: unknown, where: string): string[] {
  if (!isStringList(value)) throw new ConfigError(`${where} must be a list of strings`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
