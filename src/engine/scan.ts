import { isAbsolute, relative, resolve, sep } from 'node:path';
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { FileSource } from '../core/byte-source.js';
import {
  compareSeverity,
  sortFindings,
  worseVerdict,
  type Finding,
  type Severity,
  type Verdict,
} from '../core/finding.js';
import { makeLimits, type Limits } from '../core/limits.js';
import { auditConfigOf, EMPTY_CONFIG, type TorchwardConfig } from './config-model.js';
import type { FileResult, ScanReport } from './result.js';
import type { WalkedOutcome } from './scan-pool.js';
import { summarize } from './summary.js';
import { walkPaths, type UnscannedPath, type WalkedFile } from './walk.js';
import { isWorkflowPath } from './workflow-paths.js';
import { deployKindOf, needsHead, type DeployKind } from '../deploy/kind.js';
import { codeFileKind } from './code-file-kind.js';
import type { DeclaredTorch } from '../rules/code/input.js';
import { toolVersion } from './version.js';
import { makeFinding } from '../rules/define-rule.js';
import { describeRuleFailure } from '../rules/rule-failure.js';
import unscannedRule from '../rules/model/unscanned.js';
import { isConfigName } from './config-model.js';
import { isAuditedRepositoryFile } from './repository-files.js';
import type { SignatureCheck } from '../core/signature-check.js';
import type { WorkflowAuditFilter } from './workflow-audit.js';
import type { DecodedUnits } from './decoded-units.js';

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
  /**
   * Signature checks the caller ran (`checkModelSignatures(paths, policy)`, as
   * `scan --require-signature` does): each is judged by the `provenance/*` rules and reported on
   * its signature file's entry. The scan itself never verifies signatures.
   */
  readonly signatures?: readonly SignatureCheck[];
  /** Directory that relative display paths are relative to (default: process.cwd()). */
  readonly cwd?: string;
  /**
   * Severity of the finding for each path that was not scanned (missing, unreadable, a link that
   * leads nowhere or out of the folder, a special file, over maxFiles). Default high: fails the
   * run at the default --fail-on.
   */
  readonly unscannedSeverity?: Severity;
  /** Called after each file, for progress display. */
  readonly onProgress?: (done: number, total: number, path: string) => void;
  /** Workflow audit filters: lowest confidence reported and pedantic mode (CLI flags or config). */
  readonly workflowFilter?: WorkflowAuditFilter;
  /** Told about settings that do nothing (an ignore comment naming no rule); the CLI prints them. */
  readonly onWarning?: (message: string) => void;
  /**
   * Threads that scan model files in parallel (the CLI uses one per core), the calling thread
   * counted as one. Files over 256 KiB (and anything not a regular file) then run on worker
   * threads, each terminated if its file outlives its time limit (`limits.maxMillisPerFile`), so
   * one pathological file cannot stall the rest; smaller files are shared between the workers and
   * the calling thread, where, as in an unthreaded scan, the decoders' own deadline checks apply.
   * 0 (the default) scans on the calling thread.
   */
  readonly threads?: number;
  /**
   * Also search data files for personal data and secrets (`scan --privacy`, `privacy: true` in
   * the config): text, JSON/JSONL, CSV/TSV, Parquet, notebooks and the metadata of safetensors
   * and GGUF files, plain or compressed. Findings use the `privacy/*` rules.
   */
  readonly privacy?: boolean;
  /**
   * `scanFile` only: keep what the scan decoded at the top level (zip directory, pickles, legacy
   * tar, .npy headers) here, for a loader that reads the same file next (see DecodedUnits).
   */
  readonly keepDecoded?: DecodedUnits;
}

const DEFAULT_MAX_FILES = 1_000_000;
/** Files scanned concurrently (each bounded by Limits, so memory stays bounded too). */
const FILES_IN_FLIGHT = 8;
/**
 * Worker threads start only for a batch worth their start-up: each thread loads the scanner
 * again (about 0.1 s of CPU here), which costs more than scanning one checkpoint or a handful of
 * small ones on the calling thread. A batch is worth it from this many model files …
 */
const THREADS_MIN_FILES = 16;
/** … or from two files of at least this size (large pickles and compressed members take time). */
const THREADS_LARGE_FILE = 16 * 1024 * 1024;

