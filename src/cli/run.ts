import { readFileSync } from 'node:fs';
import type { CliIo, Command } from './io.js';
import { EXIT, UsageError } from './io.js';
import { scanCommand } from './commands/scan.js';
import { hashCommand } from './commands/hash.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';
import { convertCommand } from './commands/convert.js';
import { inspectCommand } from './commands/inspect.js';

// Every subcommand, listed by hand in the order `--help` shows them.
const COMMANDS: readonly Command[] = [
  scanCommand,
  inspectCommand,
  convertCommand,
  hashCommand,
  signCommand,
  verifyCommand,
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

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
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`torchward: unknown command '${name}'\n\n${help()}`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr.write(`torchward ${name}: ${(error as Error).message}\n`);
      io.stderr.write(`Run 'torchward ${name} --help' for usage.\n`);
      return EXIT.USAGE;
    }
    io.stderr.write(
      `torchward ${name}: internal error: ${String((error as Error).stack ?? error)}\n`,
    );
    return EXIT.INTERNAL;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
