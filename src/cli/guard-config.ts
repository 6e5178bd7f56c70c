import { resolve } from 'node:path';
import { ConfigError, EMPTY_CONFIG, findConfig } from '../engine/config-model.js';
import { GuardConfigError, parseGuardConfig, type GuardConfig } from '../guard/config.js';
import type { CliIo } from './io.js';
import { UsageError } from './io.js';

/** Reads the guard: section (from --config, or torchward.yml found in the cwd). */
export async function readGuardConfig(
  path: string | undefined,
  noConfig: boolean,
  io: CliIo,
): Promise<GuardConfig> {
  if (noConfig) return parseGuardConfig(undefined);
  let raw = EMPTY_CONFIG.guard;
  try {
    const found = path !== undefined ? resolve(io.cwd, path) : await findConfig([io.cwd]);
    if (found !== undefined)
      raw = (await (await import('../engine/config.js')).loadConfig(found)).guard;
    return parseGuardConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GuardConfigError)
      throw new UsageError(error.message);
    throw error;
  }
}