/**
 * Whether `models` are worth scanning on worker threads (see THREADS_MIN_FILES). A file that
 * cannot be sized counts as small: the scan itself reports it.
 */
export function worthThreads(models: readonly { fsPath: string }[]): boolean {
  if (models.length < 2) return false;
  if (models.length >= THREADS_MIN_FILES) return true;
  let large = 0;
  for (const m of models) {
    try {
      if (statSync(m.fsPath).size >= THREADS_LARGE_FILE && ++large >= 2) return true;
    } catch {
      // Unreadable: reported by the scan.
    }
  }
  return false;
}

/**
 * Scans files and directories: model artifacts by content, GitHub Actions workflows by path.
 * Never throws for bad input; unreadable paths are listed in the summary.
 */
export async function scanPaths(
  paths: readonly string[],
  options: ScanOptions = {},
): Promise<ScanReport> {
  const started = Date.now();
  const config = options.config ?? EMPTY_CONFIG;
  const limits = makeLimits(options.limits);
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const walked = await walkPaths(
    paths,
    [...config.exclude, ...(options.exclude ?? [])],
    options.maxFiles ?? DEFAULT_MAX_FILES,
  );
  const files: FileResult[] = [];
  const skipped: string[] = [];
  const internalErrors: string[] = [];
  const unreadable: UnscannedPath[] = [...walked.unreadable];
  const unscannedSeverity = options.unscannedSeverity ?? 'high';
  const order = new Map(walked.files.map((f, i) => [f.displayPath, i]));
  const { workflows, code, models, deployKinds } = planFiles(walked.files);
  const total = walked.files.length;
  let done = 0;
  /** One more file done: counted for the progress callback. */
  const progressed = (path: string): void => {
    done++;
    options.onProgress?.(done, total, path);
  };
  await auditWorkflows(workflows, limits, config, options, files, internalErrors, progressed);
  const codeStart = files.length;
  const torch = await auditCode(
    code,
    limits,
    config,
    files,
    internalErrors,
    allowGlobals,
    options.onWarning,
    () => {
      done++;
    },
    options.onProgress === undefined
      ? undefined
      : (path) => {
          options.onProgress?.(done, total, path);
        },
  );
  const codeEntries = new Map<string, number>();
  for (let i = codeStart; i < files.length; i++) {
    const entry = files[i];
    if (entry !== undefined) codeEntries.set(entry.path, i);
  }
  await auditDeployment(
    deployKinds,
    limits,
    config,
    options,
    files,
    internalErrors,
    codeEntries,
    progressed,
  );
  // Results are put back in walk order below, so output does not depend on completion order.
  const record = (file: WalkedFile, result: WalkedOutcome | undefined): void => {
    if (result === 'skipped') skipped.push(file.displayPath);
    else if (result === undefined)
      unreadable.push({ path: file.displayPath, reason: 'internal error', kind: 'unreadable' });
    else if ('unreadable' in result)
      unreadable.push({ path: file.displayPath, reason: result.unreadable, kind: 'unreadable' });
    else
      files.push(
        file.aliases === undefined || file.aliases.length === 0
          ? result
          : { ...result, aliases: file.aliases },
      );
    progressed(file.displayPath);
  };
  await scanModelFiles(models, options.threads ?? 0, limits, allowGlobals, internalErrors, record);
  skipped.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  await auditRepositories(walked.files, files, skipped, limits, internalErrors);
  if (options.privacy === true || config.privacy === true)
    await auditPrivacy(walked.files, files, skipped, limits, config, internalErrors);
  // Nothing unscanned is silent: each path not read is an entry with a finding of its own.
  for (const u of unreadable) files.push(unscannedEntry(u, unscannedSeverity));
  if (options.signatures !== undefined && options.signatures.length > 0) {
    const { judgeSignatures } = await import('./signature-results.js');
    const signed = await judgeSignatures(
      options.signatures,
      options.cwd ?? process.cwd(),
      internalErrors,
    );
    for (const entry of signed) {
      // The signature file was found in the walk as unrecognised JSON: it is reported here instead.
      const at = skipped.indexOf(entry.path);
      if (at >= 0) skipped.splice(at, 1);
      files.push(entry);
    }
  }
  // Report files in walk order (sorted within each directory), whatever was scanned first.
  files.sort(
    (a, b) =>
      (order.get(a.path) ?? Number.MAX_SAFE_INTEGER) -
      (order.get(b.path) ?? Number.MAX_SAFE_INTEGER),
  );
  // A configuration file inside a scanned folder is the scanned content's: never read implicitly.
  const usedConfig = config.source === undefined ? undefined : resolve(config.source);
  const ignoredConfigs = walked.files
    .filter((f) => !f.explicit && isConfigName(f.relPath) && resolve(f.fsPath) !== usedConfig)
    .map((f) => f.displayPath);
  const configIgnored = files.reduce(
    (n, f) => n + f.findings.filter((x) => x.suppressed === 'config').length,
    0,
  );
  return {
    version: 1,
    tool: { name: 'torchward', version: toolVersion() },
    files,
    ...(torch === undefined ? {} : { torch }),
    summary: {
      ...summarize(files, skipped, unreadable, internalErrors, Date.now() - started),
      config: {
        path: config.source === undefined ? null : displayOf(config.source, options.cwd),
        ignoredConfigs,
        excluded: walked.excluded,
        ignored: configIgnored,
      },
    },
  };
}

