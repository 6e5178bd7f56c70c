#!/usr/bin/env node
import { EXIT } from './io.js';
import { main } from './run.js';

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
