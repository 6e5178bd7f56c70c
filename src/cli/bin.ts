#!/usr/bin/env node
// The installed `torchward` bin (dist/bundle/torchward.js, built from this file by
// scripts/build-cli.mjs): runs the CommonJS bundle of the CLI beside it (torchward-cli.js)
// through a V8 code cache (src/core/code-cache.ts), one cache slot for `scan` and one for the
// other commands, each written at the end of the run that found none.
import { fileURLToPath } from 'node:url';
import { runCachedBundle } from '../core/code-cache.js';
import { tuneV8ForCli } from '../core/v8-tuning.js';

/** The bundle's hash, set by the build (scripts/build-cli.mjs). */
declare const TORCHWARD_BUNDLE_HASH: string;

// Before the bundle is compiled: V8 checks a code cache against the flags in force (see there).
tuneV8ForCli();
const run = runCachedBundle({
  file: fileURLToPath(new URL('./torchward-cli.js', import.meta.url)),
  buildHash: TORCHWARD_BUNDLE_HASH,
  slot: process.argv[2] === 'scan' ? 'cli-scan' : 'cli',
  importModule: (specifier) => import(specifier),
});
process.on('exit', () => {
  run.save();
});