/** The walked files sorted by the audit or scan that reads them (see planFiles). */
interface ScanPlan {
  readonly workflows: WalkedFile[];
  readonly code: WalkedFile[];
  readonly models: WalkedFile[];
  readonly deployKinds: Map<WalkedFile, DeployKind>;
}

/**
 * Sorts walked files by job. Deployment files (Kubernetes, compose, Helm values, Dockerfiles,
 * shell and SLURM scripts) go to the deploy audit; a file in .github/workflows/ stays a workflow
 * whatever it holds. Code files (Python, notebooks, Dockerfiles, shell scripts, dependency files)
 * go to the code audit; a Dockerfile or shell script is read by both, and their findings join one
 * entry. Everything else is scanned by content as a model artifact.
 */
function planFiles(walked: readonly WalkedFile[]): ScanPlan {
  const deployKinds = new Map<WalkedFile, DeployKind>();
  const isCodeFile = (f: WalkedFile): boolean =>
    !isWorkflowFile(f) && codeFileKind(f.displayPath) !== undefined;
  const workflows: WalkedFile[] = [];
  const code: WalkedFile[] = [];
  const models: WalkedFile[] = [];
  for (const f of walked) {
    const kind = deployKindOfFile(f);
    if (kind !== undefined) deployKinds.set(f, kind);
    const isCode = isCodeFile(f);
    if (isCode) code.push(f);
    if (kind !== undefined) continue;
    if (isWorkflowFile(f)) workflows.push(f);
    else if (!isCode) models.push(f);
  }
  return { workflows, code, models, deployKinds };
}

/**
 * Scans model files by content: on `threads` worker threads when the batch is worth their
 * start-up (worthThreads), else on the calling thread with a few files in flight. `record` gets
 * each file's outcome as it arrives. The decoders load only where the files are scanned: a run on
 * worker threads does not load them on the calling thread too.
 */
async function scanModelFiles(
  models: readonly WalkedFile[],
  threads: number,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
  record: (file: WalkedFile, result: WalkedOutcome | undefined) => void,
): Promise<void> {
  if (models.length === 0) return;
  if (threads > 0 && worthThreads(models)) {
    const { scanInThreads } = await import('./scan-pool.js');
    // The calling thread scans small files too while the workers start and run (it would
    // otherwise wait): one worker fewer to start, and no file waits for one to boot.
    await scanInThreads(
      models,
      threads,
      limits,
      allowGlobals,
      (file, result, errors) => {
        for (const e of errors) internalErrors.push(e);
        record(file, result);
      },
      { callingThread: true },
    );
    return;
  }
  const { scanWalkedFile } = await import('./scan-file.js');
  // Several files in flight hide I/O latency; decoding itself stays on this one thread.
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < models.length) {
      const file = models[next++];
      if (file === undefined) break;
      record(file, await scanWalkedFile(file, limits, allowGlobals, internalErrors));
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, models.length) }, lane));
}

