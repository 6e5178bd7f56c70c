// Builds, once per machine, the Python venv that holds the second oracle: torch 2.13 (CPU), Keras 3,
// transformers and safetensors, installed from the local wheel folder and package index that
// `pip config list` names (never the public index: with it pip waits minutes on an unreachable host).
// The venv lives in a cache folder outside the clone, keyed by the requirement list, so a fresh
// clone on the same machine reuses it. Prints the venv's python path on stdout.
//
// Usage: node scripts/torch-venv.mjs            build if missing, print the python path
//        TORCHWARD_TORCH2_PYTHON=/path/python   use that interpreter instead (nothing built)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const REQUIREMENTS = [
  'torch==2.13.0+cpu',
  'keras',
  'transformers',
  'safetensors',
  'numpy',
  // pyarrow writes the ZSTD/LZ4 Feather, Arrow IPC and Parquet files the privacy tests read.
  'pyarrow',
];

/** The interpreter that creates the venv: the first python3 on PATH (3.11 here), not /usr/bin's. */
function basePython() {
  return process.env.TORCHWARD_VENV_BASE_PYTHON ?? 'python3';
}

/** Index options from pip's own configuration: the first index becomes --index-url. */
function indexOptions() {
  let text = '';
  try {
    text = execFileSync(basePython(), ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const values = (key) => {
    const found = [];
    for (const line of text.split('\n')) {
      const m = /^[^.]+\.([a-z-]+)='(.*)'$/.exec(line.trim());
      if (m && m[1] === key) found.push(...m[2].split(/\s+/).filter(Boolean));
    }
    return [...new Set(found)];
  };
  const indexes = [...values('index-url'), ...values('extra-index-url')];
  const links = values('find-links');
  const opts = [];
  if (indexes.length > 0) {
    opts.push('--index-url', indexes[0]);
    for (const extra of indexes.slice(1)) opts.push('--extra-index-url', extra);
  }
  for (const link of links) opts.push('--find-links', link);
  return opts;
}

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'torchward');
}

/** Returns the venv's python, building the venv first if needed. Throws when it cannot be built. */
export function ensureTorchVenv({ quiet = false } = {}) {
  if (process.env.TORCHWARD_TORCH2_PYTHON) return process.env.TORCHWARD_TORCH2_PYTHON;
  const key = createHash('sha256').update(REQUIREMENTS.join('\n')).digest('hex').slice(0, 12);
  const root = cacheRoot();
  const dir = join(root, `venv-torch2.13-${key}`);
  const python = join(dir, 'bin', 'python');
  if (existsSync(join(dir, '.complete'))) return python;
  mkdirSync(root, { recursive: true });
  // One builder at a time: a second process waits for the lock file to go away.
  const lock = join(root, `venv-${key}.lock`);
  let fd;
  for (let waited = 0; ; waited += 1) {
    try {
      fd = openSync(lock, 'wx');
      break;
    } catch {
      if (existsSync(join(dir, '.complete'))) return python;
      if (waited > 600) rmSync(lock, { force: true });
      spawnSync('sleep', ['1']);
    }
  }
  try {
    if (existsSync(join(dir, '.complete'))) return python;
    const log = (msg) => {
      if (!quiet) process.stderr.write(`torch-venv: ${msg}\n`);
    };
    log(`building ${dir} (once per machine, about a minute)`);
    const run = (cmd, args) => {
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) {
        throw new Error(
          `${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr ?? '').slice(-2000)}`,
        );
      }
    };
    // Built in place; the venv counts as ready only once the marker file is written last, so a
    // half-built venv (an interrupted install) is rebuilt from scratch next time.
    rmSync(dir, { recursive: true, force: true });
    run(basePython(), ['-m', 'venv', dir]);
    run(join(dir, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      ...indexOptions(),
      ...REQUIREMENTS,
    ]);
    writeFileSync(join(dir, '.complete'), REQUIREMENTS.join('\n') + '\n');
    log('done');
    return python;
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(ensureTorchVenv() + '\n');
  } catch (err) {
    process.stderr.write(`torch-venv: ${err.message}\n`);
    process.exit(1);
  }
}
