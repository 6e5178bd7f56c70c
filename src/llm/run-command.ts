import { spawn } from 'node:child_process';
import type { RequestBudget } from './budget.js';
import { LlmError } from './errors.js';
import { parseJsonReply } from './http-json.js';

/** How `runCommand` bounds one exchange with a local model program. */
export interface RunCommandOptions {
  readonly budget: RequestBudget;
  readonly timeoutMs: number;
  /** Bytes of stdout kept; more kills the program (default 64 MiB). */
  readonly maxResponseBytes?: number;
}

/**
 * Runs a local model program: `argv` without a shell, `body` as JSON on stdin, and the JSON
 * reply read from stdout. Takes one request from the budget. The program is killed when it
 * outlives `timeoutMs` or writes more than `maxResponseBytes`; a non-zero exit, a kill or a
 * non-JSON reply is an `LlmError` (`command-failed`, `timeout`, `bad-reply`).
 */
export async function runCommand(
  argv: readonly string[],
  body: unknown,
  options: RunCommandOptions,
): Promise<unknown> {
  options.budget.take();
  const [command, ...args] = argv;
  if (command === undefined) throw new LlmError('command-failed', '--target-command is empty');
  const limit = options.maxResponseBytes ?? 64 * 1024 * 1024;
  return new Promise((resolvePromise, reject) => {
    // No shell: the argv runs as given, with the request on stdin and the reply on stdout.
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let err = '';
    let failed: LlmError | undefined;
    const timer = setTimeout(() => {
      failed = new LlmError('timeout', `${command} gave no reply within ${options.timeoutMs} ms`);
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failed = new LlmError('bad-reply', `${command} wrote more than ${limit} bytes`);
        child.kill('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 2000) err += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new LlmError('command-failed', `cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failed !== undefined) {
        reject(failed);
        return;
      }
      if (code !== 0) {
        reject(new LlmError('command-failed', `${command} exited ${String(code)}: ${err.trim()}`));
        return;
      }
      try {
        resolvePromise(parseJsonReply(Buffer.concat(out).toString('utf8')));
      } catch (error) {
        reject(error instanceof Error ? error : new LlmError('bad-reply', String(error)));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(body));
  });
}
