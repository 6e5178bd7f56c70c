import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Confidence, Severity } from '../core/finding.js';
import { matchGadget } from '../rules/pickle/policy/gadgets.js';

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
  /** Severity of the finding for each path not scanned (`unscanned-severity`, default high). */
  readonly unscannedSeverity?: Severity;
  /** Runner labels declared ephemeral or persistent (workflow audit). */
  readonly runners: {
    readonly ephemeral: readonly string[];
    readonly persistent: readonly string[];
  };
  /** Workflow audit: leave out findings less sure than this (`min-confidence`). */
  readonly minConfidence?: Confidence;
  /** Workflow audit: also report the noisier, code-smell findings (`pedantic: true`). */
  readonly pedantic?: boolean;
  /** Workflow audit: the `forbidden-uses` allow or deny list of `uses:` patterns. */
  readonly forbiddenUses?:
    { readonly allow: readonly string[] } | { readonly deny: readonly string[] };
  /** Rule id → true (everywhere) or path globs where its findings are suppressed. */
  readonly ignore: Readonly<Record<string, true | readonly string[]>>;
  /** Signature requirements for `scan --require-signature`. */
  readonly signature?: Readonly<Record<string, unknown>>;
  /** The `guard:` section as written; `torchward guard` resolves it with parseGuardConfig. */
  readonly guard?: unknown;
  /** `privacy: true`: every scan also runs the privacy pass (as `scan --privacy`). */
  readonly privacy?: boolean;
  /** Where it was read from, if anywhere. */
  readonly source?: string;
}

/**
 * The sections of torchward.yml the workflow, deployment and code audits read (`runners`,
 * `ignore`, `forbidden-uses`), as mutable plain data a library caller may also build by hand.
 * parseConfig (engine/config.ts) validates them; auditConfigOf takes them from its result.
 */
export interface WorkflowAuditConfig {
  runners?: { ephemeral?: string[]; persistent?: string[] };
  /**
   * Rule id → `true` (ignored everywhere) or entries `path-glob[:line[:column]]` (1-based),
   * matched against the display uri and the path relative to the repository root.
   */
  ignore?: Record<string, true | string[]>;
  /**
   * `forbidden-uses`: exactly one of `allow` or `deny`, a list of `uses:` patterns (`*`,
   * `owner/*`, `owner/repo`, `owner/repo/*`, `owner/repo/path`, with `@ref` on exact ones).
   */
  forbiddenUses?: { allow: string[] } | { deny: string[] };
}

/** The audits' sections of a parsed configuration (copies: the audits never share its arrays). */
export function auditConfigOf(config: TorchwardConfig): WorkflowAuditConfig {
  const forbidden = config.forbiddenUses;
  return {
    runners: {
      ephemeral: [...config.runners.ephemeral],
      persistent: [...config.runners.persistent],
    },
    ignore: Object.fromEntries(
      Object.entries(config.ignore).map(([k, v]) => [k, v === true ? true : [...v]]),
    ),
    ...(forbidden === undefined
      ? {}
      : {
          forbiddenUses:
            'allow' in forbidden ? { allow: [...forbidden.allow] } : { deny: [...forbidden.deny] },
        }),
  };
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

/**
 * The configuration a scan may read without being told: the first of CONFIG_NAMES in `cwd`, then
 * in each parent up to the root of the repository `cwd` is in (the nearest directory holding
 * `.git`). Outside a repository only `cwd` itself is searched. A config inside a scanned folder
 * elsewhere is never read implicitly: the scanned content must not configure its own scan.
 */
export async function findRepositoryConfig(cwd: string): Promise<string | undefined> {
  const start = resolve(cwd);
  const dirs: string[] = [];
  let repoRoot: string | undefined;
  for (let dir = start; ;) {
    dirs.push(dir);
    if ((await stat(join(dir, '.git')).catch(() => undefined)) !== undefined) {
      repoRoot = dir;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return findConfig(repoRoot === undefined ? [start] : dirs);
}

/** True when `relPath` ('/'-separated, inside a scanned folder) names a configuration file. */
export function isConfigName(relPath: string): boolean {
  return CONFIG_NAMES.some((name) => relPath === name || relPath.endsWith(`/${name}`));
}

/**
 * Accepts 'module.name' or 'module:name'-free dotted names, as torch's add_safe_globals keys, and
 * refuses a known gadget: declaring `os.system` benign would not lift the blocklist (the scan
 * reports it whatever the settings say), so saying so at once beats a setting that silently does
 * nothing.
 */
export function checkGlobalName(name: string, where: string): void {
  if (!/^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+$/.test(name)) {
    throw new ConfigError(`${where}: '${name}' is not a dotted 'module.name' global`);
  }
  const parts = name.split('.');
  for (let i = 1; i < parts.length; i++) {
    const gadget = matchGadget(parts.slice(0, i).join('.'), parts.slice(i).join('.'));
    if (gadget !== undefined) {
      throw new ConfigError(
        `${where}: '${name}' is a known ${gadget.category} gadget (${gadget.pattern}); the gadget blocklist cannot be lifted`,
      );
    }
  }
}
