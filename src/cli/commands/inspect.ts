import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dedupeTensors } from '../../loader/dedupe.js';
import { LoadError } from '../../loader/errors.js';
import { openCheckpoint, type Checkpoint } from '../../loader/open-checkpoint.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { describeRefusal } from './loader-refusal.js';

const USAGE = `Usage: torchward inspect FILE [--format text|json]

Lists the tensors of a checkpoint without loading it with torch: name, dtype, shape, bytes and
the storage each one views (tensors sharing a storage are marked), with totals and the
scanner's verdict. Only a checkpoint the scanner calls safe is opened.

Options:
  -f, --format text|json   output format (default: text)
  -o, --output FILE        write the report to FILE
  -h, --help               show this help

Exit codes: 0 listed, 1 refused (not safe, invalid storage, unsupported content),
2 usage error, 3 unreadable.
`;

/** One tensor as \`inspect --format json\` reports it. */
interface TensorRow {
  readonly name: string;
  readonly dtype: string;
  readonly safetensorsDtype: string | null;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly storageOffset: number;
  readonly bytes: number;
  readonly contiguous: boolean;
  readonly parameter: boolean;
  readonly storage: string;
  readonly sharedWith: readonly string[];
}

const MAX_SHARED = 8;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'List the tensors of a safe checkpoint (dtype, shape, bytes, shared storage)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
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
      throw new UsageError(positionals.length === 0 ? 'missing file' : 'exactly one file');
    }
    const arg = positionals[0];
    let checkpoint: Checkpoint;
    try {
      const input = resolve(io.cwd, arg);
      checkpoint = await openCheckpoint(input === resolve(arg) ? arg : input);
    } catch (error) {
      if (!(error instanceof LoadError)) throw error;
      if (format === 'json') {
        io.stdout.write(`${JSON.stringify(refusalJson(arg, error), null, 2)}\n`);
      } else {
        const verdict = error.verdict === undefined ? '' : ` (verdict: ${error.verdict ?? 'none'})`;
        io.stdout.write(`${arg}: refused${verdict}: ${error.message}\n${describeRefusal(error)}`);
      }
      return error.code === 'UNREADABLE' ? EXIT.NO_INPUT : EXIT.FINDINGS;
    }
    try {
      const rows = tensorRows(checkpoint);
      const totals = {
        tensors: rows.length,
        bytes: rows.reduce((a, r) => a + r.bytes, 0),
        ...countParameters(checkpoint),
        storages: new Set(rows.map((r) => r.storage)).size,
        sharedStorages: new Set(rows.filter((r) => r.sharedWith.length > 0).map((r) => r.storage))
          .size,
        metadata: checkpoint.metadata.length,
      };
      if (format === 'json') {
        const report = {
          version: 1,
          path: arg,
          kind: checkpoint.kind,
          verdict: checkpoint.scan.verdict,
          tensors: rows,
          metadata: checkpoint.metadata.map((m) => ({ name: m.name, value: m.value })),
          totals,
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.stdout.write(renderText(arg, checkpoint, rows, totals));
      }
      return EXIT.OK;
    } finally {
      await checkpoint.close();
    }
  },
};

/** How `inspect` counted parameters (reported next to the count). */
const COUNTED_PARAMETERS = 'elements of nn.Parameter tensors, tied copies counted once';
const COUNTED_FLOATING =
  'elements of floating-point and complex tensors, tied copies counted once (no tensor is an ' +
  'nn.Parameter, as in a state dict, so floating-point buffers such as running statistics count ' +
  'too; integer and bool tensors do not)';

/**
 * Parameters as elements of parameter-like tensors: the nn.Parameter tensors when the checkpoint
 * marks any (a pickled module or parameter list), otherwise the floating-point and complex
 * tensors (a state dict stores parameters as plain tensors), each identical view counted once.
 */
