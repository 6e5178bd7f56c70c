import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { readAll, type ByteSource } from '../../core/byte-source.js';
import { FormatError, limitError } from '../../core/errors.js';
import { parseOnnxModel } from '../../formats/onnx/index.js';
import { classifyLocation, locationOf } from '../../rules/onnx/external-location.js';
import type { ExternalFileState, OnnxInput } from '../../rules/onnx/input.js';
import type { UnitContext } from '../unit.js';

/**
 * Scans an ONNX model: decodes the ModelProto (nested graphs and functions included), looks up its
 * external data files beside it (only their size and real path: never their bytes), and runs the
 * `onnx` rules. External files are looked up only for a top-level file, whose uri is a path.
 */
export async function scanOnnx(ctx: UnitContext, source: ByteSource): Promise<void> {
  const limits = ctx.options.limits;
  const tooLarge = limitError(
    source.size,
    limits.maxInputBytes,
    'maxInputBytes',
    0,
    () => `ONNX model of ${source.size} bytes exceeds maxInputBytes`,
  );
  if (tooLarge !== undefined) {
    ctx.malformed('onnx', tooLarge);
    return;
  }
  try {
    const model = parseOnnxModel(await readAll(source), limits);
    const files = new Map<string, ExternalFileState>();
    const dir = ctx.depth === 0 ? dirname(resolve(ctx.uri)) : undefined;
    for (const t of model.externalTensors) {
      const location = locationOf(t.entries) ?? '';
      if (files.has(location)) continue;
      files.set(
        location,
        dir === undefined || classifyLocation(location) !== 'relative'
          ? { kind: 'unchecked' }
          : await lookUp(dir, location),
      );
    }
    const input: OnnxInput = { model, files };
    await ctx.check('onnx', input);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('onnx', error);
  }
}

/** Stats `location` under `dir` and proves its real path stays inside the real `dir`. */
async function lookUp(dir: string, location: string): Promise<ExternalFileState> {
  const path = resolve(dir, location);
  try {
    const [realDir, realFile] = await Promise.all([realpath(dir), realpath(path)]);
    const rel = relative(realDir, realFile);
    // A symlink named like a weights file can point anywhere (CVE-2025-51480).
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
      return { kind: 'escapes', target: realFile };
    const info = await stat(realFile);
    return info.isFile() ? { kind: 'present', size: info.size } : { kind: 'missing' };
  } catch {
    return { kind: 'missing' };
  }
}
