import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closest } from '../core/closest.js';
import { normaliseIgnorePath } from '../provenance/walk.js';
import { UsageError } from './io.js';

/** The options a usage text lists (`-f, --format …`): every `--name` and `-x` it shows. */
export function optionsInUsage(usage: string): string[] {
  const found = new Set<string>();
  for (const m of usage.matchAll(/(?:^|[\s,[])(--?[A-Za-z][\w-]*)/gm)) {
    if (m[1] !== undefined) found.add(m[1]);
  }
  return [...found].sort();
}

/**
 * A parseArgs error as one usage line: an unknown option gets the closest known one as a
 * suggestion; other parse errors keep their message's first line.
 */
export function usageErrorFromParse(
  error: Error & { code?: string },
  known: readonly string[],
): UsageError {
  const first = error.message.split('\n')[0] ?? error.message;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = /'(-[^']*)'/.exec(first)?.[1];
    if (name !== undefined) {
      const bare = name.split('=')[0] ?? name;
      const suggestion = closest(bare, known);
      return new UsageError(
        `unknown option '${bare}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`,
      );
    }
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return new UsageError(`unexpected argument: ${first.replace(/^Unexpected argument /, '')}`);
  }
  return new UsageError(first.replace(/\.\s*To specify an option argument.*$/, ''));
}

/**
 * Checks, before any work is done, that a report can be written to `path` (relative to `cwd`):
 * its folder exists and is writable and the path is not a folder. Throws UsageError otherwise.
 */
export function checkOutputPath(path: string, cwd: string, flag = '--output'): string {
  if (path === '') throw new UsageError(`${flag}: the path is empty`);
  const abs = resolve(cwd, path);
  let dirStat;
  try {
    dirStat = statSync(dirname(abs));
  } catch {
    throw new UsageError(`${flag} ${path}: the folder ${dirname(path)} does not exist`);
  }
  if (!dirStat.isDirectory()) {
    throw new UsageError(`${flag} ${path}: ${dirname(path)} is not a folder`);
  }
  try {
    if (statSync(abs).isDirectory()) throw new UsageError(`${flag} ${path}: is a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // does not exist yet: fine
  }
  try {
    accessSync(dirname(abs), constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: the folder ${dirname(path)} is not writable`);
  }
  return abs;
}

/**
 * `--ignore-paths` values normalised as hash, sign and verify apply them (`sub/../x` is `x`);
 * an absolute path, or one that leads out of the model, is a usage error with its reason.
 */
export function checkIgnorePaths(paths: readonly string[] | undefined): string[] {
  return (paths ?? []).map((p) => {
    try {
      return normaliseIgnorePath(p);
    } catch (error) {
      throw new UsageError(`--ignore-paths: ${(error as Error).message}`);
    }
  });
}

/**
 * An integer option: `fallback` when absent, otherwise decimal digits (at most 12) of at least
 * `min`; anything else is a `UsageError` naming the flag.
 */
export function intOption(
  value: string | undefined,
  flag: string,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,12}$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag} needs an integer >= ${min}, got '${value}'`);
  return Number(value);
}
