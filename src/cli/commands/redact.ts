import { readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeLimits } from '../../core/limits.js';
import { PrivacyDetector } from '../../privacy/detect.js';
import { privacyFormatOf } from '../../privacy/records.js';
import { redactFile, Redactor, type RedactFormat, type RedactMode } from '../../privacy/redact.js';
import { checkOutputPath } from '../args.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const INPUT_FORMATS: readonly RedactFormat[] = ['text', 'jsonl', 'csv', 'tsv', 'parquet'];

const HELP = `Usage: torchward redact [options] IN OUT
       torchward redact [options] IN -o OUT

Writes a copy of IN with personal data and secrets replaced (the detectors of scan --privacy).
Records, columns and their order are kept. OUT is written to a temporary file and renamed at
the end, so it is never partial; on any error no OUT is left behind.

  --mode MODE          mask (default): a masked form (j***@***.com, ************1111);
                       hmac: <EMAIL:16 hex of HMAC-SHA256>, keyed, the same value the same token;
                       placeholder: <EMAIL_1>, numbered per entity, the same value the same
                       placeholder
  --key-file FILE      the HMAC key (at least 16 bytes; or TORCHWARD_REDACT_KEY, hex)
  --mapping FILE       placeholder mode: write the placeholder → value mapping here (mode 0600),
                       never into OUT
  --input-format FMT   jsonl, csv, tsv, parquet or text (default: from IN's name; .gz is
                       read; Parquet: flat boolean, integer, float, string and binary columns)
  -o, --output OUT     the redacted copy (instead of the second argument); its folder must exist
  -f, --format FORMAT  the report on stdout: text (default; one line) or json (counts per entity)
  -h, --help           show this help

Exit codes: 0 written, 2 usage error (OUT into a missing or unwritable folder included),
3 unreadable input (no OUT written).
`;

/** `torchward redact IN OUT`: a redacted copy of a JSONL, CSV/TSV, Parquet or text file. */
export const redactCommand: Command = {
  name: 'redact',
  summary:
    'Write a redacted copy of a JSONL, CSV/TSV, Parquet or text file (mask, keyed HMAC, placeholders)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        mode: { type: 'string', default: 'mask' },
        'key-file': { type: 'string' },
        mapping: { type: 'string' },
        'input-format': { type: 'string' },
        output: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (INPUT_FORMATS.includes(values.format as RedactFormat) && values.format !== 'text')
      throw new UsageError(
        `--format is the report format (text or json); the input's format is --input-format ${values.format}`,
      );
    const report = checkFormat(values.format, ['text', 'json']);
    const [input, second, ...extra] = positionals;
    const output = values.output ?? second;
    if (values.output !== undefined && second !== undefined)
      throw new UsageError('give OUT once: as the second argument or with -o/--output');
    if (input === undefined || output === undefined || extra.length > 0)
      throw new UsageError('redact needs IN and OUT');
    const mode = values.mode as RedactMode;
    if (!['mask', 'hmac', 'placeholder'].includes(mode))
      throw new UsageError('--mode must be mask, hmac or placeholder');
    if (values.mapping !== undefined && mode !== 'placeholder')
      throw new UsageError('--mapping goes with --mode placeholder');
    const inPath = resolve(io.cwd, input);
    // OUT (and the mapping) go where a report would: a missing or unwritable folder is a usage
    // error before anything is read, as for every command's -o.
    const outPath = checkOutputPath(output, io.cwd, 'OUT');
    const mappingPath =
      values.mapping === undefined
        ? undefined
        : checkOutputPath(values.mapping, io.cwd, '--mapping');
    const detected = privacyFormatOf(input);
    const format = (values['input-format'] ?? (detected === 'json' ? undefined : detected)) as
      RedactFormat | undefined;
    if (format === undefined || !INPUT_FORMATS.includes(format))
      throw new UsageError(
        '--input-format must be jsonl, csv, tsv, parquet or text (IN names none of them)',
      );
    let key: Uint8Array | undefined;
    if (mode === 'hmac') {
      if (values['key-file'] !== undefined)
        key = await readFile(resolve(io.cwd, values['key-file']));
      else if (io.env.TORCHWARD_REDACT_KEY !== undefined)
        key = Buffer.from(io.env.TORCHWARD_REDACT_KEY, 'hex');
      if (key === undefined || key.byteLength < 16)
        throw new UsageError('--mode hmac needs a key of at least 16 bytes (--key-file)');
    }
    try {
      const info = await stat(inPath);
      if (!info.isFile()) throw new Error('not a regular file');
      // Writing over the input would destroy it before it is read in full.
      const same = await realpath(outPath).then(
        async (p) => p === (await realpath(inPath)),
        () => false,
      );
      if (same) throw new UsageError('OUT must not be IN');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      io.stderr.write(`torchward redact: cannot read ${input}: ${String(error)}\n`);
      return EXIT.NO_INPUT;
    }
    const redactor = new Redactor(new PrivacyDetector(), mode, key);
    try {
      await redactFile(inPath, outPath, format, redactor, makeLimits());
    } catch (error) {
      io.stderr.write(
        `torchward redact: ${input}: ${error instanceof Error ? error.message : String(error)} (no output written)\n`,
      );
      return EXIT.NO_INPUT;
    }
    if (mappingPath !== undefined)
      await writeFile(mappingPath, `${JSON.stringify(redactor.mapping(), null, 2)}\n`, {
        mode: 0o600,
      });
    const counts = [...redactor.counts].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = counts.reduce((n, [, c]) => n + c, 0);
    io.stdout.write(
      report === 'json'
        ? `${JSON.stringify({ version: 1, input, output, mode, inputFormat: format, redacted: total, entities: Object.fromEntries(counts) }, null, 2)}\n`
        : `redacted ${total} value(s)${counts.length === 0 ? '' : `: ${counts.map(([e, c]) => `${e} ${c}`).join(', ')}`} → ${output}\n`,
    );
    return EXIT.OK;
  },
};
