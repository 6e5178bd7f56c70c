import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertToSafetensors } from '../../loader/convert.js';
import { LoadError } from '../../loader/errors.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { describeRefusal } from './loader-refusal.js';

const USAGE = `Usage: torchward convert IN [-o OUT] [--force] [--format text|json]

Converts a PyTorch checkpoint (torch zip, legacy torch stream or tar, raw pickle, .npy/.npz
without objects, or safetensors) to safetensors, with no Python and no code execution. The file is
scanned first: only a checkpoint the scanner calls safe is converted; every tensor's offset,
sizes and strides are checked against its storage before a byte is copied.

Keys are the state-dict keys as they are; nested containers are joined with '.'. Non-tensor
values (epoch, lr, names) go into __metadata__ as JSON text. See docs/convert.md.

Options:
  -o, --output OUT        the safetensors file (default: IN with its extension replaced by
                          .safetensors); the one command whose -o is not the report
  -f, --format text|json  report format on stdout (default: text)
      --force             replace OUT if it exists (never the input itself)
  -h, --help              show this help

Exit codes: 0 converted, 1 refused (not safe, invalid storage, unsupported content),
2 usage error, 3 input unreadable or output not writable.
`;

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a safe checkpoint to safetensors (pure TypeScript, weights only)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean', default: false },
        format: { type: 'string', short: 'f', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json']);
    if (positionals.length !== 1 || positionals[0] === undefined) {
      throw new UsageError(
        positionals.length === 0 ? 'missing input file' : 'exactly one input file',
      );
    }
    const inArg = positionals[0];
    const outArg = values.output ?? defaultOutput(inArg);
    if (outArg === '') throw new UsageError('the output path is empty');
    const input = resolve(io.cwd, inArg);
    const output = resolve(io.cwd, outArg);
    // Findings name the file as the user did when the paths agree.
    const scanPath = input === resolve(inArg) ? inArg : input;
    if (sameFile(input, output)) throw new UsageError(`refusing to overwrite the input ${inArg}`);
    if (!values.force && exists(output)) {
      throw new UsageError(`${outArg} exists; pass --force to replace it`);
    }
    try {
      const result = await convertToSafetensors(scanPath, output, { force: values.force });
      if (format === 'json') {
        const report = {
          version: 1,
          input: inArg,
          output: outArg,
          tensors: result.tensors,
          metadata: result.metadata,
          bytes: result.bytes,
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return EXIT.OK;
      }
      io.stdout.write(
        `${outArg}: ${result.tensors} tensor${result.tensors === 1 ? '' : 's'}, ` +
          `${result.metadata} metadata entr${result.metadata === 1 ? 'y' : 'ies'}, ${result.bytes} bytes\n`,
      );
      return EXIT.OK;
    } catch (error) {
      return reportFailure(error, inArg, outArg, io);
    }
  },
};

/** `model.pt` → `model.safetensors`; a name without extension gets one appended. */
export function defaultOutput(input: string): string {
  const ext = extname(input);
  const base = basename(input, ext);
  return join(dirname(input), `${base === '' ? basename(input) : base}.safetensors`);
}

function reportFailure(error: unknown, inArg: string, outArg: string, io: CliIo): number {
  if (error instanceof LoadError) {
    io.stderr.write(`torchward convert: ${inArg}: refused: ${error.message}\n`);
    io.stderr.write(describeRefusal(error));
    io.stderr.write(`torchward convert: nothing written to ${outArg}\n`);
    return error.code === 'UNREADABLE' ? EXIT.NO_INPUT : EXIT.FINDINGS;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    // fs errors: the input vanished, the output directory is not writable, the disk is full.
    io.stderr.write(`torchward convert: ${(error as Error).message}\n`);
    io.stderr.write(`torchward convert: nothing written to ${outArg}\n`);
    return EXIT.NO_INPUT;
  }
  throw error;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    if (realpathSync(a) === realpathSync(b)) return true;
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}
