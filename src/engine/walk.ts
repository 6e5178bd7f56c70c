import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { compileGlob } from './glob.js';

/** A file to scan: where it is, and how to name it in reports. */
export interface WalkedFile {
  /** File-system path to open. */
  readonly fsPath: string;
  /** The path as the user named it, '/'-separated (relative stays relative). */
  readonly displayPath: string;
  /** True when the user named the file itself (not found inside a named directory). */
  readonly explicit: boolean;
  /** The directory argument it was found under, for repository-level checks. */
  readonly root?: string;
  /** Path relative to `root`, '/'-separated. */
  readonly relPath: string;
}

export interface WalkResult {
  readonly files: WalkedFile[];
  readonly unreadable: { path: string; reason: string }[];
  /** Directory arguments, in order. */
  readonly roots: string[];
}

// Directories that never hold model artifacts of the project and can be huge.
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * Expands `paths` (files and directories) into the files to scan, sorted within each directory.
 * Symbolic links found inside a directory are followed only when they stay inside it (no escapes)
 * and never into directories (no cycles); a link named on the command line is followed.
 */
export async function walkPaths(
  paths: readonly string[],
  exclude: readonly string[],
  maxFiles: number,
): Promise<WalkResult> {
  const excluded = exclude.map(compileGlob);
  const isExcluded = (rel: string): boolean => excluded.some((m) => m(rel));
  const result: WalkResult = { files: [], unreadable: [], roots: [] };
  for (const given of paths) {
    const display = toPosix(given);
    let info;
    try {
      info = await stat(given);
    } catch (error) {
      result.unreadable.push({ path: display, reason: describe(error) });
      continue;
    }
    if (info.isDirectory()) {
      result.roots.push(given);
      let rootReal: string;
      try {
        rootReal = await realpath(given);
      } catch (error) {
        result.unreadable.push({ path: display, reason: describe(error) });
        continue;
      }
      // Explicit stack, not recursion: deep trees cannot overflow the call stack.
      const stack: string[] = [''];
      while (stack.length > 0) {
        const rel = stack.pop() ?? '';
        // Entries with their types (lstat semantics: a link is a link), one call per directory
        // instead of one lstat per file; Node falls back to lstat where the file system does not
        // report types.
        let entries: Dirent[];
        try {
          entries = (await readdir(join(given, rel), { withFileTypes: true })).sort((a, b) =>
            a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
          );
        } catch (error) {
          result.unreadable.push({ path: joinDisplay(display, rel), reason: describe(error) });
          continue;
        }
        const subdirs: string[] = [];
        for (const l of entries) {
          const name = l.name;
          const childRel = rel === '' ? name : `${rel}/${name}`;
          if (isExcluded(childRel)) continue;
          const fsPath = join(given, childRel);
          if (l.isDirectory()) {
            if (!SKIP_DIRS.has(name)) subdirs.push(childRel);
            continue;
          }
          if (l.isSymbolicLink()) {
            const target = await realpath(fsPath).catch(() => undefined);
            const targetInfo =
              target === undefined ? undefined : await stat(target).catch(() => undefined);
            const inside =
              target !== undefined && (target === rootReal || target.startsWith(rootReal + sep));
            if (!inside || !targetInfo?.isFile()) {
              result.unreadable.push({
                path: joinDisplay(display, childRel),
                reason: inside
                  ? 'symbolic link to a directory or special file: not followed'
                  : 'symbolic link leaves the scanned folder: not followed',
              });
              continue;
            }
          } else if (!l.isFile()) {
            continue;
          }
          if (result.files.length >= maxFiles) {
            result.unreadable.push({
              path: joinDisplay(display, childRel),
              reason: `more than ${maxFiles} files: not scanned`,
            });
            continue;
          }
          result.files.push({
            fsPath,
            displayPath: joinDisplay(display, childRel),
            explicit: false,
            root: given,
            relPath: childRel,
          });
        }
        // Push in reverse so the stack pops them in sorted order.
        for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] ?? '');
      }
    } else if (info.isFile()) {
      result.files.push({ fsPath: given, displayPath: display, explicit: true, relPath: display });
    } else {
      result.unreadable.push({ path: display, reason: 'not a regular file or directory' });
    }
  }
  return result;
}

function joinDisplay(display: string, rel: string): string {
  if (rel === '') return display;
  return display.endsWith('/') ? `${display}${rel}` : `${display}/${rel}`;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** The path of `file` relative to `root`, '/'-separated. */
export function relativePosix(root: string, file: string): string {
  return toPosix(relative(root, file));
}