/**
 * The privacy pass: every walked file the privacy scan reads is searched; its findings and
 * column summary join the file's entry (a safetensors file keeps its verdict), or a new entry
 * replaces the file's place in `skipped` (a CSV is no model artifact, but it was read).
 */
async function auditPrivacy(
  walked: readonly WalkedFile[],
  files: FileResult[],
  skipped: string[],
  limits: Limits,
  config: TorchwardConfig,
  internalErrors: string[],
): Promise<void> {
  const { auditPrivacyFiles, privacyFormatOf } = await import('./privacy-audit.js');
  const data = walked.filter((f) => privacyFormatOf(f.displayPath) !== undefined);
  if (data.length === 0) return;
  const results = await auditPrivacyFiles(
    data.map((f) => ({ path: f.fsPath, uri: f.displayPath })),
    { limits, ignore: config.ignore },
  );
  const sizes = new Map(data.map((f) => [f.displayPath, f]));
  for (const result of results) {
    internalErrors.push(...result.internalErrors);
    const index = files.findIndex((f) => f.path === result.uri);
    const existing = index < 0 ? undefined : files[index];
    if (existing !== undefined) {
      // A data file the model scan could only call "no known model format" was read as data
      // here: that finding (and the `invalid` verdict it alone forced) gives way to the privacy
      // findings. Any other model finding (a pickle under a .csv name) stays, with its verdict.
      const dataOnly =
        result.summary.format !== 'safetensors' &&
        result.summary.format !== 'gguf' &&
        existing.findings.length > 0 &&
        existing.findings.every((f) => f.ruleId === 'model/unknown-format');
      files[index] = {
        ...existing,
        ...(dataOnly ? { verdict: null, format: result.summary.format, members: [] } : {}),
        findings: sortFindings([...(dataOnly ? [] : existing.findings), ...result.findings]),
        privacy: result.summary,
      };
      continue;
    }
    const at = skipped.indexOf(result.uri);
    if (at >= 0) skipped.splice(at, 1);
    const walkedFile = sizes.get(result.uri);
    let size = 0;
    if (walkedFile !== undefined) {
      try {
        const { statSync } = await import('node:fs');
        size = statSync(walkedFile.fsPath).size;
      } catch {
        size = 0;
      }
    }
    files.push({
      path: result.uri,
      format: result.summary.format,
      verdict: null,
      findings: result.findings,
      members: [],
      size,
      privacy: result.summary,
    });
  }
}

/** `path` relative to `cwd` ('/'-separated) when that is short; otherwise absolute. */
function displayOf(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, resolve(path));
  const ups = rel.split(sep).filter((s) => s === '..').length;
  return rel === '' || isAbsolute(rel) || ups > 3 ? resolve(path) : rel.split(sep).join('/');
}

/** The report entry of a path that was not scanned: no verdict, one model/unscanned finding. */
export function unscannedEntry(u: UnscannedPath, severity: Severity): FileResult {
  const what: Record<UnscannedPath['kind'], string> = {
    missing: 'the path named',
    unreadable: 'the path',
    'symlink-escape': 'the symbolic link',
    'symlink-dangling': 'the symbolic link',
    'special-file': 'the special file',
    'file-limit': 'the file',
  };
  const finding = makeFinding(
    unscannedRule,
    { uri: u.path, unit: 'byte' },
    {
      messageId: 'unscanned',
      data: { what: what[u.kind], reason: u.reason },
      at: { span: { start: 0, end: 0 } },
      severity,
    },
  );
  return {
    path: u.path,
    format: 'unscanned',
    verdict: null,
    findings: [finding],
    members: [],
    size: 0,
  };
}

/** Scans one file by content and returns its result (never throws for bad input). */
export async function scanFile(path: string, options: ScanOptions = {}): Promise<FileResult> {
  return (await import('./scan-file.js')).scanFile(path, options);
}

/** Scans bytes already in memory as if they were the file `name` (library and browser use). */
export async function scanBytes(
  bytes: Uint8Array,
  name: string,
  options: ScanOptions = {},
): Promise<FileResult> {
  return (await import('./scan-file.js')).scanBytes(bytes, name, options);
}

/**
 * Model repositories as a whole: each directory given that holds a model (a scanned artifact or a
 * top-level config.json) is audited for remote code, Hydra targets, chat templates and Python files.
 * Findings join the file's own entry, or make one for a file that was skipped as unrecognised.
 */
