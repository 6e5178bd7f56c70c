import type { WorkerOptions } from 'node:worker_threads';

/**
 * Options for the worker threads torchward starts. A worker inherits the process's `execArgv`, and
 * Node refuses to start a worker from a file when that holds `--input-type` (allowed only for
 * `--eval` or stdin), so a library caller running under `node --input-type=module -e` would see
 * every threaded read fail. That flag (with its value) is left out; everything else is kept.
 */
export function workerOptions(): WorkerOptions {
  const execArgv: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--input-type') {
      i += 1; // its value is the next argument
      continue;
    }
    if (arg.startsWith('--input-type=')) continue;
    execArgv.push(arg);
  }
  return { execArgv };
}
