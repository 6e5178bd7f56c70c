// Every build starts from an empty dist/: a module whose source was renamed or deleted must not
// linger there and end up in the published tarball (`files` ships dist/ whole).
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
