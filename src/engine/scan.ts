import { readFileSync } from 'node:fs';
import { FileSource, MemorySource, type ByteSource } from '../core/byte-source.js';
import {
  compareSeverity,
  sortFindings,
  worseVerdict,
  type Finding,
  type Severity,
  type Verdict,
} from '../core/finding.js';
import { makeLimits, type Limits } from '../core/limits.js';
import { looksLikePickle } from '../formats/pickle/sniff.js';
import { EMPTY_CONFIG, type TorchwardConfig } from './config.js';
import type { FileResult, MemberResult, ScanReport, ScanSummary } from './result.js';
import { scanUnit, type FileScanState } from './scan-unit.js';
import { walkPaths, type WalkedFile } from './walk.js';

/** Options of `scanPaths` and `scanFile`. Every field is optional. */
export interface ScanOptions {
  /** Lower any bound (see Limits); defaults are DEFAULT_LIMITS. */
  readonly limits?: Partial<Limits>;
  /** Extra benign globals ('module.name'); they never lift the gadget blocklist. */
  readonly allowGlobals?: readonly string[];
  /** Globs left out of directory scans. */
  readonly exclude?: readonly string[];
  /** A loaded configuration (allow-globals, exclude, runners, ignore …). */
  readonly config?: TorchwardConfig;
  /** Most files one scan reads. */
  readonly maxFiles?: number;
  /** Called after each file, for progress display. */
  readonly onProgress?: (done: number, total: number, path: string) => void;
}

const DEFAULT_MAX_FILES = 1_000_000;

function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Scans files and directories: model artifacts by content, GitHub Actions workflows by path.
 * Never throws for bad input; unreadable paths are listed in the summary.
 */
export async function scanPaths(paths: readonly string[], options: ScanOptions = {}): Promise<ScanReport> {
  const started = Date.now();
  const config = options.config ?? EMPTY_CONFIG;
  const limits = makeLimits(options.limits);
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const walked = await walkPaths(paths, [...config.exclude, ...(options.exclude ?? [])], options.maxFiles ?? DEFAULT_MAX_FILES);
  const files: FileResult[] = [];
  const skipped: string[] = [];
  const internalErrors: string[] = [];
  const unreadable = [...walked.unreadable];
  let done = 0;
  for (const file of walked.files) {
    const result = await scanWalkedFile(file, limits, allowGlobals, internalErrors);
    if (result === 'skipped') skipped.push(file.displayPath);
    else if (typeof result === 'string') unreadable.push({ path: file.displayPath, reason: result });
    else files.push(result);
    done++;
    options.onProgress?.(done, walked.files.length, file.displayPath);
  }
  return {
    version: 1,
    tool: { name: 'torchward', version: toolVersion() },
    files,
    summary: summarize(files, skipped, unreadable, internalErrors, Date.now() - started),
  };
}

/** Scans one file by content and returns its result (never throws for bad input). */
export async function scanFile(path: string, options: ScanOptions = {}): Promise<FileResult> {
  const config = options.config ?? EMPTY_CONFIG;
  const limits = makeLimits(options.limits);
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const file: WalkedFile = { fsPath: path, displayPath: path, explicit: true, relPath: path };
  const result = await scanWalkedFile(file, limits, allowGlobals, []);
  if (result === 'skipped' || typeof result === 'string') {
    return { path, format: 'unreadable', verdict: 'invalid', findings: [], members: [], size: 0 };
  }
  return result;
}

/** Scans bytes already in memory as if they were the file `name` (library and browser use). */
export async function scanBytes(
  bytes: Uint8Array,
  name: string,
  options: ScanOptions = {},
): Promise<FileResult> {
  const config = options.config ?? EMPTY_CONFIG;
  const limits = makeLimits(options.limits);
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const result = await scanSource(new MemorySource(bytes), name, true, limits, allowGlobals, []);
  // A file named explicitly is never skipped: unknown content is reported, not dropped.
  if (result === 'skipped') throw new Error('unreachable: explicit scans are never skipped');
  return result;
}

async function scanWalkedFile(
  file: WalkedFile,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
): Promise<FileResult | 'skipped' | string> {
  let source: FileSource;
  try {
    source = await FileSource.open(file.fsPath);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  try {
    return await scanSource(source, file.displayPath, file.explicit, limits, allowGlobals, internalErrors);
  } finally {
    await source.close();
  }
}

async function scanSource(
  source: ByteSource,
  displayPath: string,
  explicit: boolean,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
): Promise<FileResult | 'skipped'> {
  const state: FileScanState = {
    options: { limits, allowGlobals },
    budget: { inflatedBytes: 0, deadline: Date.now() + limits.maxMillisPerFile },
    findings: [],
    members: [],
    internalErrors,
    looksLikePickle,
    strictUnknown: explicit,
  };
  const outcome = await scanUnit(state, displayPath, [], 0, source);
  if (outcome.unknown && !explicit) return 'skipped';
  return {
    path: displayPath,
    format: outcome.format,
    verdict: outcome.verdict,
    findings: sortFindings(state.findings),
    members: state.members as readonly MemberResult[],
    size: source.size,
  };
}

function summarize(
  files: readonly FileResult[],
  skipped: readonly string[],
  unreadable: readonly { path: string; reason: string }[],
  internalErrors: readonly string[],
  durationMs: number,
): ScanSummary {
  const counts: Record<Verdict, number> = { safe: 0, suspicious: 0, malicious: 0, invalid: 0 };
  const bySeverity: Record<Severity, number> = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  let audited = 0;
  let suppressed = 0;
  for (const file of files) {
    if (file.verdict === null) audited++;
    else counts[file.verdict]++;
    for (const f of file.findings) {
      if (f.suppressed !== undefined) suppressed++;
      else bySeverity[f.severity]++;
    }
  }
  return {
    files: files.length,
    ...counts,
    audited,
    findings: bySeverity,
    suppressed,
    skipped,
    unreadable,
    internalErrors,
    durationMs,
  };
}

/** True when `report` should fail a gate at `failOn`: an unsafe model or a finding at or above it. */
export function failsGate(report: ScanReport, failOn: Severity): boolean {
  return report.files.some(
    (file) =>
      (file.verdict !== null && file.verdict !== 'safe') ||
      file.findings.some((f) => f.suppressed === undefined && compareSeverity(f.severity, failOn) >= 0),
  );
}

/** The worst verdict among files, or 'safe' when none has a verdict. */
export function worstVerdict(files: readonly FileResult[]): Verdict {
  return files.reduce<Verdict>((acc, f) => (f.verdict === null ? acc : worseVerdict(acc, f.verdict)), 'safe');
}

export type { Finding };
