import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SandboxError } from '../../sandbox/errors.js';
import { sandboxLoad, type SandboxLoadReport } from '../../sandbox/load.js';
import {
  DEFAULT_SANDBOX_LIMITS,
  parseSize,
  type SandboxHost,
  type SandboxLimits,
} from '../../sandbox/options.js';
import { renderSandboxJson, renderSandboxText } from '../../sandbox/report.js';
import { runSandbox } from '../../sandbox/run.js';
import type { CliIo, Command } from '../io.js';
import { checkFormat, EXIT, UsageError } from '../io.js';

const USAGE = `Usage: torchward sandbox [options] -- COMMAND [ARGS...]
       torchward sandbox load CHECKPOINT -o OUT.safetensors [options]

Runs an untrusted command (a model, a loader, trust_remote_code) under bubblewrap: read-only root,
private /tmp and empty home (no ~/.ssh, ~/.aws or Hugging Face token), no network, new PID, IPC,
UTS, network and user namespaces, no capabilities, a seccomp filter, resource limits and a
scrubbed environment. Only --output is writable; --input paths are mounted read-only and first
checked for secrets. 'load' runs torch.load(weights_only=False) on CHECKPOINT inside the sandbox
and writes its tensors to OUT as safetensors, validated by torchward before it is kept.
See docs/sandbox.md.

Options:
      --input PATH        mount PATH read-only (repeatable; files or directories)
      --output DIR        the one writable directory (created if missing)
      --net none|loopback no network at all (default), or a private loopback interface
      --env NAME[=VALUE]  pass one environment variable (repeatable; the rest is scrubbed)
      --memory SIZE       address space per process (default 8G)
      --cpu-time S        CPU seconds per process (default 600)
      --timeout S         wall-clock seconds for the whole run (default 900)
      --processes N       processes and threads (default 256)
      --file-size SIZE    largest file the command may write (default 16G)
      --trace             record network, file and denied-syscall attempts with strace
      --allow-sensitive   run even if an input holds a key, token or personal data
      --format text|json  the report's format (default text)
  -o, --output OUT        (load) the safetensors file to write
      --force             (load) replace OUT if it exists
  -h, --help              show this help

The command's output goes to stdout and stderr as usual (to stderr with --format json); the report
goes to stderr (text) or stdout (json). 'load' writes the command's output to stderr and the
report to stdout.

Exit codes: the command's own exit status; 124 timed out; 125 refused before running (bubblewrap
missing or failing, no namespaces, bad input or output, an input with secrets); 126 command not
executable; 127 command not found; 128+N killed by signal N (152 CPU limit, 153 file size limit,
137 SIGKILL). 'load': 0 written and validated, 1 the load failed or its file was refused, 124, 125
as above. 2: usage error (nothing ran).
`;

