import { readFileSync } from 'node:fs';

/** What torchward reads from its own package.json. */
export interface PackageInfo {
  /** The package's root directory (where package.json, docs/ and dist/ are), as a file URL. */
  readonly root: URL;
  readonly version: string;
  /** `repository` (a string or `{ url }`), as written. */
  readonly repository?: string;
  readonly homepage?: string;
}

let cached: PackageInfo | null | undefined;

/**
 * torchward's own package.json, found above this module (dist/engine/ or build/src/engine/);
 * undefined when it cannot be read.
 */
export function packageInfo(): PackageInfo | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  for (const up of ['../../', '../../../']) {
    const root = new URL(up, import.meta.url);
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
        name?: unknown;
        version?: unknown;
        repository?: unknown;
        homepage?: unknown;
      };
      if (pkg.name !== 'torchward' || typeof pkg.version !== 'string') continue;
      const repo = pkg.repository;
      const repository =
        typeof repo === 'string'
          ? repo
          : typeof repo === 'object' &&
              repo !== null &&
              'url' in repo &&
              typeof repo.url === 'string'
            ? repo.url
            : undefined;
      cached = {
        root,
        version: pkg.version,
        ...(repository === undefined ? {} : { repository }),
        ...(typeof pkg.homepage === 'string' ? { homepage: pkg.homepage } : {}),
      };
      break;
    } catch {
      // not at this level; try the next one up
    }
  }
  return cached ?? undefined;
}

/** The package version, from the nearest package.json above this module (dist/ or build/src/). */
export function toolVersion(): string {
  return packageInfo()?.version ?? '0.0.0';
}
