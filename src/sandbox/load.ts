import {
  chownSync,
  closeSync,
  constants,
  fstatSync,
  linkSync,
  mkdtempSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { FileSource } from '../core/byte-source.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { scanFile } from '../engine/scan.js';
import { readSafetensorsHeader } from '../formats/safetensors/index.js';
import { SandboxError } from './errors.js';
import { LOAD_SCRIPT } from './load-script.js';
import type { SandboxHost, SandboxLimits } from './options.js';
import { SANDBOX_ROOT_UID } from './plan.js';
import { runSandbox, type SandboxReport, type SandboxStreams } from './run.js';

/** The Python with torch the load runs (Debian's python3-torch). */
export const LOAD_PYTHON = '/usr/bin/python3';

/** Options of `sandbox load`. Paths are absolute. */
export interface SandboxLoadOptions {
  readonly checkpoint: string;
  readonly output: string;
  readonly force: boolean;
  readonly limits: SandboxLimits;
  readonly trace: boolean;
  readonly allowSensitive: boolean;
}

/** How the written file checked out (null when nothing valid was written). */
export interface LoadValidation {
  readonly ok: boolean;
  /** What was wrong, when not ok. */
  readonly reason: string | null;
  readonly output: string;
  readonly tensors: number;
  readonly bytes: number;
}

/** The sandbox report plus the validation of the output. */
export interface SandboxLoadReport {
  readonly run: SandboxReport;
  readonly validation: LoadValidation;
}

/**
 * Loads `checkpoint` with real torch (weights_only=False) inside the sandbox, with no network and
 * only a fresh private directory next to `output` writable, and writes its tensors as
 * safetensors there. The file is then checked from outside: a regular file with one link, which
 * torchward's scanner calls safe safetensors and whose header validates, before it is moved to
 * `output`. Anything else the command left is deleted. Throws SandboxError for refusals before
 * the run (as runSandbox; BAD_INPUT when `output` exists without `force`).
 */
export async function sandboxLoad(
  options: SandboxLoadOptions,
  host: SandboxHost,
  streams: SandboxStreams,
): Promise<SandboxLoadReport> {
  const outDir = dirname(options.output);
  try {
    if (!statSync(outDir).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new SandboxError('BAD_INPUT', `the output's directory ${outDir} does not exist`);
  }
  if (!options.force && exists(options.output)) {
    throw new SandboxError('BAD_INPUT', `${options.output} exists; pass --force to replace it`);
  }
  if (exists(options.checkpoint) && sameFile(options.checkpoint, options.output)) {
    throw new SandboxError('BAD_INPUT', 'refusing to overwrite the checkpoint with the output');
  }
  // A fresh directory is the only writable place: the rest of OUT's folder stays out of reach.
  const staging = mkdtempSync(join(outDir, '.torchward-load-'));
  const isRoot = process.getuid?.() === 0;
  const staged = join(staging, 'out.safetensors');
  try {
    if (isRoot) chownSync(staging, SANDBOX_ROOT_UID, SANDBOX_ROOT_UID);
    const checkpoint = realpathSync(options.checkpoint);
    const run = await runSandbox(
      {
        command: [LOAD_PYTHON, '-I', '-c', LOAD_SCRIPT, checkpoint, staged],
        display: [LOAD_PYTHON, '-I', '-c', '<torchward load script>', checkpoint, staged],
        inputs: [options.checkpoint],
        output: staging,
        net: 'none',
        limits: options.limits,
        env: [],
        trace: options.trace,
        allowSensitive: options.allowSensitive,
      },
      host,
      streams,
    );
    if (run.exitCode !== 0) {
      return {
        run,
        validation: fail(
          options.output,
          `the load failed inside the sandbox (exit status ${run.exitCode})`,
        ),
      };
    }
    const validation = await validate(staged, options.output);
    if (validation.ok) {
      if (isRoot) chownSync(staged, 0, 0);
      if (options.force) renameSync(staged, options.output);
      else {
        // A hard link does not replace a file that appeared meanwhile.
        linkSync(staged, options.output);
      }
    }
    return { run, validation };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function validate(staged: string, output: string): Promise<LoadValidation> {
  let fd: number;
  try {
    // O_NOFOLLOW: the command could have left a symlink to a file elsewhere in its place.
    fd = openSync(staged, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    return fail(output, `no output file was written (${(error as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return fail(output, 'the output is not a regular file');
    if (st.nlink !== 1) return fail(output, 'the output has other hard links');
  } finally {
    closeSync(fd);
  }
  const scanned = await scanFile(staged);
  if (scanned.format !== 'safetensors' || scanned.verdict !== 'safe') {
    const first = scanned.findings[0]?.message ?? '';
    return fail(
      output,
      `torchward's checks refused the written file (format ${scanned.format}, verdict ${String(scanned.verdict)}${first === '' ? '' : `: ${first}`})`,
    );
  }
  const source = await FileSource.open(staged);
  try {
    const header = await readSafetensorsHeader(source, DEFAULT_LIMITS);
    return { ok: true, reason: null, output, tensors: header.tensors.length, bytes: source.size };
  } catch (error) {
    return fail(output, `the written file's header is invalid: ${(error as Error).message}`);
  } finally {
    await source.close();
  }
}

function fail(output: string, reason: string): LoadValidation {
  return { ok: false, reason, output, tensors: 0, bytes: 0 };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}
