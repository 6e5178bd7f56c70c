import { lstatSync, mkdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertToSafetensors } from '../../loader/convert.js';
import {
  convertDirectory,
  DEFAULT_MAX_SHARD,
  isWithin,
  parseSize,
  type ConvertDirResult,
} from '../../loader/convert-dir.js';
import { LoadError } from '../../loader/errors.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { describeRefusal } from './loader-refusal.js';

const USAGE = `Usage: torchward convert IN [-o OUT] [--force] [--no-dedupe] [--tensors-only]
                         [--max-shard-size SIZE] [--format text|json]

Converts a PyTorch checkpoint (torch zip, legacy torch stream or tar, raw pickle, .npy/.npz
without objects, or safetensors) to safetensors, with no Python and no code execution. The file is
scanned first: only a checkpoint the scanner calls safe is converted; every tensor's offset,
sizes and strides are checked against its storage before a byte is copied.

IN may be a model folder (a Hugging Face repository): every .bin/.pt/.pth weight file is
converted (a sharded checkpoint's index is read and checked, the tensors re-sharded by
--max-shard-size and model.safetensors.index.json written), other files are copied, pickle files
that are not weights of the model (training_args.bin) are skipped and listed, and the whole
folder is written next to OUT and renamed into place only when complete.

Keys are the state-dict keys as they are; nested containers are joined with '.'. Non-tensor
values (epoch, lr, names) go into __metadata__ as JSON text. Tied weights (identical views of
one storage) are written once; the dropped names are recorded in
__metadata__["torchward.aliases"]. See docs/convert.md.

Options:
  -o, --output OUT        the safetensors file, or the output folder for a folder IN (default:
                          IN with its extension replaced by .safetensors; IN-safetensors for a
                          folder); the one command whose -o is not the report. Missing parent
                          folders are created (and removed again if nothing is written)
  -f, --format text|json  report format on stdout (default: text)
      --force             replace OUT if it exists (never the input itself, never a device,
                          link or other non-regular file; for a folder IN, only a folder)
      --no-dedupe         write every tensor, tied weights included, as its own copy
      --tensors-only      keep only the tensors of a checkpoint whose other values are
                          outside the allowlist (an argparse Namespace, numpy scalars, a
                          pickled module): the scanner's 'suspicious' verdict is accepted when
                          every finding is an unknown class or state set on one; those values
                          are dropped and listed. Never a 'malicious' file; nothing is run
      --max-shard-size N  largest output shard for a folder IN: bytes, or with KB/MB/GB
                          (powers of 1000) or KiB/MiB/GiB (default: 5GB, as transformers)
  -h, --help              show this help

Exit codes: 0 converted, 1 refused (not safe, invalid storage, unsupported content, a model
folder whose files disagree), 2 usage error, 3 input unreadable or output not writable.
`;

