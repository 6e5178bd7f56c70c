import { lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { SandboxError } from './errors.js';

/** An input as it is mounted: `real` is where it lives, `given` how the user named it. */
export interface SandboxInput {
  readonly given: string;
  readonly real: string;
  readonly kind: 'file' | 'directory';
}

// A directory input is walked to find sockets, devices and symlinks out of it before it is
// mounted; past this many entries the walk stops and the input is refused rather than half-checked.
const MAX_WALK_ENTRIES = 200_000;

/** True when `child` is `parent` or below it (both absolute and normalised). */
export function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function describe(st: Stats): string | undefined {
  if (st.isSocket()) return 'a socket';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return undefined;
}

/**
 * Checks every `--input` (absolute paths) and returns them resolved. Throws SandboxError
 * BAD_INPUT for a missing input, a socket, FIFO or device (at the top or inside a directory), a
 * symlink inside a directory input that points out of it, an input that is the caller's home
 * directory or above it (it would expose ~/.ssh and the like), or too many entries to check.
 */
export function checkInputs(inputs: readonly string[], home: string | undefined): SandboxInput[] {
  const out: SandboxInput[] = [];
  for (const given of inputs) {
    let real: string;
    let st: Stats;
    try {
      real = realpathSync(given);
      st = lstatSync(real);
    } catch (error) {
      throw new SandboxError('BAD_INPUT', `input ${given}: ${(error as Error).message}`);
    }
    const special = describe(st);
    if (special !== undefined) throw new SandboxError('BAD_INPUT', `input ${given} is ${special}`);
    if (home !== undefined && isWithin(home, real)) {
      throw new SandboxError(
        'BAD_INPUT',
        `input ${given} is your home directory or holds it; the sandbox would show ~/.ssh, ~/.aws and tokens to the command`,
      );
    }
    if (st.isDirectory()) walkDirectory(given, real);
    out.push({ given, real, kind: st.isDirectory() ? 'directory' : 'file' });
  }
  return out;
}

function walkDirectory(given: string, root: string): void {
  const stack = [root];
  let seen = 0;
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw new SandboxError('BAD_INPUT', `input ${given}: ${(error as Error).message}`);
    }
    for (const name of names) {
      seen += 1;
      if (seen > MAX_WALK_ENTRIES) {
        throw new SandboxError(
          'BAD_INPUT',
          `input ${given} has more than ${MAX_WALK_ENTRIES} entries; pass a smaller directory`,
        );
      }
      const path = join(dir, name);
      const st = lstatSync(path);
      const special = describe(st);
      const shown = join(given, relative(root, path));
      if (special !== undefined) {
        throw new SandboxError('BAD_INPUT', `input ${given}: ${shown} is ${special}`);
      }
      if (st.isSymbolicLink()) {
        const target = symlinkTarget(path);
        if (!isWithin(target, root)) {
          throw new SandboxError(
            'BAD_INPUT',
            `input ${given}: the symlink ${shown} points out of the input (to ${target})`,
          );
        }
      } else if (st.isDirectory()) {
        stack.push(path);
      }
    }
  }
}

// Where a symlink leads: its real path when the chain resolves, else the lexical target (a
// dangling link is judged by where it would point).
function symlinkTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(dirname(path), readlinkSync(path));
  }
}

/**
 * Checks `--output` (absolute): it must not be inside an input, hold an input, be the caller's
 * home directory or above it, or be a system directory; when it exists it must be a directory
 * (not a symlink). Returns its path. Throws SandboxError BAD_INPUT.
 */
export function checkOutput(
  output: string,
  inputs: readonly SandboxInput[],
  home: string | undefined,
): string {
  let path = output;
  let exists = true;
  try {
    const st = lstatSync(output);
    if (st.isSymbolicLink()) path = realpathSync(output);
    if (!lstatSync(path).isDirectory()) {
      throw new SandboxError('BAD_INPUT', `output ${output} exists and is not a directory`);
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    exists = false;
  }
  if (!exists) path = realOrLexical(output);
  for (const input of inputs) {
    if (isWithin(path, input.real)) {
      throw new SandboxError('BAD_INPUT', `output ${output} is inside the input ${input.given}`);
    }
    if (isWithin(input.real, path)) {
      throw new SandboxError('BAD_INPUT', `output ${output} holds the input ${input.given}`);
    }
  }
  if (SYSTEM_DIRS.some((d) => path === d || isWithin(d, path))) {
    throw new SandboxError('BAD_INPUT', `output ${output} is a system directory or holds one`);
  }
  if (home !== undefined && isWithin(home, path)) {
    throw new SandboxError(
      'BAD_INPUT',
      `output ${output} is your home directory or holds it; the command could read and change ~/.ssh and the like`,
    );
  }
  return path;
}

// A writable system directory (or / itself) would let the command change what other programs
// run; an output there is always a mistake.
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/boot', '/var', '/opt'];

// The real path of the longest existing prefix, with the missing rest appended.
function realOrLexical(path: string): string {
  const rest: string[] = [];
  let dir = path;
  for (;;) {
    try {
      return join(realpathSync(dir), ...rest.reverse());
    } catch {
      rest.push(basename(dir));
      const up = dirname(dir);
      if (up === dir) return path;
      dir = up;
    }
  }
}

/**
 * For a root caller, whose command runs as `uid`: checks that `path` can be reached (every real
 * ancestor searchable by others) and used (read, and for the output written) by that uid, so a
 * mistake shows as a clear refusal instead of a permission error from inside. Ancestors under a
 * hidden path are created by the sandbox (0755) and are not checked. Throws SandboxError BAD_INPUT.
 */
export function checkReachable(
  path: string,
  role: 'input' | 'output',
  uid: number,
  hidden: readonly string[],
): void {
  const others = (st: Stats, bits: number): boolean => st.uid === uid || (st.mode & bits) === bits;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const ours = hidden.some((h) => isWithin(dir, h));
    if (!ours && !others(lstatSync(dir), 0o001)) {
      throw new SandboxError(
        'BAD_INPUT',
        `${role} ${path}: the command runs as uid ${uid} (torchward was started as root), which cannot enter ${dir}; make it searchable (chmod o+x) or move the ${role}`,
      );
    }
    if (dir === '/') break;
  }
  const st = lstatSync(path);
  const need = role === 'output' ? 0o007 : st.isDirectory() ? 0o005 : 0o004;
  if (!others(st, need)) {
    throw new SandboxError(
      'BAD_INPUT',
      `${role} ${path}: the command runs as uid ${uid} (torchward was started as root), which cannot ${role === 'output' ? 'write' : 'read'} it; ${role === 'output' ? 'name a new directory (torchward creates it for that user)' : 'make it readable by others (chmod o+r)'}`,
    );
  }
}
