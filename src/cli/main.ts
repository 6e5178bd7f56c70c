#!/usr/bin/env node
import { EXIT } from './io.js';
import { main } from './run.js';
import { tuneV8ForCli } from '../core/v8-tuning.js';

// The bin (src/cli/bin.ts) has set these already; run directly, this entry sets them here.
tuneV8ForCli();

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`torchward: internal error: ${String(error)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