export const convertCommand: Command = {
  name: 'convert',
  summary:
    'Convert a safe checkpoint or model folder to safetensors (pure TypeScript, weights only)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean', default: false },
        'no-dedupe': { type: 'boolean', default: false },
        'tensors-only': { type: 'boolean', default: false },
        'max-shard-size': { type: 'string' },
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
    const input = resolve(io.cwd, inArg);
    const folder = isDirectory(input);
    let maxShardSize = DEFAULT_MAX_SHARD;
    if (values['max-shard-size'] !== undefined) {
      const parsed = parseSize(values['max-shard-size']);
      if (parsed === undefined) {
        throw new UsageError(`--max-shard-size must be a size such as 500MB or 2GiB`);
      }
      if (!folder) throw new UsageError('--max-shard-size applies to a folder input');
      maxShardSize = parsed;
    }
    const outArg =
      values.output ??
      (folder ? `${inArg.replace(/[/\\]+$/, '')}-safetensors` : defaultOutput(inArg));
    if (outArg === '') throw new UsageError('the output path is empty');
    const output = resolve(io.cwd, outArg);
    // Findings name the file as the user did when the paths agree.
    const scanPath = input === resolve(inArg) ? inArg : input;
    if (sameFile(input, output)) throw new UsageError(`refusing to overwrite the input ${inArg}`);
    if (folder && (isWithin(output, input) || isWithin(input, output))) {
      throw new UsageError(
        `the output folder ${outArg} and the input ${inArg} contain one another`,
      );
    }
    const existing = lstatOrUndefined(output);
    if (existing !== undefined) {
      const ok = folder ? existing.isDirectory() : existing.isFile();
      if (!ok) {
        throw new UsageError(
          `${outArg} exists and is not a ${folder ? 'folder' : 'regular file'}; it is never replaced, even with --force`,
        );
      }
      if (!values.force) throw new UsageError(`${outArg} exists; pass --force to replace it`);
    }
    let created: string | undefined;
    try {
      // Like `mkdir -p` for the output's parent; removed again below if nothing is written.
      created = mkdirSync(dirname(output), { recursive: true });
      const dedupe = !values['no-dedupe'];
      const tensorsOnly = values['tensors-only'];
      if (folder) {
        const result = await convertDirectory(scanPath, output, {
          force: values.force,
          dedupe,
          maxShardSize,
          tensorsOnly,
        });
        writeFolderReport(io, format, inArg, outArg, result);
        return EXIT.OK;
      }
      const result = await convertToSafetensors(scanPath, output, {
        force: values.force,
        dedupe,
        tensorsOnly,
      });
      if (format === 'json') {
        const report = {
          version: 1,
          input: inArg,
          output: outArg,
          tensors: result.tensors,
          metadata: result.metadata,
          aliases: Object.fromEntries(result.aliases),
          dropped: result.dropped,
          bytes: result.bytes,
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return EXIT.OK;
      }
      const tied = result.aliases.size === 0 ? '' : `, ${result.aliases.size} tied written once`;
      io.stdout.write(
        `${outArg}: ${result.tensors} tensor${result.tensors === 1 ? '' : 's'}${tied}, ` +
          `${result.metadata} metadata entr${result.metadata === 1 ? 'y' : 'ies'}, ${result.bytes} bytes\n` +
          result.dropped.map((d) => `  dropped ${d.name}: ${d.reason}\n`).join(''),
      );
      return EXIT.OK;
    } catch (error) {
      if (created !== undefined) rmSync(created, { recursive: true, force: true });
      return reportFailure(error, inArg, outArg, io);
    }
  },
};

function writeFolderReport(
  io: CliIo,
  format: string,
  inArg: string,
  outArg: string,
  result: ConvertDirResult,
): void {
  if (format === 'json') {
    const report = {
      version: 1,
      input: inArg,
      output: outArg,
      models: result.models.map((m) => ({
        inputs: m.inputs,
        outputs: m.outputs,
        tensors: m.tensors,
        tensorBytes: m.tensorBytes,
        aliases: Object.fromEntries(m.aliases),
        dropped: m.dropped,
      })),
      copied: result.copied,
      skipped: result.skipped,
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const m of result.models) {
    const tied = m.aliases.size === 0 ? '' : `, ${m.aliases.size} tied written once`;
    lines.push(
      `${listed(m.inputs)} -> ${listed(m.outputs)}: ${m.tensors} tensor${m.tensors === 1 ? '' : 's'}${tied}, ${m.tensorBytes} bytes of tensor data\n`,
    );
  }
  for (const m of result.models) {
    for (const d of m.dropped) lines.push(`dropped ${d.file}: ${d.name}: ${d.reason}\n`);
  }
  if (result.copied.length > 0) lines.push(`copied: ${result.copied.join(', ')}\n`);
  for (const s of result.skipped) lines.push(`skipped ${s.path}: ${s.reason}\n`);
  io.stdout.write(`${outArg}:\n${lines.map((l) => `  ${l}`).join('')}`);
}

/** A list of file names, shortened past three (a model may have hundreds of shards). */
function listed(names: readonly string[]): string {
  if (names.length <= 3) return names.join(', ');
  return `${names[0] ?? ''} … ${names[names.length - 1] ?? ''} (${names.length} files)`;
}

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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
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
