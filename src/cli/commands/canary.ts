import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCanaries, readCanaryFile } from '../../memorization/canary-file.js';
import { CanaryError, parseCanaryFormat } from '../../memorization/canary-format.js';
import {
  datasetFormatOf,
  insertCanaries,
  writeFilesAtomically,
} from '../../memorization/insert.js';
import type { DatasetFormat } from '../../memorization/insert.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { itemAt } from '../../core/item-at.js';

const HELP = `Usage: torchward canary generate --count N --format FORMAT (--seed S | --seed-file FILE) -o FILE
       torchward canary insert DATASET CANARIES --repeats 1,10,100 -o OUT [options]

generate: random canaries for the Secret Sharer exposure test (Carlini et al. 2019).
  --format FORMAT      text with random slots: {digits:N}, {hex:N}, {words:N} (1 <= N <= 64);
                       it must start with text (the prefix); {{ and }} are literal braces
  --words FILE         word list for {words:N}, one word per line
  --count N            number of canaries
  --seed S             secret seed; it is NOT written to the canary file (only a SHA-256
                       commitment is), so keep it yourself; --seed-file reads it from a file
  -o, --output FILE    the canary file (JSON)

insert: copies of each canary into training data at seeded random record positions.
  --repeats LIST       repeat counts given to the canaries in turn (0 = control, not inserted)
  --dataset-format F   jsonl, csv or text (default: from DATASET's extension)
  --field NAME         JSONL key / CSV column for the text (default text)
  --seed S             seed of the positions (default: random)
  -o, --output OUT     the new dataset; written with a temporary file and a rename, never partial
  --manifest FILE      the canary file with repeats and positions (default OUT.canaries.json);
                       give this file to 'torchward memorization --canaries'

Exit codes: 0 ok, 2 usage error, 3 unreadable or impossible input.
`;

const MAX_DATASET_BYTES = 1024 * 1024 * 1024;

/** `torchward canary`: generate canaries and insert them into training data. */
export const canaryCommand: Command = {
  name: 'canary',
  summary: 'Generate exposure canaries and insert them into training data (JSONL/CSV/text)',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.USAGE : EXIT.OK;
    }
    try {
      if (sub === 'generate') return await generate(rest, io);
      if (sub === 'insert') return await insert(rest, io);
    } catch (error) {
      if (error instanceof CanaryError) {
        io.stderr.write(`torchward canary ${sub}: ${error.message}\n`);
        return EXIT.NO_INPUT;
      }
      throw error;
    }
    throw new UsageError(`unknown subcommand '${sub}' (generate or insert)`);
  },
};

async function readSeed(
  seed: string | undefined,
  seedFile: string | undefined,
  cwd: string,
): Promise<string | undefined> {
  if (seed !== undefined && seedFile !== undefined)
    throw new UsageError('give --seed or --seed-file, not both');
  if (seedFile !== undefined) {
    const text = (
      await readFile(resolve(cwd, seedFile), 'utf8').catch((e: unknown) => {
        throw new CanaryError(`cannot read --seed-file: ${(e as Error).message}`);
      })
    ).trim();
    if (text === '') throw new CanaryError('--seed-file is empty');
    return text;
  }
  if (seed === '') throw new UsageError('--seed is empty');
  return seed;
}

async function generate(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      count: { type: 'string' },
      format: { type: 'string' },
      words: { type: 'string' },
      seed: { type: 'string' },
      'seed-file': { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.format === undefined) throw new UsageError('--format is required');
  if (values.output === undefined) throw new UsageError('-o/--output is required');
  if (values.count === undefined || !/^\d{1,7}$/.test(values.count))
    throw new UsageError('--count needs a positive integer');
  const seed = await readSeed(values.seed, values['seed-file'], io.cwd);
  if (seed === undefined)
    throw new UsageError(
      '--seed or --seed-file is required (keep it secret, apart from the canary file)',
    );
  let words: string[] = [];
  if (values.words !== undefined) {
    const text = await readFile(resolve(io.cwd, values.words), 'utf8').catch((e: unknown) => {
      throw new CanaryError(`cannot read --words: ${(e as Error).message}`);
    });
    words = text
      .split(/\r?\n/)
      .map((w) => w.trim())
      .filter((w) => w !== '');
  }
  const format = parseCanaryFormat(values.format, words);
  const file = generateCanaries(format, Number(values.count), seed);
  const output = resolve(io.cwd, values.output);
  await writeFilesAtomically([{ path: output, text: `${JSON.stringify(file, null, 2)}\n` }]);
  io.stderr.write(
    `wrote ${file.canaries.length} canaries to ${values.output} (space 2^${format.log2SpaceSize.toFixed(1)}); the seed is not in the file: keep it apart\n`,
  );
  return EXIT.OK;
}

async function insert(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      repeats: { type: 'string' },
      'dataset-format': { type: 'string' },
      field: { type: 'string', default: 'text' },
      seed: { type: 'string' },
      output: { type: 'string', short: 'o' },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 2) throw new UsageError('expected DATASET and CANARIES');
  if (values.output === undefined) throw new UsageError('-o/--output is required');
  if (values.repeats === undefined || !/^\d{1,6}(?:,\d{1,6})*$/.test(values.repeats)) {
    throw new UsageError('--repeats needs a comma-separated list of counts, e.g. 1,10,100');
  }
  const repeats = values.repeats.split(',').map(Number);
  const formatName = values['dataset-format'];
  if (formatName !== undefined && !['jsonl', 'csv', 'text'].includes(formatName)) {
    throw new UsageError('--dataset-format must be jsonl, csv or text');
  }
  const datasetPath = resolve(io.cwd, itemAt(positionals, 0));
  const output = resolve(io.cwd, values.output);
  const manifestPath = resolve(io.cwd, values.manifest ?? `${values.output}.canaries.json`);
  if (output === datasetPath) throw new UsageError('-o must differ from DATASET');
  const { file } = await readCanaryFile(resolve(io.cwd, itemAt(positionals, 1)));
  const size = await stat(datasetPath).then(
    (s) => s.size,
    (e: unknown) => {
      throw new CanaryError(`cannot read ${positionals[0]}: ${(e as Error).message}`);
    },
  );
  if (size > MAX_DATASET_BYTES)
    throw new CanaryError(`${positionals[0]} is larger than ${MAX_DATASET_BYTES} bytes`);
  const dataset = await readFile(datasetPath, 'utf8');
  const seed = values.seed ?? (await import('node:crypto')).randomBytes(16).toString('hex');
  const result = insertCanaries(dataset, file, values.output, {
    format: (formatName as DatasetFormat | undefined) ?? datasetFormatOf(datasetPath),
    field: values.field,
    repeats,
    seed,
  });
  await writeFilesAtomically([
    { path: manifestPath, text: `${JSON.stringify(result.manifest, null, 2)}\n` },
    { path: output, text: result.text },
  ]);
  const inserted = result.manifest.canaries.reduce((s, c) => s + (c.repeats ?? 0), 0);
  io.stderr.write(
    `inserted ${inserted} canary copies into ${values.output} (${result.records} records); positions in ${values.manifest ?? `${values.output}.canaries.json`}\n`,
  );
  return EXIT.OK;
}
