import { readFileSync } from 'node:fs';

let cachedVersion: string | undefined;

/** The package version, from the nearest package.json above this module (dist/ or build/src/). */
export function toolVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'torchward' && typeof pkg.version === 'string') {
        cachedVersion = pkg.version;
        return pkg.version;
      }
    } catch {
      // not at this level; try the next one up
    }
  }
  return '0.0.0';
}
