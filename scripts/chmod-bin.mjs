// tsc writes dist/cli/main.js without the executable bit; the `torchward` bin (run by npx, or by a
// shell through node_modules/.bin) needs it on every build, not only when npm happens to fix it.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
