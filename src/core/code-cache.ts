// Runs a CommonJS bundle of torchward (the CLI, or the scan worker thread) through `vm.Script`
// with a V8 code cache kept in a per-user cache folder, so a start-up deserialises the compiled
// functions of an earlier run instead of parsing and compiling the bundle again (about 40 ms of
// the CPU of `torchward scan FILE` here; see docs/benchmarks.md, "Code cache"). Node 20 has no
// compile cache of its own (module.enableCompileCache came in Node 22), hence this.
//
// The cache is only ever given to V8, which accepts it or rejects it; nothing else in it is read.
// Because V8 (release builds) checks no more than its version, its flags and the source's length,
// this module adds what it does not:
//  - the cache file's name holds a hash of the bundle computed at build time, and the bundle
//    file's size and modification time, so an edited or replaced bundle never meets the bytecode
//    of another one;
//  - the file starts with a CRC-32 of its payload: a torn or corrupted file is ignored (V8 would
//    otherwise run corrupted bytecode; see test/core/code-cache.test.ts);
//  - a file (or folder) that is not the user's own, or that others may write, is ignored.
// Writes go to a temporary file renamed into place, so a reader sees a whole file or none; any
// failure (read-only home, full disk) only means running without a cache.
import { createRequire } from 'node:module';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/** The parameters the bundle's code is wrapped in (CommonJS's, plus the dynamic-import hook). */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __tw_import) {';
const WRAPPER_TAIL = '\n})';
/** First bytes of a cache file: format name and version. */
const MAGIC = Buffer.from('torchward-v8-cache-1\n', 'latin1');
/** A cache slot's name. */
const SLOT = /^[a-z][a-z-]{0,30}$/;
/** What follows the slot in a cache file's name (see runCachedBundle). */
const STALE = /^-[0-9a-f]+-\d+-\d+\.v8$/;
/** Largest cache file read (the CLI's is about 1 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** What runCachedBundle needs. */
export interface CachedBundle {
  /** Absolute path of the CommonJS bundle to run. */
  readonly file: string;
  /** Hash of the bundle written by the build (hex), part of the cache file's name. */
  readonly buildHash: string;
  /** Cache slot ([a-z-]+): one per entry and, for the CLI, per kind of command. */
  readonly slot: string;
  /** Environment read for TORCHWARD_CODE_CACHE, XDG_CACHE_HOME … (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** `import()` as the caller's module resolves it, for the bundle's dynamic imports. */
  readonly importModule: (specifier: string) => Promise<unknown>;
}

/** A bundle that has run: how its cache was used, and how to write one. */
export interface CachedRun {
  /** 'accepted' (V8 used the cache), 'rejected' (V8 refused it), 'none' (no usable file). */
  readonly cache: 'accepted' | 'rejected' | 'none' | 'off';
  /** The cache file's path (undefined when caching is off). */
  readonly path: string | undefined;
  /**
   * Writes the compiled code as it is now (call after a run, when the functions the command
   * used have been compiled), unless V8 accepted a cache at the start. Never throws.
   */
  save(): void;
}

/**
 * The per-user folder code caches are kept in: TORCHWARD_CODE_CACHE_DIR, else
 * $XDG_CACHE_HOME/torchward, else ~/.cache/torchward (%LOCALAPPDATA%\torchward on Windows);
 * undefined when TORCHWARD_CODE_CACHE is `0` or `off`.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const off = env.TORCHWARD_CODE_CACHE;
  if (off === '0' || off === 'off') return undefined;
  const explicit = env.TORCHWARD_CODE_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return explicit;
  if (process.platform === 'win32') {
    const local = env.LOCALAPPDATA;
    return local === undefined || local === '' ? undefined : join(local, 'torchward');
  }
  const xdg = env.XDG_CACHE_HOME;
  if (xdg?.startsWith('/') === true) return join(xdg, 'torchward');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home === '' ? undefined : join(home, '.cache', 'torchward');
}

/** True when `stats` may be trusted as the user's own: owned by them, writable by nobody else. */
function ownedPrivately(stats: Stats): boolean {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  return stats.uid === process.getuid() && (stats.mode & 0o022) === 0;
}

/** The payload of a cache file, or undefined when it is absent, foreign, torn or corrupt. */
function readCache(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || !ownedPrivately(stats) || !ownedPrivately(statSync(dirname(path))))
      return undefined;
    if (stats.size < MAGIC.length + 4 || stats.size > MAX_CACHE_BYTES) return undefined;
    const data = Buffer.allocUnsafe(stats.size);
    let got = 0;
    while (got < data.length) {
      const n = readSync(fd, data, got, data.length - got, got);
      if (n === 0) return undefined;
      got += n;
    }
    if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const payload = data.subarray(MAGIC.length + 4);
    if (data.readUInt32LE(MAGIC.length) !== crc32(payload)) return undefined;
    return payload;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes `payload` as the cache file `path`, atomically; other caches of the slot are removed. */
function writeCache(path: string, slot: string, payload: Buffer): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedPrivately(statSync(dir))) return;
    const head = Buffer.alloc(MAGIC.length + 4);
    MAGIC.copy(head);
    head.writeUInt32LE(crc32(payload), MAGIC.length);
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, head);
      writeSync(fd, payload);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    // Caches of the same slot for other builds are stale once this one exists.
    for (const name of readdirSync(dir)) {
      if (
        name !== basename(path) &&
        name.startsWith(`${slot}-`) &&
        STALE.test(name.slice(slot.length))
      ) {
        try {
          unlinkSync(join(dir, name));
        } catch {
          // Another process may have removed it first.
        }
      }
    }
  } catch {
    // No cache this time: the next run compiles again.
  }
}

/**
 * Compiles and runs the CommonJS bundle `options.file` in this thread (with the cache when one is
 * usable) and returns how the cache was used and a way to write it. The bundle's module-level
 * errors propagate as they would from `require`.
 */
export function runCachedBundle(options: CachedBundle): CachedRun {
  const { file } = options;
  const bundleStats = statSync(file);
  const dir = SLOT.test(options.slot) ? codeCacheDir(options.env) : undefined;
  const path =
    dir === undefined
      ? undefined
      : join(
          dir,
          `${options.slot}-${options.buildHash}-${bundleStats.size}-${Math.trunc(bundleStats.mtimeMs)}.v8`,
        );
  const cached = path === undefined ? undefined : readCache(path);
  // A #! line (the CLI entry has one) is no JavaScript inside the wrapper; '//' keeps its length.
  const source = readFileSync(file, 'utf8').replace(/^#!/, '//');
  const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, {
    filename: file,
    ...(cached === undefined ? {} : { cachedData: cached }),
  });
  const cache: CachedRun['cache'] =
    path === undefined
      ? 'off'
      : cached === undefined
        ? 'none'
        : script.cachedDataRejected === true
          ? 'rejected'
          : 'accepted';
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
    importModule: (specifier: string) => Promise<unknown>,
  ) => void;
  const module = { exports: {} };
  let saved = cache === 'accepted';
  const result: CachedRun = {
    cache,
    path,
    save: () => {
      if (saved || path === undefined) return;
      saved = true;
      try {
        writeCache(path, options.slot, script.createCachedData());
      } catch {
        // Nothing to write: run without a cache next time too.
      }
    },
  };
  run(module.exports, createRequire(file), module, file, dirname(file), options.importModule);
  return result;
}
