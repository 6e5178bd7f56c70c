import { readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeLimits } from '../../core/limits.js';
import { PrivacyDetector } from '../../privacy/detect.js';
import { privacyFormatOf } from '../../privacy/records.js';
import { redactFile, Redactor, type RedactFormat, type RedactMode } from '../../privacy/redact.js';
import type { Command } from '../io.js';
import { EXIT, UsageError } from '../io.js';

const HELP = `Usage: torchward redact [options] IN OUT

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
  --format FORMAT      jsonl, csv, tsv, parquet or text (default: from IN's name; .gz is
                       read; Parquet: flat boolean, integer, float, string and binary columns)

Exit codes: 0 written, 2 usage error, 3 unreadable input (no OUT written).
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
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const [input, output] = positionals;
    if (input === undefined || output === undefined || positionals.length > 2)
      throw new UsageError('redact needs IN and OUT');
    const mode = values.mode as RedactMode;
    if (!['mask', 'hmac', 'placeholder'].includes(mode))
      throw new UsageError('--mode must be mask, hmac or placeholder');
    if (values.mapping !== undefined && mode !== 'placeholder')
      throw new UsageError('--mapping goes with --mode placeholder');
    const inPath = resolve(io.cwd, input);
    const outPath = resolve(io.cwd, output);
    const detected = privacyFormatOf(input);
    const format = (values.format ?? (detected === 'json' ? undefined : detected)) as
      RedactFormat | undefined;
    if (format === undefined || !['text', 'jsonl', 'csv', 'tsv', 'parquet'].includes(format))
      throw new UsageError(
        '--format must be jsonl, csv, tsv, parquet or text (IN names none of them)',
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
    if (values.mapping !== undefined)
      await writeFile(
        resolve(io.cwd, values.mapping),
        `${JSON.stringify(redactor.mapping(), null, 2)}\n`,
        { mode: 0o600 },
      );
    const counts = [...redactor.counts].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = counts.reduce((n, [, c]) => n + c, 0);
    io.stderr.write(
      `redacted ${total} value(s)${counts.length === 0 ? '' : `: ${counts.map(([e, c]) => `${e} ${c}`).join(', ')}`} → ${output}\n`,
    );
    return EXIT.OK;
  },
};
