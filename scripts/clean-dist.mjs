// Every build starts from an empty output folder: a module whose source was renamed or deleted
// must not linger there and end up in the published tarball (`files` ships dist/ whole), or keep
// running as a test (scripts/run-tests.mjs runs every compiled test under build/).
// Usage: node scripts/clean-dist.mjs [FOLDER ...]   (default: dist)
import { rmSync } from 'node:fs';

const folders = process.argv.slice(2);
for (const folder of folders.length > 0 ? folders : ['dist']) {
  if (folder !== 'dist' && folder !== 'build') throw new Error(`refusing to remove ${folder}`);
  rmSync(new URL(`../${folder}`, import.meta.url), { recursive: true, force: true });
}