const REFUSED = 125;

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary:
    'Run an untrusted command or torch.load in a bubblewrap sandbox and report what it tried',
  async run(argv, io) {
    const split = argv.indexOf('--');
    const own = split < 0 ? [...argv] : argv.slice(0, split);
    const command = split < 0 ? [] : argv.slice(split + 1);
    const { values, positionals } = parseArgs({
      args: own,
      allowPositionals: true,
      strict: true,
      options: {
        input: { type: 'string', multiple: true, default: [] },
        output: { type: 'string', short: 'o' },
        net: { type: 'string', default: 'none' },
        env: { type: 'string', multiple: true, default: [] },
        memory: { type: 'string' },
        'cpu-time': { type: 'string' },
        timeout: { type: 'string' },
        processes: { type: 'string' },
        'file-size': { type: 'string' },
        trace: { type: 'boolean', default: false },
        'allow-sensitive': { type: 'boolean', default: false },
        format: { type: 'string', default: 'text' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json'] as const);
    const limits = parseLimits(values);
    const host: SandboxHost = {
      cwd: io.cwd,
      env: io.env,
      bwrap: io.env.TORCHWARD_BWRAP ?? '/usr/bin/bwrap',
      strace: io.env.TORCHWARD_STRACE ?? '/usr/bin/strace',
    };
    if (positionals[0] === 'load') {
      if (command.length > 0) throw new UsageError("'load' takes no command after --");
      if (positionals.length !== 2 || positionals[1] === undefined) {
        throw new UsageError("'load' takes exactly one CHECKPOINT");
      }
      if (values.output === undefined || values.output === '') {
        throw new UsageError("'load' needs -o OUT.safetensors");
      }
      if (values.input.length > 0 || values.env.length > 0 || values.net !== 'none') {
        throw new UsageError("'load' takes no --input, --env or --net (it runs with no network)");
      }
      return load(
        resolve(io.cwd, positionals[1]),
        resolve(io.cwd, values.output),
        values.force,
        limits,
        values.trace,
        values['allow-sensitive'],
        format,
        host,
        io,
      );
    }
    if (positionals.length > 0) {
      throw new UsageError(`put the command after '--' (got '${positionals[0] ?? ''}')`);
    }
    if (command.length === 0 || command[0] === '') throw new UsageError('missing command after --');
    if (values.net !== 'none' && values.net !== 'loopback') {
      throw new UsageError(`--net must be none or loopback, not '${values.net}'`);
    }
    if (values.force) throw new UsageError('--force is for load only');
    for (const entry of values.env) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*(?:=|$)/.test(entry)) {
        throw new UsageError(`--env takes NAME or NAME=VALUE, not '${entry}'`);
      }
    }
    try {
      const report = await runSandbox(
        {
          command,
          inputs: values.input.map((p) => resolve(io.cwd, p)),
          output: values.output === undefined ? undefined : resolve(io.cwd, values.output),
          net: values.net,
          limits,
          env: values.env,
          trace: values.trace,
          allowSensitive: values['allow-sensitive'],
        },
        host,
        format === 'json'
          ? { stdout: io.stderr, stderr: io.stderr }
          : { stdout: io.stdout, stderr: io.stderr },
      );
      if (format === 'json') io.stdout.write(renderSandboxJson(report));
      else io.stderr.write(renderSandboxText(report));
      return report.exitCode;
    } catch (error) {
      return refusal(error, io, format);
    }
  },
};

async function load(
  checkpoint: string,
  output: string,
  force: boolean,
  limits: SandboxLimits,
  trace: boolean,
  allowSensitive: boolean,
  format: 'text' | 'json',
  host: SandboxHost,
  io: CliIo,
): Promise<number> {
  let report: SandboxLoadReport;
  try {
    report = await sandboxLoad({ checkpoint, output, force, limits, trace, allowSensitive }, host, {
      stdout: io.stderr,
      stderr: io.stderr,
    });
  } catch (error) {
    return refusal(error, io, format);
  }
  const v = report.validation;
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ ...report.run, load: v }, null, 2)}\n`);
  } else {
    io.stdout.write(renderSandboxText(report.run));
    io.stdout.write(
      v.ok
        ? `  load: wrote ${v.output}: ${v.tensors} tensor(s), ${v.bytes} bytes, validated as safe safetensors\n`
        : `  load: failed: ${v.reason ?? ''}; nothing written to ${v.output}\n`,
    );
  }
  if (v.ok) return EXIT.OK;
  return report.run.exitCode === 124 ? 124 : EXIT.FINDINGS;
}

function refusal(error: unknown, io: CliIo, format: 'text' | 'json'): number {
  if (!(error instanceof SandboxError)) throw error;
  io.stderr.write(`torchward sandbox: ${error.message}\n`);
  io.stderr.write('torchward sandbox: nothing was run\n');
  if (format === 'json') {
    const refused = { code: error.code, message: error.message };
    io.stdout.write(`${JSON.stringify({ version: 1, refused }, null, 2)}\n`);
  }
  if (error.code === 'COMMAND_NOT_FOUND') return 127;
  if (error.code === 'NOT_EXECUTABLE') return 126;
  return REFUSED;
}

function parseLimits(values: {
  memory?: string | undefined;
  'cpu-time'?: string | undefined;
  timeout?: string | undefined;
  processes?: string | undefined;
  'file-size'?: string | undefined;
}): SandboxLimits {
  const size = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = parseSize(text);
    if (n === undefined)
      throw new UsageError(`${flag} takes a size such as 4G or 512M, not '${text}'`);
    return n;
  };
  const count = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d{1,9}$/.test(text) || Number(text) === 0) {
      throw new UsageError(`${flag} takes a positive whole number, not '${text}'`);
    }
    return Number(text);
  };
  const d = DEFAULT_SANDBOX_LIMITS;
  return {
    memoryBytes: size('--memory', values.memory, d.memoryBytes),
    cpuSeconds: count('--cpu-time', values['cpu-time'], d.cpuSeconds),
    timeoutSeconds: count('--timeout', values.timeout, d.timeoutSeconds),
    processes: count('--processes', values.processes, d.processes),
    fileSizeBytes: size('--file-size', values['file-size'], d.fileSizeBytes),
  };
}
