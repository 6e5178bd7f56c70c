import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { isInside, linkContainment } from '../core/hf-cache.js';
import { ProvenanceError } from './errors.js';

/** Paths ignored at the top of a model by default (model_signing `ignore_git_paths=True`). */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

/** A regular file of a model. */
export interface ModelFile {
  /** POSIX path relative to the model root; `.` for a single-file model. */
  readonly rel: string;
  readonly abs: string;
  readonly size: number;
}

/** The files of a model, in the reference's canonical order. */
export interface ModelFiles {
  /** Absolute model path (a directory or a single file). */
  readonly root: string;
  readonly single: boolean;
  readonly files: readonly ModelFile[];
  /** Every ignored relative path that applied (user, git defaults, the signature file). */
  readonly ignorePaths: readonly string[];
  /**
   * True when symbolic links of a Hugging Face cache snapshot were followed into the cache's
   * `blobs/` (what model_signing does for such a folder with `--allow-symlinks`).
   */
  readonly followedCacheLinks: boolean;
}

/** Options for {@link listModelFiles}. */
export interface WalkOptions {
  /** Relative POSIX paths to leave out; a directory leaves out its subtree. */
  readonly ignorePaths?: readonly string[];
  /** Leave out `.git`, `.gitattributes`, `.github`, `.gitignore` at the top (default true). */
  readonly ignoreGitPaths?: boolean;
  /** The signature file, always left out when it lies inside the model. */
  readonly signaturePath?: string;
  /** Hash the targets of symlinks (inside the model only) instead of refusing them. */
  readonly allowSymlinks?: boolean;
  /** Most files and directories visited. */
  readonly maxEntries: number;
}

/**
 * Compares two relative POSIX paths the way Python sorts `PurePosixPath`s: component by
 * component, each by Unicode code point (not UTF-16 unit), a prefix first.
 */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareCodePoints(pa[i] ?? '', pb[i] ?? '');
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done === true || y.done === true) return x.done === true ? (y.done === true ? 0 : -1) : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/**
 * Normalises an ignore path to a relative POSIX path without `./`, `..` or a trailing `/`
 * (`sub/../x` is `x`; Windows separators read as `/`), as sign and verify both apply it. Throws
 * ProvenanceError BAD_IGNORE_PATH for an absolute path or one that climbs out of the model: an
 * ignore path is relative to the model root, and such a path would silently ignore nothing.
 */
export function normaliseIgnorePath(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  if (isAbsolute(path) || slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed)) {
    throw new ProvenanceError(
      'BAD_IGNORE_PATH',
      `ignore path '${path}' is absolute: give it relative to the model folder`,
    );
  }
  const normal = posix.normalize(slashed);
  if (normal === '..' || normal.startsWith('../')) {
    throw new ProvenanceError('BAD_IGNORE_PATH', `ignore path '${path}' leads out of the model`);
  }
  return normal
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/**
 * `normaliseIgnorePath` for paths a signature records: one that cannot apply (absolute, or out
 * of the model) is dropped, as the reference drops it, instead of failing the verification.
 */
export function normaliseRecordedIgnorePath(path: string): string | undefined {
  try {
    return normaliseIgnorePath(path);
  } catch {
    return undefined;
  }
}

/** True when `path` is a link of a Hugging Face cache snapshot into its repository folder. */
async function isCacheLink(path: string): Promise<boolean> {
  try {
    const parent = await realpath(dirname(path));
    const containment = linkContainment(parent);
    return containment !== parent && isInside(containment, await realpath(path));
  } catch {
    return false;
  }
}

function isIgnored(rel: string, ignored: readonly string[]): boolean {
  return ignored.some((p) => rel === p || rel.startsWith(`${p}/`));
}

/**
 * Lists the regular files of a model directory (or the model file itself), leaving out ignored
 * paths, sorted as the reference sorts them. Throws ProvenanceError: NO_INPUT (missing or
 * unreadable path), SYMLINK (a symlink without `allowSymlinks`, or to a directory), OUTSIDE_MODEL
 * (a symlink leading out of the model), SPECIAL_FILE (FIFO, socket, device), EMPTY_MODEL (nothing
 * left to hash), LIMIT_EXCEEDED (more than `maxEntries` entries).
 */