function countParameters(checkpoint: Checkpoint): {
  parameters: number;
  parameterTensors: number;
  parameterCounting: string;
} {
  const marked = checkpoint.tensors.some((t) => t.parameter);
  const like = dedupeTensors(checkpoint.tensors).tensors.filter((t) =>
    marked ? t.parameter : /^(?:b?float|complex)/.test(t.dtype.name),
  );
  return {
    parameters: like.reduce((a, t) => a + t.numel, 0),
    parameterTensors: like.length,
    parameterCounting: marked ? COUNTED_PARAMETERS : COUNTED_FLOATING,
  };
}

function tensorRows(checkpoint: Checkpoint): TensorRow[] {
  const byStorage = new Map<string, string[]>();
  for (const t of checkpoint.tensors) {
    const names = byStorage.get(t.storage.key);
    if (names === undefined) byStorage.set(t.storage.key, [t.name]);
    else names.push(t.name);
  }
  return checkpoint.tensors.map((t) => ({
    name: t.name,
    dtype: t.dtype.name,
    safetensorsDtype: t.dtype.safetensors ?? null,
    shape: t.shape,
    strides: t.strides,
    storageOffset: t.storageOffset,
    bytes: t.nbytes,
    contiguous: t.contiguous,
    parameter: t.parameter,
    storage: t.storage.key,
    sharedWith: sharedWith(byStorage.get(t.storage.key) ?? [], t.name),
  }));
}

/** Other tensors on the same storage: at most MAX_SHARED names, then a count (a hostile file may alias one storage 100,000 times). */
function sharedWith(names: readonly string[], self: string): string[] {
  const others: string[] = [];
  for (const n of names) {
    if (n === self) continue;
    if (others.length === MAX_SHARED) {
      others.push(`… ${names.length - 1 - MAX_SHARED} more`);
      break;
    }
    others.push(n);
  }
  return others;
}

function renderText(
  arg: string,
  checkpoint: Checkpoint,
  rows: readonly TensorRow[],
  totals: {
    tensors: number;
    bytes: number;
    parameters: number;
    parameterTensors: number;
    parameterCounting: string;
    storages: number;
    sharedStorages: number;
    metadata: number;
  },
): string {
  const table = rows.map((r) => [
    r.name === '' ? '(root)' : r.name,
    r.dtype,
    `[${r.shape.join(', ')}]`,
    String(r.bytes),
    r.sharedWith.length > 0 ? `${r.storage} (shared with ${r.sharedWith.join(', ')})` : r.storage,
  ]);
  const head = ['name', 'dtype', 'shape', 'bytes', 'storage'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;
  const out = [`${arg}: ${checkpoint.kind}, verdict ${checkpoint.scan.verdict ?? 'none'}\n`];
  if (rows.length > 0) out.push(line(head), ...table.map(line));
  for (const m of checkpoint.metadata) out.push(`  ${m.name} = ${m.value}\n`);
  out.push(
    `${totals.tensors} tensor${totals.tensors === 1 ? '' : 's'}, ${totals.bytes} bytes, ` +
      `${totals.storages} storage${totals.storages === 1 ? '' : 's'} (${totals.sharedStorages} shared), ` +
      `${totals.parameters} parameter${totals.parameters === 1 ? '' : 's'} in ${totals.parameterTensors} tensor${totals.parameterTensors === 1 ? '' : 's'}, ` +
      `${totals.metadata} metadata entr${totals.metadata === 1 ? 'y' : 'ies'}\n` +
      `  (parameters: ${totals.parameterCounting})\n`,
  );
  return out.join('');
}

function refusalJson(arg: string, error: LoadError): unknown {
  return {
    version: 1,
    path: arg,
    verdict: error.verdict ?? null,
    refused: { code: error.code, message: error.message },
    findings: error.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      verdict: f.verdict ?? null,
      message: f.message,
      uri: f.primary.uri,
      suppressed: f.suppressed ?? null,
    })),
  };
}
