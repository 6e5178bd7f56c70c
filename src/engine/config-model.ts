import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Severity } from '../core/finding.js';

// Kept apart from config.ts (which parses YAML) so the scanner and the CLI can find and use a
// config without loading the YAML parser.

/** The parsed `torchward.yml` (or `.github/torchward.yml`). Every key is optional. */
export interface TorchwardConfig {
  /** Globals declared benign, 'module.name' (like torch's add_safe_globals). */
  readonly allowGlobals: readonly string[];
  /** Globs of paths to leave out of directory scans. */
  readonly exclude: readonly string[];
  /** Lowest severity that fails the run. */
  readonly failOn?: Severity;
  /** Runner labels declared ephemeral or persistent (workflow audit). */
  readonly runners: {
    readonly ephemeral: readonly string[];
    readonly persistent: readonly string[];
  };
  /** Rule id → true (everywhere) or path globs where its findings are suppressed. */
  readonly ignore: Readonly<Record<string, true | readonly string[]>>;
  /** Signature requirements for `scan --require-signature`. */
  readonly signature?: Readonly<Record<string, unknown>>;
  /** The `guard:` section as written; `torchward guard` resolves it with parseGuardConfig. */
  readonly guard?: unknown;
  /** Where it was read from, if anywhere. */
  readonly source?: string;
}

export const EMPTY_CONFIG: TorchwardConfig = Object.freeze({
  allowGlobals: [],
  exclude: [],
  runners: { ephemeral: [], persistent: [] },
  ignore: {},
});

/** Names looked for, in order, in each directory searched. */
export const CONFIG_NAMES = [
  'torchward.yml',
  'torchward.yaml',
  '.github/torchward.yml',
  '.github/torchward.yaml',
];

/** Thrown for an unreadable or invalid configuration file; the CLI reports it as a usage error. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Finds the first config file among `dirs` (then gives up: no config is fine). */
export async function findConfig(dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    for (const name of CONFIG_NAMES) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() === true) return path;
    }
  }
  return undefined;
}

/** Accepts 'module.name' or 'module:name'-free dotted names, as torch's add_safe_globals keys. */
export function checkGlobalName(name: string, where: string): void {
  if (!/^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+$/.test(name)) {
    throw new ConfigError(`${where}: '${name}' is not a dotted 'module.name' global`);
  }
}
