import { spawn } from 'node:child_process';
import { chownSync, createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SandboxError } from './errors.js';
import type { SandboxHost, SandboxLimits, SandboxNet, SandboxOptions } from './options.js';
import { checkInputs, checkOutput, checkReachable } from './paths.js';
import { buildPlan, LAUNCHER_SHELL, SANDBOX_ROOT_UID } from './plan.js';
import { checkBubblewrap, checkStrace } from './preflight.js';
import {
  compileSeccompFilter,
  SECCOMP_DENYLIST,
  seccompArchFor,
  SYSCALL_NUMBERS,
} from './seccomp.js';
import { checkSensitiveInputs, findingPlace, type SensitiveCheck } from './sensitive.js';
import { straceArgs, TraceCollector, type TraceSummary } from './trace.js';

/** A limit the run reached, with the sentence the report prints. */
export interface LimitHit {
  readonly limit: 'timeout' | 'cpu' | 'memory' | 'processes' | 'file-size' | 'killed';
  readonly message: string;
}

/** What ran, how it was confined and how it ended (the `--format json` report). */
export interface SandboxReport {
  readonly version: 1;
  /** The command as given and as resolved inside. */
  readonly command: readonly string[];
  readonly resolved: readonly string[];
  readonly sandbox: {
    readonly net: SandboxNet;
    readonly limits: SandboxLimits;
    readonly inputs: readonly string[];
    readonly output: string | null;
    readonly hidden: readonly string[];
    readonly env: readonly string[];
    readonly cwd: string;
    readonly uid: number | null;
    readonly seccomp: { readonly arch: string; readonly denied: readonly string[] };
  };
  readonly sensitive: (SensitiveCheck & { readonly checked: boolean }) | null;
  /** exited: the command ended by itself; signaled: by a signal (a limit, or itself); timeout. */
  readonly status: 'exited' | 'signaled' | 'timeout';
  /** The command's exit status (128 + N after signal N), 124 after the timeout. */
  readonly exitCode: number;
  readonly signal: string | null;
  readonly durationMs: number;
  readonly limitsHit: readonly LimitHit[];
  readonly trace: TraceSummary | null;
}

/** Where the command's own output goes. */
export interface SandboxStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * Runs `options.command` under bubblewrap (see buildPlan for the isolation) and returns the
 * report. Every check happens before anything runs: inputs and output, the sensitive-data check,
 * bubblewrap (and strace for --trace) proven to work. Throws SandboxError for a refusal; the
 * command then never ran, sandboxed or not.
 */
export async function runSandbox(
  options: SandboxOptions,
  host: SandboxHost,
  streams: SandboxStreams,
): Promise<SandboxReport> {
  const arch = seccompArchFor(process.arch);
  if (arch === undefined) {
    throw new SandboxError(
      'UNAVAILABLE',
      `no seccomp syscall table for ${process.arch}; torchward sandbox runs on x86_64 and aarch64 only`,
    );
  }
  const home = host.env.HOME;
  const inputs = checkInputs(options.inputs, home);
  const output =
    options.output === undefined ? undefined : checkOutput(options.output, inputs, home);
  let sensitive: SandboxReport['sensitive'] = null;
  if (inputs.length > 0) {
    if (options.allowSensitive) sensitive = { checked: false, findings: [], files: 0, bytes: 0 };
    else {
      const check = await checkSensitiveInputs(inputs);
      sensitive = { checked: true, ...check };
      if (check.findings.length > 0) {
        const list = check.findings
          .slice(0, 10)
          .map((f) => `  ${f.path} (${findingPlace(f)}): ${f.kind}`)
          .join('\n');
        throw new SandboxError(
          'SENSITIVE_INPUT',
          `refusing to give the command inputs that hold secrets or personal data (the policy: do not feed sensitive data to an untrusted model, even in a sandbox):\n${list}\nRemove them, or pass --allow-sensitive to take that risk.`,
        );
      }
    }
  }
  const isRoot = process.getuid?.() === 0;
  checkBubblewrap(host.bwrap, isRoot);
  if (options.trace) checkStrace(host.strace);
  if (output !== undefined) prepareOutput(output, isRoot);
  const plan = buildPlan(options, inputs, output, host, isRoot, 3);
  if (isRoot) {
    for (const input of inputs) checkReachable(input.real, 'input', SANDBOX_ROOT_UID, plan.hidden);
    if (output !== undefined) checkReachable(output, 'output', SANDBOX_ROOT_UID, plan.hidden);
  }
  const program = compileSeccompFilter({ arch, net: options.net });

  let traceDir: string | undefined;
  let file = host.bwrap;
  let args = [...plan.bwrapArgs];
  if (options.trace) {
    traceDir = mkdtempSync(join(tmpdir(), 'torchward-trace-'));
    // setpriv --pdeathsig: if torchward dies, strace dies, and bwrap (--die-with-parent) with it.
    file = SETPRIV;
    args = [
      '--pdeathsig',
      'KILL',
      '--',
      host.strace,
      ...straceArgs(arch, join(traceDir, 'trace.txt')),
      '--',
      host.bwrap,
      ...args,
    ];
  }
  const started = Date.now();
  try {
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    const [, out, err, seccompPipe, startedPipe] = child.stdio as unknown as [
      null,
      Readable,
      Readable,
      Writable,
      Readable,
    ];
    const state = { timedOut: false, started: false };
    startedPipe.once('data', () => {
      state.started = true;
    });
    startedPipe.on('error', () => undefined);
    seccompPipe.on('error', () => undefined);
    seccompPipe.end(program);
    out.pipe(streams.stdout, { end: false });
    err.pipe(streams.stderr, { end: false });
    const timer = setTimeout(() => {
      state.timedOut = true;
      child.kill('SIGKILL');
    }, options.limits.timeoutSeconds * 1000);
    const closed = new Promise<void>((resolveClose) => {
      child.once('close', () => {
        resolveClose();
      });
    });
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolveEnd, rejectEnd) => {
        child.once('error', rejectEnd);
        child.once('exit', (code, signal) => {
          resolveEnd({ code, signal });
        });
      },
    ).finally(() => {
      clearTimeout(timer);
    });
    await drain(closed, out, err, startedPipe);
    const durationMs = Date.now() - started;
    if (!state.started && !state.timedOut) {
      throw new SandboxError(
        'UNAVAILABLE',
        `bubblewrap could not build the sandbox (exit status ${String(ended.code ?? ended.signal)}; its message is above). The command did not run.`,
      );
    }
    const trace =
      traceDir === undefined
        ? null
        : await readTrace(join(traceDir, 'trace.txt'), {
            inputs: inputs.map((i) => i.real),
            output,
            home,
            launcher: LAUNCHER_SHELL,
          });
    let exitCode: number;
    let signal: string | null = null;
    const timedOut = state.timedOut;
    if (timedOut) exitCode = 124;
    else if (ended.signal !== null) {
      signal = ended.signal;
      exitCode = 128 + constants.signals[ended.signal];
    } else {
      exitCode = ended.code ?? 255;
      if (exitCode > 128 && exitCode < 128 + 65) signal = signalName(exitCode - 128);
    }
    return {
      version: 1,
      command: options.display ?? options.command,
      resolved: options.display ?? plan.command,
      sandbox: {
        net: options.net,
        limits: options.limits,
        inputs: inputs.map((i) => i.real),
        output: output ?? null,
        hidden: plan.hidden,
        env: plan.envNames,
        cwd: plan.cwd,
        uid: plan.runAsUid ?? null,
        seccomp: {
          arch,
          denied: SECCOMP_DENYLIST.map((d) => d.name).filter(
            (n) => SYSCALL_NUMBERS[arch][n] !== undefined,
          ),
        },
      },
      sensitive,
      status: timedOut ? 'timeout' : signal === null ? 'exited' : 'signaled',
      exitCode,
      signal,
      durationMs,
      limitsHit: limitsHit(options.limits, timedOut, signal, trace),
      trace,
    };
  } finally {
    if (traceDir !== undefined) rmSync(traceDir, { recursive: true, force: true });
  }
}

