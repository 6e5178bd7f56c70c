import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, EMPTY_CONFIG, findConfig } from '../../engine/config-model.js';
import { GuardConfigError, parseGuardConfig, type GuardConfig } from '../../guard/config.js';
import { spotlight } from '../../guard/encode.js';
import { guard, guardThresholds } from '../../guard/guard.js';
import { guardWithClassifier, loadOnnxClassifier, type OnnxClassifier } from '../../guard/onnx.js';
import type { GuardMode, GuardResult } from '../../guard/types.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const HELP = `Usage: torchward guard [FILE|-] [options]
       torchward guard proxy --listen 127.0.0.1:PORT --upstream URL [options]

Sanitise untrusted text and score it for prompt injection and jailbreaks. FILE (or stdin with
- or no FILE) is one plain-text record, or JSONL (one JSON object per line, FILE ending .jsonl
or --jsonl) with one record per non-blank line. Every record gets exactly one output record.

Options:
  --jsonl                  read JSONL records
  --field NAME             the JSONL field holding the text (default: text)
  --format text|json|jsonl output format (default text)
  --mode strict|balanced|permissive
                           threshold to flag at (default: guard.mode in torchward.yml, else
                           balanced)
  --spotlight delimit|datamark|base64
                           add each record's sanitised text spotlighted for embedding
  --onnx DIR               add an ONNX text classifier (Hugging Face layout: model.onnx,
                           tokenizer.json, config.json with id2label) as one more layer
  --onnx-threshold P       flag when its attack probability reaches P (default 0.5)
  --onnx-attack-label NAME a label of config.json's id2label that means "attack" (repeatable;
                           default: labels matching inject, jailbreak, malicious or unsafe)
  --config FILE            read the guard: section from FILE (default: torchward.yml here)
  --no-config              ignore configuration files
  -h, --help               show this help

Run 'torchward guard proxy --help' for the proxy.

