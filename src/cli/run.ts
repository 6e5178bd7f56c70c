import { writeFile } from 'node:fs/promises';
import { toolVersion as version } from '../engine/version.js';
import { closest } from '../core/closest.js';
import { checkOutputPath, optionsInUsage, usageErrorFromParse } from './args.js';
import type { CliIo, Command } from './io.js';
import { EXIT, UsageError } from './io.js';

/** A subcommand as `--help` lists it; its module (and its dependencies) load only when run. */
interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
  /**
   * The command handles its own `-o` (convert and sandbox load: the safetensors file; canary: the
   * canary file or dataset; memorization and redteam: the report, next to --html), so the report
   * option `-o/--output FILE` that every other command shares is not taken out of its argv.
   */
  readonly ownsOutputFlag?: true;
}

// Every subcommand, listed by hand in the order `--help` shows them. Loading lazily keeps
// `torchward verify` from paying for the scanner's decoders, and `--help` from paying for any.
const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'scan',
    summary: 'Scan model artifacts and CI workflows (default-deny)',
    load: async () => (await import('./commands/scan.js')).scanCommand,
  },
  {
    name: 'probe',
    summary: 'Probe hosts for exposed torch.distributed stores and ML services (read-only)',
    load: async () => (await import('./commands/probe.js')).probeCommand,
  },
  {
    name: 'canary',
    summary: 'Generate exposure canaries and insert them into training data (JSONL/CSV/text)',
    load: async () => (await import('./commands/canary.js')).canaryCommand,
    ownsOutputFlag: true,
  },
  {
    name: 'memorization',
    summary:
      'Measure training-data leakage: canary exposure and membership inference via log-probs',
    load: async () => (await import('./commands/memorization.js')).memorizationCommand,
    ownsOutputFlag: true,
  },
  {
    name: 'redteam',
    summary: 'Fuzz a served model with prompt-injection attacks scored by canaries',
    load: async () => (await import('./commands/redteam.js')).redteamCommand,
    ownsOutputFlag: true,
  },
  {
    name: 'inspect',
    summary: 'List the tensors of a safe checkpoint (dtype, shape, bytes, shared storage)',
    load: async () => (await import('./commands/inspect.js')).inspectCommand,
  },
  {
    name: 'convert',
    summary:
      'Convert a safe checkpoint or model folder to safetensors (pure TypeScript, weights only)',
    load: async () => (await import('./commands/convert.js')).convertCommand,
    ownsOutputFlag: true,
  },
  {
    name: 'hash',
    summary: 'Per-file SHA-256 of a model (sha256sum/JSON); --check against lists or LFS pointers',
    load: async () => (await import('./commands/hash.js')).hashCommand,
  },
  {
    name: 'sign',
    summary: 'Sign a model as an OpenSSF Model Signing (OMS v1.0) bundle with an EC key or PKI',
    load: async () => (await import('./commands/sign.js')).signCommand,
  },
  {
    name: 'repo',
    summary: "Audit a GitHub repository's settings (`repo audit OWNER/REPO`)",
    load: async () => (await import('./commands/repo.js')).repoCommand,
  },
  {
    name: 'merge-check',
    summary: 'Check a pull request against path-based merge rules (merge_rules.yaml); --lint them',
    load: async () => (await import('./commands/merge-check.js')).mergeCheckCommand,
  },
  {
    name: 'verify',
    summary: 'Verify an OpenSSF Model Signing (OMS) signature offline (key, PKI or Sigstore)',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'sandbox',
    summary:
      'Run an untrusted command or torch.load in a bubblewrap sandbox and report what it tried',
    load: async () => (await import('./commands/sandbox.js')).sandboxCommand,
    ownsOutputFlag: true,
  },
  {
    name: 'rules',
    summary: 'List every rule: id, severity, summary, docs page and zizmor equivalents',
    load: async () => (await import('./commands/rules.js')).rulesCommand,
  },
  {
    name: 'serve',
    summary: 'Run the scanning service: HTTP API, web page, in-process or Redis queue',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'worker',
    summary: 'Scan queued artifacts from Redis (BullMQ); run any number of them',
    load: async () => (await import('./commands/worker.js')).workerCommand,
  },
  {
    name: 'hub-scan',
    summary: 'Queue a list of artifacts (paths, URLs) for the workers; progress and summary',
    load: async () => (await import('./commands/hub-scan.js')).hubScanCommand,
  },
  {
    name: 'redact',
    summary:
      'Write a redacted copy of a JSONL, CSV/TSV or text file (mask, keyed HMAC, placeholders)',
    load: async () => (await import('./commands/redact.js')).redactCommand,
    ownsOutputFlag: true,
  },
  {
    name: 'guard',
    summary: 'Sanitise untrusted prompts and score them for injection (text/JSONL; proxy)',
    load: async () => (await import('./commands/guard.js')).guardCommand,
  },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: torchward <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `torchward <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${version()}\n`);
    return EXIT.OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    const suggestion = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.stderr.write(
      `torchward: unknown command '${name}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}; see 'torchward --help'\n`,
    );
    return EXIT.USAGE;
  }
  let command: Command | undefined;
  try {
    command = await entry.load();
    const { output, args } = entry.ownsOutputFlag === true ? { args: rest } : takeOutput(rest);
    if (output === undefined) return await command.run(args, io);
    // The report goes to the file; the folder is checked before any work is done.
    const target = checkOutputPath(output, io.cwd);
    const chunks: string[] = [];
    const code = await command.run(args, { ...io, stdout: captureStream(chunks) });
    try {
      await writeFile(target, chunks.join(''));
    } catch (error) {
      throw new UsageError(
        `--output ${output}: cannot write: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    return code;
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      const usage =
        error instanceof UsageError
          ? error
          : usageErrorFromParse(
              error as Error,
              await knownOptions(command, entry.ownsOutputFlag === true),
            );
      // One line, no stack: what was wrong and where the usage is.
      io.stderr.write(`torchward ${name}: ${usage.message}; see 'torchward ${name} --help'\n`);
      return EXIT.USAGE;
    }
    io.stderr.write(
      `torchward ${name}: internal error: ${String((error as Error).stack ?? error)}\n`,
    );
    return EXIT.INTERNAL;
  }
}

/**
 * Takes the shared report option (`-o FILE`, `-oFILE`, `--output FILE`, `--output=FILE`) out of
 * a command's argv; options end at `--`. The last one given wins, as with parseArgs.
 */
function takeOutput(argv: readonly string[]): { output?: string; args: string[] } {
  const args: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (a === '-o' || a === '--output') {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${a} needs a file name`);
      output = value;
      i++;
    } else if (a.startsWith('--output=')) {
      output = a.slice('--output='.length);
    } else if (a.startsWith('-o') && !a.startsWith('--') && a.length > 2) {
      output = a.slice(2);
    } else {
      args.push(a);
    }
  }
  return output === undefined ? { args } : { output, args };
}

/** A stdout that collects what is written (never a terminal: no colour, no progress). */
function captureStream(chunks: string[]): CliIo['stdout'] {
  return {
    isTTY: false,
    write(chunk: string | Uint8Array): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  } as unknown as CliIo['stdout'];
}

/**
 * The options a command's --help lists, plus the shared -o/--output unless the command owns `-o`
 * (then its help says whether it takes one: suggesting `-o` for `-o` helps nobody).
 */
async function knownOptions(command: Command | undefined, ownsOutput: boolean): Promise<string[]> {
  if (command === undefined) return [];
  const chunks: string[] = [];
  const sink = captureStream(chunks);
  try {
    await command.run(['--help'], { stdout: sink, stderr: sink, env: {}, cwd: '.' });
  } catch {
    return [];
  }
  const listed = optionsInUsage(chunks.join(''));
  return ownsOutput ? listed : [...listed, '-o', '--output'];
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
