import { sep } from 'node:path';

/** A repository folder's name in the Hugging Face cache: `models--OWNER--NAME` and kin. */
const REPO_FOLDER = /^(models|datasets|spaces)--(.+)$/;

/** Where a path lies in a Hugging Face hub cache (`HF_HUB_CACHE`). */
export interface HfCachePlace {
  /** The repository folder (`…/models--OWNER--NAME`) that holds `blobs/`, `refs/`, `snapshots/`. */
  readonly repoFolder: string;
  /** `model`, `dataset` or `space`. */
  readonly repoType: 'model' | 'dataset' | 'space';
  /** `OWNER/NAME` (or `NAME` for a legacy repository without owner). */
  readonly repoId: string;
  /** The snapshot folder's name (a commit hash), when the path is inside one. */
  readonly revision?: string;
  /** The path inside the snapshot, '/'-separated ('' for the snapshot itself). */
  readonly file?: string;
}

/**
 * Reads the cache layout out of an absolute, resolved path: `…/models--OWNER--NAME/snapshots/
 * <commit>/<file>`. Returns undefined for a path outside any cache repository folder. Only the
 * names are read; whether the folder really is a cache is the caller's business.
 */
export function hfCachePlace(absPath: string): HfCachePlace | undefined {
  const parts = absPath.split(sep);
  // The innermost repository folder wins: a cache inside a cache is its own cache.
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = REPO_FOLDER.exec(parts[i] ?? '');
    if (m === null) continue;
    const kind = m[1] as 'models' | 'datasets' | 'spaces';
    const repoType = kind === 'models' ? 'model' : kind === 'datasets' ? 'dataset' : 'space';
    const repoId = (m[2] ?? '').split('--').join('/');
    const repoFolder = parts.slice(0, i + 1).join(sep);
    if (parts[i + 1] !== 'snapshots' || parts[i + 2] === undefined || parts[i + 2] === '') {
      return { repoFolder, repoType, repoId };
    }
    return {
      repoFolder,
      repoType,
      repoId,
      revision: parts[i + 2] ?? '',
      file: parts.slice(i + 3).join('/'),
    };
  }
  return undefined;
}

/** True when `path` is `root` or lies below it (both absolute and resolved). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The folder a symbolic link found under `scannedReal` may lead into and still be followed:
 * the Hugging Face cache repository folder when the scanned folder is a snapshot (or inside one),
 * whose files are links into the repository's `blobs/`; otherwise the scanned folder itself.
 */
export function linkContainment(scannedReal: string): string {
  const place = hfCachePlace(scannedReal);
  return place?.revision === undefined ? scannedReal : place.repoFolder;
}