function signalName(n: number): string | null {
  for (const [name, value] of Object.entries(constants.signals)) if (value === n) return name;
  return null;
}

// The command's output pipes close when the last process holding them dies; bubblewrap's PID
// namespace ends every process with it, so this waits a moment at most (the guard is for a
// process that escaped the namespace, which would be a bug worth not hanging on).
async function drain(closed: Promise<void>, ...pipes: Readable[]): Promise<void> {
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolveGuard) => {
      guard = setTimeout(resolveGuard, 5000);
    }),
  ]);
  clearTimeout(guard);
  for (const pipe of pipes) pipe.destroy();
}

async function readTrace(
  path: string,
  scope: ConstructorParameters<typeof TraceCollector>[0],
): Promise<TraceSummary> {
  const collector = new TraceCollector(scope);
  try {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) collector.push(line);
  } catch {
    // No trace file: strace never started; the summary stays empty and the report says so.
  }
  return collector.summary();
}

function limitsHit(
  limits: SandboxLimits,
  timedOut: boolean,
  signal: string | null,
  trace: TraceSummary | null,
): LimitHit[] {
  const hits: LimitHit[] = [];
  if (timedOut) {
    hits.push({
      limit: 'timeout',
      message: `killed after the ${limits.timeoutSeconds} s timeout (every process in the sandbox ended with it)`,
    });
  }
  if (signal === 'SIGXCPU') {
    hits.push({
      limit: 'cpu',
      message: `a process used its ${limits.cpuSeconds} s of CPU time (SIGXCPU)`,
    });
  } else if (signal === 'SIGXFSZ') {
    hits.push({
      limit: 'file-size',
      message: `a process wrote past the ${limits.fileSizeBytes}-byte file size limit (SIGXFSZ)`,
    });
  } else if (signal === 'SIGKILL' && !timedOut) {
    hits.push({
      limit: 'killed',
      message: 'killed by SIGKILL: the hard CPU time limit or the kernel out-of-memory killer',
    });
  }
  if (trace !== null && trace.memoryFailures > 0) {
    hits.push({
      limit: 'memory',
      message: `${trace.memoryFailures} allocation(s) refused at the ${limits.memoryBytes}-byte memory limit (ENOMEM)`,
    });
  }
  if (trace !== null && trace.processFailures > 0) {
    hits.push({
      limit: 'processes',
      message: `${trace.processFailures} process or thread creation(s) refused at the limit of ${limits.processes} (EAGAIN)`,
    });
  }
  return hits;
}

// The output directory exists before bubblewrap binds it. A root caller's command runs as uid
// 65534, so a directory torchward creates is handed to that user; an existing one must already
// be writable by it (checkReachable; torchward never changes the owner of a directory it did not
// create).
function prepareOutput(output: string, isRoot: boolean): void {
  let created = false;
  try {
    statSync(output);
  } catch {
    mkdirSync(output, { recursive: true, mode: 0o755 });
    created = true;
  }
  if (isRoot && created) chownSync(output, SANDBOX_ROOT_UID, SANDBOX_ROOT_UID);
}
