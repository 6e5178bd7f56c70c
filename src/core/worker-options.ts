import { Worker } from 'node:worker_threads';

/**
 * Starts one of torchward's worker threads from `script`.
 *
 * A worker normally inherits the process's `execArgv`, and Node then ignores the options a thread
 * cannot have (V8 heap and GC flags, `--title`), so `node --max-semi-space-size=32 torchward ...`
 * works. One inherited flag breaks a worker, though: `--input-type` (allowed only for `--eval` or
 * stdin) makes Node refuse an ES-module worker file, so a library caller running under
 * `node --input-type=module -e` would see every threaded read fail. Only then is `execArgv` given
 * explicitly, without that flag; and because Node validates an explicit list (a V8 flag in it is
 * ERR_WORKER_INVALID_EXEC_ARGV), a list it refuses is replaced by none at all.
 */
export function startWorker(script: string | URL): Worker {
  const args = process.execArgv;
  if (!args.some((arg) => arg === '--input-type' || arg.startsWith('--input-type='))) {
    return new Worker(script);
  }
  const execArgv: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--input-type') {
      i += 1; // its value is the next argument
      continue;
    }
    if (arg.startsWith('--input-type=')) continue;
    execArgv.push(arg);
  }
  try {
    return new Worker(script, { execArgv });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(script, { execArgv: [] });
  }
}
