import type { Severity } from '../core/finding.js';

// Kept apart from config.ts (which parses YAML) so the scanner can use a config without loading
// the YAML parser.

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
  /** Where it was read from, if anywhere. */
  readonly source?: string;
}

export const EMPTY_CONFIG: TorchwardConfig = Object.freeze({
  allowGlobals: [],
  exclude: [],
  runners: { ephemeral: [], persistent: [] },
  ignore: {},
});
