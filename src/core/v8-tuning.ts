// V8 settings for a short command-line run, set by the CLI's entry points (src/cli/bin.ts before
// it compiles the bundle, src/cli/main.ts) and inherited by every worker thread (V8's flags are
// the process's). V8 is tuned for long-lived processes: a function is handed to its optimising
// compiler (TurboFan, on background threads) after a small amount of work, and for a scan that
// lasts a fraction of a second most of that compilation finishes too late to pay for itself.
// Profiled on 500 small checkpoints, TurboFan took about a third of the whole process's CPU
// (docs/benchmarks.md, "Small files"). A larger interrupt budget (how much bytecode a function
// runs before V8 considers optimising it) lets short runs finish in the interpreter and baseline
// code while long ones still optimise what stays hot, only a little later.
import { setFlagsFromString } from 'node:v8';

/** Interrupt budget for the CLI (V8's default is 66 KiB of bytecode). */
export const CLI_INTERRUPT_BUDGET = 1_000_000;

/**
 * Sets the CLI's V8 flags, unless the user gave Node an `--interrupt-budget` of their own (or
 * `TORCHWARD_V8_TUNING=0` asks for V8's defaults). Call before the code that should run under
 * them is compiled: the flags are part of the key V8 checks a code cache against, so every run
 * must set them at the same point (src/core/code-cache.ts).
 */
export function tuneV8ForCli(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.TORCHWARD_V8_TUNING === '0') return false;
  if (execArgv.some((a) => /^--interrupt[-_]budget(?:=|$)/.test(a))) return false;
  setFlagsFromString(`--interrupt-budget=${String(CLI_INTERRUPT_BUDGET)}`);
  return true;
}