async function auditRepositories(
  walkedFiles: readonly WalkedFile[],
  files: FileResult[],
  skipped: string[],
  limits: Limits,
  internalErrors: string[],
): Promise<void> {
  const scanned = new Map(files.map((f, i) => [f.path, i]));
  for (const [root, group] of groupByRoot(walkedFiles)) {
    if (root === undefined) continue;
    const holdsModel =
      group.some((f) => f.relPath === 'config.json') ||
      group.some((f) => {
        const at = scanned.get(f.displayPath);
        return at !== undefined && files[at]?.verdict !== null;
      });
    if (!holdsModel) continue;
    // The audit reads only configs, templates and Python files: a folder of checkpoints alone
    // has nothing for it, and does not pay for loading the YAML parser and the rule registry.
    if (!group.some((f) => isAuditedRepositoryFile(f.relPath))) continue;
    const displayOf = new Map(group.map((f) => [f.relPath, f]));
    const { auditModelRepository } = await import('./repository-audit.js');
    const found = await auditModelRepository(
      root,
      group.map((f) => f.relPath),
      (rel) => displayOf.get(rel)?.displayPath ?? rel,
      limits,
      internalErrors,
    );
    for (const [uri, findings] of found) {
      const at = scanned.get(uri);
      const existing = at === undefined ? undefined : files[at];
      if (existing !== undefined && at !== undefined) {
        const merged = sortFindings([...existing.findings, ...findings]);
        files[at] = { ...existing, findings: merged, verdict: verdictOf(merged, existing.verdict) };
        continue;
      }
      const walkedFile = group.find((f) => f.displayPath === uri);
      const text =
        walkedFile === undefined || walkedFile.relPath.endsWith('.py')
          ? undefined
          : await readText(walkedFile.fsPath, limits.maxTextBytes);
      const skippedAt = skipped.indexOf(uri);
      if (skippedAt >= 0) skipped.splice(skippedAt, 1);
      const sorted = sortFindings(findings);
      files.push({
        path: uri,
        format: uri.endsWith('.py')
          ? 'python'
          : uri.endsWith('.jinja')
            ? 'chat-template'
            : 'config',
        verdict: verdictOf(sorted, 'safe'),
        findings: sorted,
        members: [],
        ...(text === undefined ? {} : { text }),
        size: text === undefined ? 0 : Buffer.byteLength(text),
      });
    }
  }
}

function verdictOf(findings: readonly Finding[], base: Verdict | null): Verdict | null {
  let verdict = base;
  for (const f of findings) {
    if (f.verdict === undefined || f.suppressed !== undefined) continue;
    verdict = verdict === null ? f.verdict : worseVerdict(verdict, f.verdict);
  }
  return verdict;
}

async function readText(path: string, max: number): Promise<string | undefined> {
  try {
    const source = await FileSource.open(path);
    try {
      if (source.size > max) return undefined;
      return new TextDecoder('utf-8', { fatal: true }).decode(await source.read(0, source.size));
    } finally {
      await source.close();
    }
  } catch {
    return undefined;
  }
}

// Enough of a YAML file to see its top-level `apiVersion:` and `kind:`.
const DEPLOY_HEAD_BYTES = 64 * 1024;

