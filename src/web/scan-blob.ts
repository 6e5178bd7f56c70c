import { BlobSource, type BlobLike } from '../core/blob-source.js';
import { makeLimits, type Limits } from '../core/limits.js';
import { scanSource, summarize } from '../engine/scan-source.js';
import type { FileResult, ScanReport } from '../engine/result.js';

/** One dropped file: its path inside the drop (folder/name) and its bytes. */
export interface DroppedFile {
  readonly path: string;
  readonly blob: BlobLike;
}

/**
 * Scans dropped files with the CLI's dispatcher and rules, reading each through ranged Blob
 * slices: the report has the CLI's shape (`renderJson` renders it). Every file is named
 * explicitly, so content that matches no format is reported, never skipped as safe.
 */
export async function scanBlobs(
  files: readonly DroppedFile[],
  toolVersion: string,
  options: { limits?: Partial<Limits>; onProgress?: (done: number, path: string) => void } = {},
): Promise<ScanReport> {
  const started = Date.now();
  const limits = makeLimits(options.limits);
  const results: FileResult[] = [];
  const internalErrors: string[] = [];
  for (const file of files) {
    const result = await scanSource(
      new BlobSource(file.blob),
      file.path,
      true,
      limits,
      [],
      internalErrors,
    );
    if (result !== 'skipped') results.push(result);
    options.onProgress?.(results.length, file.path);
  }
  return {
    version: 1,
    tool: { name: 'torchward', version: toolVersion },
    files: results,
    summary: {
      ...summarize(results, [], [], internalErrors, Date.now() - started),
      config: { path: null, ignoredConfigs: [], excluded: 0, ignored: 0 },
    },
  };
}