Exit codes: 0 nothing flagged, 1 at least one record flagged (a record that cannot be judged
is flagged), 2 usage error, 3 unreadable input.
`;

// The whole input is read into memory: bound it. Records larger than guard.max-chars are not
// judged (LIMIT_EXCEEDED), so nothing useful needs more than this.
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** One output record. */
interface OutRecord extends GuardResult {
  readonly index: number;
  readonly line?: number;
  readonly spotlighted?: string;
}

/** `torchward guard`: judge plain text or JSONL records; `guard proxy` runs the HTTP proxy. */
export const guardCommand: Command = {
  name: 'guard',
  summary: 'Sanitise untrusted prompts and score them for injection (text/JSONL; proxy)',
  async run(argv, io) {
    if (argv[0] === 'proxy') {
      const { proxyCommand } = await import('./guard-proxy.js');
      return proxyCommand(argv.slice(1), io);
    }
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        jsonl: { type: 'boolean', default: false },
        field: { type: 'string', default: 'text' },
        format: { type: 'string', default: 'text' },
        mode: { type: 'string' },
        spotlight: { type: 'string' },
        onnx: { type: 'string' },
        'onnx-threshold': { type: 'string' },
        'onnx-attack-label': { type: 'string', multiple: true },
        config: { type: 'string' },
        'no-config': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 1) throw new UsageError('expected at most one FILE');
    const format = checkFormat(values.format, ['text', 'json', 'jsonl']);
    const mode = checkMode(values.mode);
    const spot = values.spotlight;
    if (spot !== undefined && spot !== 'delimit' && spot !== 'datamark' && spot !== 'base64')
      throw new UsageError(`--spotlight must be delimit, datamark or base64, not '${spot}'`);
    const config = await readGuardConfig(values.config, values['no-config'], io);
    const file = positionals[0] ?? '-';
    const jsonl = values.jsonl || file.toLowerCase().endsWith('.jsonl');

    const bytes = await readInput(file, io);
    if (typeof bytes === 'string') {
      io.stderr.write(`torchward guard: ${bytes}\n`);
      return EXIT.NO_INPUT;
    }
    const onnxThreshold =
      values['onnx-threshold'] === undefined ? 0.5 : Number(values['onnx-threshold']);
    if (!(onnxThreshold >= 0 && onnxThreshold <= 1))
      throw new UsageError('--onnx-threshold must be a number from 0 to 1');
    let classifier: OnnxClassifier | undefined;
    if (values.onnx !== undefined) {
      try {
        const attackLabels = values['onnx-attack-label'];
        classifier = await loadOnnxClassifier(
          resolve(io.cwd, values.onnx),
          attackLabels === undefined ? {} : { attackLabels },
        );
      } catch (error) {
        io.stderr.write(`torchward guard: cannot load the ONNX classifier: ${String(error)}\n`);
        return EXIT.NO_INPUT;
      }
    }
    const records: OutRecord[] = [];
    const judge = async (
      input: string | Uint8Array,
      structured?: unknown,
    ): Promise<GuardResult> => {
      const opts = {
        config,
        ...(mode === undefined ? {} : { mode }),
        ...(structured === undefined ? {} : { structured }),
      };
      return classifier === undefined
        ? guard(input, opts)
        : guardWithClassifier(input, classifier, { ...opts, onnxThreshold });
    };
    const withSpot = (r: GuardResult): { spotlighted?: string } =>
      spot === undefined || r.sanitized === null
        ? {}
        : { spotlighted: spotlight(r.sanitized, spot).text };
    if (!jsonl) {
      const r = await judge(bytes);
      records.push({ index: 0, ...r, ...withSpot(r) });
    } else {
      for (const { line, bytes: lineBytes } of splitLines(bytes)) {
        const r = await judgeJsonl(lineBytes, values.field, config, mode ?? config.mode, judge);
        records.push({ index: records.length, line, ...r, ...withSpot(r) });
      }
    }
    await classifier?.close();
    const resolvedMode = mode ?? config.mode;
    io.stdout.write(render(records, format, resolvedMode));
    return records.some((r) => r.flagged) ? EXIT.FINDINGS : EXIT.OK;
  },
};

function checkMode(value: string | undefined): GuardMode | undefined {
  if (value === undefined) return undefined;
  if (value !== 'strict' && value !== 'balanced' && value !== 'permissive')
    throw new UsageError(`--mode must be strict, balanced or permissive, not '${value}'`);
  return value;
}

/** Reads the guard: section (from --config, or torchward.yml found in the cwd). */
export async function readGuardConfig(
  path: string | undefined,
  noConfig: boolean,
  io: CliIo,
): Promise<GuardConfig> {
  if (noConfig) return parseGuardConfig(undefined);
  let raw = EMPTY_CONFIG.guard;
  try {
    const found = path !== undefined ? resolve(io.cwd, path) : await findConfig([io.cwd]);
    if (found !== undefined)
      raw = (await (await import('../../engine/config.js')).loadConfig(found)).guard;
    return parseGuardConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GuardConfigError)
      throw new UsageError(error.message);
    throw error;
  }
}

/** The whole input as bytes, or a message saying why it cannot be read. */
async function readInput(file: string, io: CliIo): Promise<Uint8Array | string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const chunk of process.stdin) {
      const b = chunk as Buffer;
      n += b.length;
      if (n > MAX_INPUT_BYTES) return `stdin is larger than ${MAX_INPUT_BYTES} bytes`;
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  }
  const path = resolve(io.cwd, file);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    return `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  try {
    const info = await fh.stat();
    if (!info.isFile()) return `${file} is not a regular file`;
    if (info.size > MAX_INPUT_BYTES) return `${file} is larger than ${MAX_INPUT_BYTES} bytes`;
    return await fh.readFile();
  } catch (error) {
    return `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  } finally {
    await fh.close();
  }
}

/** Non-blank lines of JSONL bytes with their 1-based line numbers (a final CR is dropped). */
function* splitLines(bytes: Uint8Array): Generator<{ line: number; bytes: Uint8Array }> {
  let start = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    let end = i;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    const part = bytes.subarray(start, end);
    if (!isBlank(part)) yield { line, bytes: part };
    line++;
    start = i + 1;
  }
}

function isBlank(b: Uint8Array): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09) return false;
  return true;
}

function errorResult(code: string, message: string, mode: GuardMode): GuardResult {
  return {
    score: 1,
    flagged: true,
    mode,
    findings: [{ stage: 'error', code: `error/${code}`, message, start: 0, end: 0, weight: 1 }],
    sanitized: null,
    layers: { sanitizer: 1, heuristic: 0, model: 0 },
    error: { code, message },
  };
}

/** Judges one JSONL line: a per-record error for bad UTF-8, bad JSON, a non-object or no text. */
async function judgeJsonl(
  bytes: Uint8Array,
  field: string,
  config: GuardConfig,
  mode: GuardMode,
  judge: (input: string, structured?: unknown) => Promise<GuardResult>,
): Promise<GuardResult> {
  // JSON escapes a character in at most 6 bytes (\uXXXX): a line longer than that cannot hold a
  // text within the limit, so it is refused before JSON.parse spends time and memory on it.
  if (bytes.length > config.maxChars * 6 + 1024)
    return errorResult(
      'LIMIT_EXCEEDED',
      `record of ${bytes.length} bytes is over the limit (guard.max-chars); not judged`,
      mode,
    );
  let line: string;
  try {
    line = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return errorResult('BAD_UTF8', 'line is not valid UTF-8', mode);
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return errorResult('BAD_JSON', `line is not JSON: ${(error as Error).message}`, mode);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return errorResult(
      'NOT_AN_OBJECT',
      `line is JSON but not an object (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`,
      mode,
    );
  const text = Object.hasOwn(value, field) ? (value as Record<string, unknown>)[field] : undefined;
  if (typeof text !== 'string')
    return errorResult('NO_TEXT_FIELD', `record has no string field '${field}'`, mode);
  return judge(text, value);
}

function render(
  records: readonly OutRecord[],
  format: 'text' | 'json' | 'jsonl',
  mode: GuardMode,
): string {
  const plain = (r: OutRecord): Record<string, unknown> => ({
    index: r.index,
    ...(r.line === undefined ? {} : { line: r.line }),
    score: Number(r.score.toFixed(6)),
    flagged: r.flagged,
    mode: r.mode,
    ...(r.error === undefined ? {} : { error: r.error }),
    findings: r.findings,
    layers: {
      sanitizer: Number(r.layers.sanitizer.toFixed(6)),
      heuristic: Number(r.layers.heuristic.toFixed(6)),
      model: Number(r.layers.model.toFixed(6)),
    },
    sanitized: r.sanitized,
    ...(r.spotlighted === undefined ? {} : { spotlighted: r.spotlighted }),
  });
  if (format === 'jsonl') return records.map((r) => `${JSON.stringify(plain(r))}\n`).join('');
  const flagged = records.filter((r) => r.flagged).length;
  const errors = records.filter((r) => r.error !== undefined).length;
  if (format === 'json') {
    return `${JSON.stringify(
      {
        version: 1,
        mode,
        threshold: guardThresholds()[mode],
        summary: { records: records.length, flagged, errors },
        records: records.map(plain),
      },
      null,
      2,
    )}\n`;
  }
  const out: string[] = [];
  for (const r of records) {
    const where = r.line === undefined ? `record ${r.index}` : `record ${r.index} (line ${r.line})`;
    const verdict = r.error !== undefined ? `ERROR ${r.error.code}` : r.flagged ? 'FLAGGED' : 'ok';
    out.push(`${where}: ${verdict} score ${r.score.toFixed(3)}`);
    for (const f of r.findings) {
      const detail = f.detail === undefined ? '' : ` [${oneLine(f.detail)}]`;
      out.push(`  ${f.start}-${f.end} ${f.code}: ${oneLine(f.message)}${detail}`);
    }
  }
  out.push(
    `${records.length} record${records.length === 1 ? '' : 's'}, ${flagged} flagged (${mode} mode, threshold ${guardThresholds()[mode]})${errors > 0 ? `, ${errors} could not be judged` : ''}`,
  );
  return `${out.join('\n')}\n`;
}

/** Escapes control and invisible characters so a finding's detail cannot drive the terminal. */
function oneLine(s: string): string {
  return s.replace(
    /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu,
    (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
  );
}