/** The deployment kind of a walked file (by name, and by its first bytes for YAML). */
function deployKindOfFile(file: WalkedFile): DeployKind | undefined {
  const posix = resolve(file.fsPath).split(sep).join('/');
  if (isWorkflowPath(posix)) return undefined;
  let head: string | undefined;
  if (needsHead(posix)) {
    try {
      // O_NONBLOCK: a FIFO named *.yaml must not block the walk waiting for a writer.
      const fd = openSync(file.fsPath, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const buffer = Buffer.alloc(DEPLOY_HEAD_BYTES);
        const n = readSync(fd, buffer, 0, buffer.length, 0);
        head = buffer.subarray(0, n).toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      head = undefined;
    }
  }
  return deployKindOf(posix, head);
}

/** Workflow files by location; a YAML file named on the command line is audited as one too. */
function isWorkflowFile(file: WalkedFile): boolean {
  // Every name tested below ends in .yml or .yaml: any other file (a checkpoint) skips the path
  // work, which a folder of thousands of checkpoints otherwise pays per file.
  if (!YAML_NAME.test(file.fsPath) && !YAML_NAME.test(file.displayPath)) return false;
  // The absolute path, so `scan .github/` and `scan workflows/` still see `.github/workflows/`.
  if (isWorkflowPath(resolve(file.fsPath).split(sep).join('/'))) return true;
  // A conda environment file named on the command line is code-audit input, not a workflow.
  if (codeFileKind(file.displayPath) === 'conda') return false;
  return file.explicit && YAML_NAME.test(file.displayPath);
}

const YAML_NAME = /\.ya?ml$/i;

/**
 * Audits GitHub Actions workflows and actions, one group per scanned root (so local reusable
 * workflows and actions resolve), adding one entry per file to `files`.
 */
async function auditWorkflows(
  workflows: readonly WalkedFile[],
  limits: Limits,
  config: TorchwardConfig,
  options: ScanOptions,
  files: FileResult[],
  internalErrors: string[],
  progressed: (path: string) => void,
): Promise<void> {
  for (const [root, group] of groupByRoot(workflows)) {
    // The YAML front end, repository audit and signature rules load only when needed.
    const { auditWorkflowFiles } = await import('./workflow-audit.js');
    const audited = await auditWorkflowFiles(
      group.map((f) => ({ path: f.fsPath, uri: f.displayPath })),
      {
        limits,
        config: auditConfigOf(config),
        ...(root === undefined ? {} : { repoRoot: root }),
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        ...(config.minConfidence === undefined ? {} : { minConfidence: config.minConfidence }),
        ...(config.pedantic === undefined ? {} : { pedantic: config.pedantic }),
        ...options.workflowFilter,
      },
    );
    for (const result of audited) {
      for (const e of result.internalErrors) internalErrors.push(describeRuleFailure(e));
      files.push({
        path: result.uri,
        format:
          result.uri.endsWith('action.yml') || result.uri.endsWith('action.yaml')
            ? 'action'
            : 'workflow',
        verdict: null,
        findings: sortFindings(result.findings),
        members: [],
        text: result.text,
        size: Buffer.byteLength(result.text),
      });
      progressed(result.uri);
    }
  }
}

/**
 * Audits deployment files (service units, compose files, launch scripts …), one group per scanned
 * root. A file already audited as code (`codeEntries`: its index in `files`) gets one entry with
 * both audits' findings.
 */
async function auditDeployment(
  deployKinds: ReadonlyMap<WalkedFile, DeployKind>,
  limits: Limits,
  config: TorchwardConfig,
  options: ScanOptions,
  files: FileResult[],
  internalErrors: string[],
  codeEntries: ReadonlyMap<string, number>,
  progressed: (path: string) => void,
): Promise<void> {
  for (const [root, group] of groupByRoot(deployKinds.keys())) {
    const { auditDeployFiles } = await import('./deploy-audit.js');
    const audited = await auditDeployFiles(
      group.map((f) => ({
        path: f.fsPath,
        uri: f.displayPath,
        kind: deployKinds.get(f) ?? 'shell',
      })),
      {
        limits,
        config: auditConfigOf(config),
        ...(root === undefined ? {} : { repoRoot: root }),
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      },
    );
    for (const result of audited) {
      for (const e of result.internalErrors) internalErrors.push(describeRuleFailure(e));
      const index = codeEntries.get(result.uri);
      const existing = index === undefined ? undefined : files[index];
      if (index !== undefined && existing !== undefined) {
        // Already audited as code (a Dockerfile or shell script): one entry, both audits' findings.
        // Both read service and launcher command lines; where a deploy finding covers the same text
        // as a code/distributed-exposure one, the deploy rule (the more specific) speaks alone.
        const overlapsDeploy = (f: Finding): boolean =>
          f.ruleId === 'code/distributed-exposure' &&
          result.findings.some(
            (d) =>
              d.primary.span.start < f.primary.span.end &&
              f.primary.span.start < d.primary.span.end,
          );
        files[index] = {
          ...existing,
          findings: sortFindings([
            ...existing.findings.filter((f) => !overlapsDeploy(f)),
            ...result.findings,
          ]),
        };
        continue;
      }
      files.push({
        path: result.uri,
        format: result.kind,
        verdict: null,
        findings: result.findings,
        members: [],
        text: result.text,
        size: Buffer.byteLength(result.text),
      });
      progressed(result.uri);
    }
  }
}

/**
 * Audits Python, notebooks, shell scripts, Dockerfiles and dependency files per scanned root (the
 * declared torch version is a property of a repository). A code file whose bytes look like a
 * model artifact (binary, pickle, zip) is also scanned by content, and its findings join the
 * entry. Returns what the roots declare about torch, or undefined when no code file was given.
 */
async function auditCode(
  code: readonly WalkedFile[],
  limits: Limits,
  config: TorchwardConfig,
  files: FileResult[],
  internalErrors: string[],
  allowGlobals: readonly string[],
  onWarning: ((message: string) => void) | undefined,
  onDone: () => void,
  onProgress: ((path: string) => void) | undefined,
): Promise<DeclaredTorch | undefined> {
  if (code.length === 0) return undefined;
  const { auditCodeFiles, torchStatus } = await import('./code-audit.js');
  const declarations: DeclaredTorch['declarations'][number][] = [];
  for (const [root, group] of groupByRoot(code)) {
    const audited = await auditCodeFiles(
      group.map((f) => ({
        path: f.fsPath,
        uri: f.displayPath,
        kind: codeFileKind(f.displayPath) ?? 'python',
      })),
      {
        limits,
        config: auditConfigOf(config),
        ...(root === undefined ? {} : { repoRoot: root }),
        // Pedantic mode parses every Python file, so every syntax error is reported.
        ...(config.pedantic === true ? { prefilter: false } : {}),
        ...(onWarning === undefined ? {} : { onWarning }),
      },
    );
    declarations.push(...audited.torch.declarations);
    for (const [i, result] of audited.results.entries()) {
      for (const e of result.internalErrors) internalErrors.push(describeRuleFailure(e));
      let entry: FileResult = {
        path: result.uri,
        format: result.kind,
        verdict: null,
        findings: result.findings,
        members: [],
        ...(result.text === undefined ? {} : { text: result.text }),
        size: result.size,
      };
      const walked = group[i];
      if (result.contentScan && walked !== undefined) {
        // A pickle or archive named like code is judged by its content as well.
        const { scanWalkedFile } = await import('./scan-file.js');
        const scanned = await scanWalkedFile(
          { ...walked, explicit: false },
          limits,
          allowGlobals,
          internalErrors,
        );
        if (scanned !== 'skipped' && !('unreadable' in scanned)) {
          entry = {
            ...scanned,
            findings: sortFindings([...scanned.findings, ...result.findings]),
            ...(result.text === undefined ? {} : { text: result.text }),
          };
        }
      }
      files.push(entry);
      onDone();
      onProgress?.(result.uri);
    }
  }
  return { status: torchStatus(declarations.map((d) => d.spec)), declarations };
}

/** True when `report` should fail a gate at `failOn`: an unsafe model or a finding at or above it. */
export function failsGate(report: ScanReport, failOn: Severity): boolean {
  return report.files.some(
    (file) =>
      (file.verdict !== null && file.verdict !== 'safe') ||
      file.findings.some(
        (f) => f.suppressed === undefined && compareSeverity(f.severity, failOn) >= 0,
      ),
  );
}

/** The worst verdict among files, or 'safe' when none has a verdict. */
export function worstVerdict(files: readonly FileResult[]): Verdict {
  return files.reduce<Verdict>(
    (acc, f) => (f.verdict === null ? acc : worseVerdict(acc, f.verdict)),
    'safe',
  );
}

export type { Finding };

/**
 * Files grouped by the scanned root they were found under (undefined for files named on the
 * command line), in first-seen order: workflows, deployment files, code and model repositories
 * are each audited per root, so that paths inside a repository resolve against it.
 */
function groupByRoot(files: Iterable<WalkedFile>): Map<string | undefined, WalkedFile[]> {
  const byRoot = new Map<string | undefined, WalkedFile[]>();
  for (const file of files) {
    const group = byRoot.get(file.root);
    if (group === undefined) byRoot.set(file.root, [file]);
    else group.push(file);
  }
  return byRoot;
}
