// The scan worker thread of the bundled CLI (dist/bundle/scan-worker.js, built from this file by
// scripts/build-cli.mjs): runs the CommonJS bundle of src/engine/scan-worker.ts beside it
// (scan-worker-bundle.js) through a V8 code cache (src/core/code-cache.ts). A thread that found
// no usable cache writes one once it has scanned SAVE_AFTER_JOBS files, when the functions a scan
// runs have been compiled (the pool terminates its threads at the end, so there is no later
// moment to wait for).
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { runCachedBundle } from '../core/code-cache.js';

/** The bundle's hash, set by the build (scripts/build-cli.mjs). */
declare const TORCHWARD_BUNDLE_HASH: string;

/** Jobs taken before the cache is written. */
const SAVE_AFTER_JOBS = 16;

const run = runCachedBundle({
  file: fileURLToPath(new URL('./scan-worker-bundle.js', import.meta.url)),
  buildHash: TORCHWARD_BUNDLE_HASH,
  slot: 'scan-worker',
  importModule: (specifier) => import(specifier),
});
if (run.cache !== 'accepted' && run.cache !== 'off') {
  let jobs = 0;
  parentPort?.on('message', () => {
    if (++jobs === SAVE_AFTER_JOBS) {
      setImmediate(() => {
        run.save();
      });
    }
  });
}
