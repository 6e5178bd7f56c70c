import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { compileGlob } from './glob.js';
import { isInside, linkContainment } from '../core/hf-cache.js';

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
  /**
   * Other display paths of the same file (symbolic links inside the scanned tree, such as the
   * Hugging Face cache's snapshot links to its blobs): the file is scanned once, under this entry.
   */
  readonly aliases?: string[];
}

/** Why a path found or named was not scanned. */
export type UnscannedKind =
  'missing' | 'unreadable' | 'symlink-escape' | 'symlink-dangling' | 'special-file' | 'file-limit';

/** A path named or found that was not scanned, and why. */
export interface UnscannedPath {
  readonly path: string;
  readonly reason: string;
  readonly kind: UnscannedKind;
}

export interface WalkResult {
  readonly files: WalkedFile[];
  readonly unreadable: UnscannedPath[];
  /** Directory arguments, in order. */
  readonly roots: string[];
  /** Entries (files or whole folders) left out by the exclude globs. */
  excluded: number;
}

// Directories that never hold model artifacts of the project and can be huge.
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * Expands `paths` (files and directories) into the files to scan, sorted within each directory.
 * Symbolic links found inside a directory are followed when they stay inside it and end at a
 * regular file (inside a Hugging Face cache snapshot, when they stay inside the cache's
 * repository folder: the snapshot's files are links into its `blobs/`); one file reached by several names (a link and its target, the Hugging Face
 * cache's snapshot links to its blobs) is listed once, with its other names as aliases. Links
 * that leave the folder or lead nowhere, special files, unreadable folders and files over
 * `maxFiles` are returned in `unreadable` with their kind, never dropped silently. Links to
 * folders are not followed (no cycles): a folder inside the tree is walked where it is. A link
 * named on the command line is followed.
 */
export async function walkPaths(
  paths: readonly string[],
  exclude: readonly string[],
  maxFiles: number,
): Promise<WalkResult> {
  const excluded = exclude.map(compileGlob);
  const isExcluded = (rel: string): boolean => excluded.some((m) => m(rel));
  const result: WalkResult = { files: [], unreadable: [], roots: [], excluded: 0 };
  // Real path → the entry that scans it, so each file is scanned once whatever names reach it.
  const byReal = new Map<string, WalkedFile>();
  const add = (file: WalkedFile, real: string | undefined): void => {
    const seen = real === undefined ? undefined : byReal.get(real);
    if (seen !== undefined) {
      seen.aliases?.push(file.displayPath);
      return;
    }
    if (result.files.length >= maxFiles) {
      result.unreadable.push({
        path: file.displayPath,
        reason: `more than ${maxFiles} files: not scanned`,
        kind: 'file-limit',
      });
      return;
    }
    const entry = { ...file, aliases: [] };
    if (real !== undefined) byReal.set(real, entry);
    result.files.push(entry);
  };
  for (const given of paths) {
    const display = toPosix(given);
    let info;
    try {
      info = await stat(given);
    } catch (error) {
      result.unreadable.push({ path: display, ...describe(error) });
      continue;
    }
    if (info.isDirectory()) {
      result.roots.push(given);
      let rootReal: string;
      try {
        rootReal = await realpath(given);
      } catch (error) {
        result.unreadable.push({ path: display, ...describe(error) });
        continue;
      }
      const containment = linkContainment(rootReal);
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
          result.unreadable.push({ path: joinDisplay(display, rel), ...describe(error) });
          continue;
        }
        const subdirs: string[] = [];
        for (const l of entries) {
          const name = l.name;
          const childRel = rel === '' ? name : `${rel}/${name}`;
          if (isExcluded(childRel)) {
            result.excluded++;
            continue;
          }
          const fsPath = join(given, childRel);
          const childDisplay = joinDisplay(display, childRel);
          if (l.isDirectory()) {
            if (!SKIP_DIRS.has(name)) subdirs.push(childRel);
            continue;
          }
          // Folders are entered only as themselves (never through links), so a regular file's
          // real path is the root's real path joined with its relative path.
          let real = join(rootReal, childRel);
          if (l.isSymbolicLink()) {
            const target = await realpath(fsPath).catch(() => undefined);
            const targetInfo =
              target === undefined ? undefined : await stat(target).catch(() => undefined);
            if (target === undefined || targetInfo === undefined) {
              result.unreadable.push({
                path: childDisplay,
                reason: 'symbolic link leads nowhere: not scanned',
                kind: 'symlink-dangling',
              });
              continue;
            }
            if (!isInside(containment, target)) {
              result.unreadable.push({
                path: childDisplay,
                reason: `symbolic link leaves the scanned folder (to ${target}): not followed, though a loader would follow it`,
                kind: 'symlink-escape',
              });
              continue;
            }
            // A link to a folder inside the tree: that folder is walked where it is.
            if (targetInfo.isDirectory()) {
              if (!isInside(rootReal, target)) {
                result.unreadable.push({
                  path: childDisplay,
                  reason: `symbolic link to a folder outside the scanned folder (${target}): not followed`,
                  kind: 'symlink-escape',
                });
              }
              continue;
            }
            if (!targetInfo.isFile()) {
              result.unreadable.push({
                path: childDisplay,
                reason: 'symbolic link to a special file: not scanned',
                kind: 'special-file',
              });
              continue;
            }
            real = target;
          } else if (!l.isFile()) {
            result.unreadable.push({
              path: childDisplay,
              reason: 'not a regular file (device, pipe or socket): not scanned',
              kind: 'special-file',
            });
            continue;
          }
          add(
            { fsPath, displayPath: childDisplay, explicit: false, root: given, relPath: childRel },
            real,
          );
        }
        // Push in reverse so the stack pops them in sorted order.
        for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] ?? '');
      }
    } else if (info.isFile()) {
      add(
        { fsPath: given, displayPath: display, explicit: true, relPath: display },
        await realpath(given).catch(() => undefined),
      );
    } else {
      result.unreadable.push({
        path: display,
        reason: 'not a regular file or directory: not scanned',
        kind: 'special-file',
      });
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

function describe(error: unknown): { reason: string; kind: UnscannedKind } {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return { reason: 'no such file or directory', kind: 'missing' };
  if (code === 'EACCES' || code === 'EPERM')
    return { reason: 'permission denied', kind: 'unreadable' };
  return {
    reason: error instanceof Error ? error.message : String(error),
    kind: 'unreadable',
  };
}

/** The path of `file` relative to `root`, '/'-separated. */
export function relativePosix(root: string, file: string): string {
  return toPosix(relative(root, file));
}