export async function listModelFiles(modelPath: string, options: WalkOptions): Promise<ModelFiles> {
  const root = resolve(modelPath);
  const top = await lstat(root).catch((error: unknown) => {
    throw new ProvenanceError('NO_INPUT', `cannot read ${modelPath}`, { cause: error });
  });
  if (top.isSymbolicLink() && options.allowSymlinks !== true && !(await isCacheLink(root))) {
    throw new ProvenanceError('SYMLINK', `${modelPath} is a symbolic link (use --allow-symlinks)`);
  }
  const info = top.isSymbolicLink() ? await stat(root) : top;
  if (info.isFile()) {
    return {
      root,
      single: true,
      files: [{ rel: '.', abs: root, size: info.size }],
      ignorePaths: [],
      followedCacheLinks: false,
    };
  }
  if (!info.isDirectory())
    throw new ProvenanceError('SPECIAL_FILE', `${modelPath} is not a file or directory`);

  const ignored = (options.ignorePaths ?? []).map(normaliseIgnorePath).filter((p) => p !== '');
  if (options.ignoreGitPaths ?? true) ignored.push(...GIT_PATHS);
  if (options.signaturePath !== undefined) {
    const rel = relative(root, resolve(options.signaturePath));
    if (rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep))
      ignored.push(rel.split(sep).join('/'));
  }
  const ignorePaths = [...new Set(ignored)].sort(comparePaths);
  const realRoot = await realpath(root);
  // A Hugging Face cache snapshot is a folder of links into its repository's blobs/: those are
  // followed (the layout is known), links leaving the repository folder are still refused.
  const containment = linkContainment(realRoot);
  let followedCacheLinks = false;

  const files: ModelFile[] = [];
  const stack: string[] = [''];
  let visited = 0;
  while (stack.length > 0) {
    const dir = stack.pop() ?? '';
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(
      (error: unknown) => {
        throw new ProvenanceError('NO_INPUT', `cannot read directory ${dir || '.'}`, {
          cause: error,
        });
      },
    );
    for (const entry of entries) {
      visited++;
      if (visited > options.maxEntries) {
        throw new ProvenanceError(
          'LIMIT_EXCEEDED',
          `more than ${options.maxEntries} entries in ${modelPath}`,
        );
      }
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (isIgnored(rel, ignorePaths)) continue;
      const abs = join(root, rel);
      if (entry.isDirectory()) {
        stack.push(rel);
      } else if (entry.isFile()) {
        files.push({ rel, abs, size: (await stat(abs)).size });
      } else if (entry.isSymbolicLink()) {
        const target = await realpath(abs).catch((error: unknown) => {
          throw new ProvenanceError('NO_INPUT', `broken symbolic link ${rel}`, { cause: error });
        });
        const cacheLink = containment !== realRoot && isInside(containment, target);
        if (options.allowSymlinks !== true && !cacheLink) {
          throw new ProvenanceError('SYMLINK', `${rel} is a symbolic link (use --allow-symlinks)`);
        }
        if (!isInside(containment, target) || target === realRoot) {
          throw new ProvenanceError('OUTSIDE_MODEL', `${rel} links outside the model`);
        }
        const t = await stat(target);
        if (!t.isFile()) throw new ProvenanceError('SYMLINK', `${rel} links to a non-file`);
        if (!isInside(realRoot, target)) followedCacheLinks = true;
        files.push({ rel, abs, size: t.size });
      } else {
        throw new ProvenanceError('SPECIAL_FILE', `${rel} is not a regular file`);
      }
    }
  }
  if (files.length === 0) {
    throw new ProvenanceError(
      'EMPTY_MODEL',
      `${basename(root)} has no files left after exclusions`,
    );
  }
  files.sort((a, b) => comparePaths(a.rel, b.rel));
  return { root, single: false, files, ignorePaths, followedCacheLinks };
}
