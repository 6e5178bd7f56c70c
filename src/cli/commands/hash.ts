import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import {
  LFS_POINTER_MAX_BYTES,
  formatChecksumLine,
  parseChecksumList,
  parseLfsPointer,
} from '../../formats/checksums/index.js';
import { ProvenanceError } from '../../provenance/errors.js';
import { hashPlanned, planTasks, rootDigestOf } from '../../provenance/manifest.js';
import { listModelFiles } from '../../provenance/walk.js';
import { checkIgnorePaths } from '../args.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const HELP = `Usage: torchward hash PATH [options]

Per-file SHA-256 of a model folder or file, as a sha256sum-compatible list or JSON.

Options:
  -f, --format text|json   output format (default text: "<hex>  <path>" lines)
  -o, --output FILE        write the report to FILE
  --check FILE             verify PATH against FILE: a sha256sum list (GNU or BSD --tag lines),
                           a Git LFS pointer file, or a folder of LFS pointers mirroring PATH
  --shard-size BYTES       hash large files in shards of this size ("path:start:end" names)
  --ignore-paths PATH      leave out a relative path (repeatable)
  --no-ignore-git-paths    include .git, .gitattributes, .github, .gitignore
  --allow-symlinks         hash the targets of symlinks that stay inside the model
  --workers N              worker threads (default: one per core)
  -h, --help               show this help

Exit codes: 0 ok, 1 mismatch (with --check), 2 usage error, 3 no readable input.
`;

interface CheckLine {
  readonly path: string;
  readonly status: 'OK' | 'FAILED' | 'MISSING';
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} needs a positive integer, got '${value}'`);
  }
  return Number(value);
}

/** `torchward hash`: per-file digests and `--check` against sha256sum lists or LFS pointers. */
export const hashCommand: Command = {
  name: 'hash',
  summary: 'Per-file SHA-256 of a model (sha256sum/JSON); --check against lists or LFS pointers',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        check: { type: 'string' },
        'shard-size': { type: 'string' },
        'ignore-paths': { type: 'string', multiple: true },
        'no-ignore-git-paths': { type: 'boolean', default: false },
        'allow-symlinks': { type: 'boolean', default: false },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const ignorePaths = checkIgnorePaths(values['ignore-paths']);
    if (positionals.length !== 1) throw new UsageError('expected exactly one PATH');
    const format = checkFormat(values.format, ['text', 'json']);
    const shardSize = positiveInt(values['shard-size'], '--shard-size');
    const workers = positiveInt(values.workers, '--workers');
    const path = resolve(io.cwd, positionals[0] ?? '');
    try {
      const listed = await listModelFiles(path, {
        maxEntries: DEFAULT_LIMITS.maxEntries,
        ignorePaths,
        ignoreGitPaths: !values['no-ignore-git-paths'],
        allowSymlinks: values['allow-symlinks'],
      });
      const plan = planTasks(listed.files, 'sha256', shardSize);
      const resources = await hashPlanned(plan, 'sha256', workers);
      // A single file is listed under its own name, as `sha256sum FILE` would print it.
      const shown = (name: string): string =>
        listed.single ? name.replace(/^\./, basename(path)) : name;
      if (values.check !== undefined) {
        const digests = new Map(resources.map((r) => [shown(r.name), r.digest]));
        const sizes = new Map(
          listed.files.map((f) => [listed.single ? basename(path) : f.rel, f.size]),
        );
        return await runCheck(resolve(io.cwd, values.check), digests, sizes, format, io);
      }
      if (format === 'json') {
        const report = {
          version: 1,
          path: positionals[0],
          algorithm: 'sha256',
          ...(shardSize === undefined ? {} : { shardSize }),
          rootDigest: rootDigestOf(resources),
          files: resources.map((r) => ({ path: shown(r.name), sha256: r.digest })),
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.stdout.write(resources.map((r) => formatChecksumLine(r.digest, shown(r.name))).join(''));
      }
      return EXIT.OK;
    } catch (error) {
      if (error instanceof ProvenanceError) {
        io.stderr.write(`torchward hash: ${error.message}\n`);
        return error.code === 'NO_INPUT' ||
          error.code === 'READ_FAILED' ||
          error.code === 'EMPTY_MODEL'
          ? EXIT.NO_INPUT
          : EXIT.FINDINGS;
      }
      throw error;
    }
  },
};

async function runCheck(
  listPath: string,
  digests: ReadonlyMap<string, string>,
  sizes: ReadonlyMap<string, number>,
  format: string,
  io: CliIo,
): Promise<number> {
  const info = await stat(listPath).catch(() => undefined);
  if (info === undefined) {
    io.stderr.write(`torchward hash: cannot read ${listPath}\n`);
    return EXIT.NO_INPUT;
  }
  const lines: CheckLine[] = [];
  let bad = 0;
  if (info.isDirectory()) {
    // A folder of LFS pointers (a clone with GIT_LFS_SKIP_SMUDGE=1) mirroring the model.
    const pointers = await listModelFiles(listPath, { maxEntries: DEFAULT_LIMITS.maxEntries });
    for (const f of pointers.files) {
      if (f.size >= LFS_POINTER_MAX_BYTES) continue;
      const pointer = parseLfsPointer(await readFile(join(listPath, f.rel), 'utf8'));
      if (pointer !== undefined)
        lines.push(checkOne(f.rel, pointer.oid, pointer.size, digests, sizes));
    }
  } else {
    if (info.size > DEFAULT_LIMITS.maxTextBytes) {
      io.stderr.write(`torchward hash: ${listPath} is too large for a checksum list\n`);
      return EXIT.FINDINGS;
    }
    const text = await readFile(listPath, 'utf8');
    const pointer = parseLfsPointer(text);
    if (pointer !== undefined) {
      if (digests.size !== 1) throw new UsageError('an LFS pointer file checks a single file PATH');
      const [name] = digests.keys();
      lines.push(checkOne(name ?? '', pointer.oid, pointer.size, digests, sizes));
    } else {
      const parsed = parseChecksumList(text);
      bad = parsed.bad;
      for (const e of parsed.entries)
        lines.push(checkOne(e.path, e.digest, undefined, digests, sizes));
    }
  }
  const failed = lines.filter((l) => l.status !== 'OK').length;
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify({ version: 1, list: relative(io.cwd, listPath) || listPath, ok: failed === 0 && lines.length > 0, badLines: bad, files: lines }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(lines.map((l) => `${l.path}: ${l.status}\n`).join(''));
    if (bad > 0) io.stderr.write(`torchward hash: ${bad} line(s) are improperly formatted\n`);
    if (lines.length === 0)
      io.stderr.write('torchward hash: no properly formatted checksum lines found\n');
    else if (failed > 0)
      io.stderr.write(
        `torchward hash: ${failed} of ${lines.length} computed checksums did NOT match\n`,
      );
  }
  return failed === 0 && lines.length > 0 ? EXIT.OK : EXIT.FINDINGS;
}

function checkOne(
  path: string,
  digest: string,
  size: number | undefined,
  digests: ReadonlyMap<string, string>,
  sizes: ReadonlyMap<string, number>,
): CheckLine {
  const key = path.replace(/^\.\//, '');
  const actual = digests.get(key);
  if (actual === undefined) return { path, status: 'MISSING' };
  const sizeOk = size === undefined || sizes.get(key) === size;
  return { path, status: actual === digest && sizeOk ? 'OK' : 'FAILED' };
}
