import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { closest } from '../core/closest.js';
import { FormatError, limitError } from '../core/errors.js';
import type { Confidence, Finding } from '../core/finding.js';
import { CONFIDENCES, sortFindings } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { LineIndex } from '../core/line-index.js';
import { makeFinding } from '../rules/define-rule.js';
import type { Rule } from '../rules/define-rule.js';
import { ciRules, configFileRules } from '../rules/ci/index.js';
import malformedInput from '../rules/ci/malformed-input.js';
import type { RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { ZIZMOR_AUDITS, zizmorEquivalents } from '../rules/zizmor-equivalents.js';
import type { RunnerInventory, WorkflowAuditInput } from '../workflows/audit-input.js';
import { parseForbiddenUses } from '../workflows/forbidden-uses.js';
import type { ForbiddenUsesPolicy } from '../workflows/forbidden-uses.js';
import { matchGlob } from '../workflows/glob.js';
import { MEMO, Memo, newMemoStore } from '../workflows/memo.js';
import { localReferences, parseWorkflow } from '../workflows/model.js';
import type { WorkflowModel } from '../workflows/model.js';
import { parseYamlTree, scalarsUnder } from '../workflows/yaml-tree.js';
import type { YNode } from '../workflows/yaml-tree.js';

import { auditConfigOf } from './config-model.js';
import type { WorkflowAuditConfig } from './config-model.js';
import { parseConfigValue } from './config.js';
import { configFileKindOfInput } from './workflow-paths.js';

export { isWorkflowPath } from './workflow-paths.js';

/** The audits' sections of torchward.yml (`runners`, `ignore`, `forbidden-uses`). */
export type { WorkflowAuditConfig } from './config-model.js';
export { auditConfigOf } from './config-model.js';

/** A rule that threw: a bug, reported apart from findings (the CLI exits with code 4). */
/** A rule that threw on a workflow file (src/rules/run-rules.ts). */
export type WorkflowAuditInternalError = RuleFailure;

/** The audit result of one file. */
export interface WorkflowAuditResult {
  readonly uri: string;
  /** The decoded text the spans refer to ('' when the file could not be read). */
  readonly text: string;
  /** Sorted; suppressed findings are kept and marked. */
  readonly findings: Finding[];
  readonly internalErrors: WorkflowAuditInternalError[];
  /** Findings left out: below `minConfidence`, or pedantic ones outside pedantic mode. */
  readonly hidden?: number;
}

/** Which findings the workflow audit reports (zizmor's `--min-confidence` and personas). */
export interface WorkflowAuditFilter {
  /** Leave out findings less sure than this (default: low, all). */
  readonly minConfidence?: Confidence;
  /** Also report the noisier, code-smell findings (default: false). */
  readonly pedantic?: boolean;
}

/**
 * Validates the workflow audit's configuration given as plain data (torchward.yml's mapping, as
 * `yaml` or JSON.parse gives it) and returns the sections the audits take. A thin wrapper over the
 * one config parser (engine/config.ts `parseConfigValue`): the same keys, the same refusals and
 * messages as `torchward scan --config`, so a mapping with other torchward.yml keys (`exclude`,
 * `fail-on` …) is accepted and an unknown key is refused. Throws ConfigError naming the key,
 * prefixed with `name`.
 */
export function parseWorkflowAuditConfig(
  value: unknown,
  name = 'torchward config',
): WorkflowAuditConfig {
  return auditConfigOf(parseConfigValue(value, name));
}

// Local reusable workflows may nest four deep on GitHub; composite actions nest too. Three levels
// of following cover real repositories while bounding work on crafted reference chains.
const MAX_FOLLOW_DEPTH = 3;

/**
 * Audits workflow and action files with every `ci/*` rule.
 *
 * Reads each file (at most `limits.maxTextBytes`), follows local reusable workflows and composite
 * actions inside `repoRoot` (inferred from a `.github/workflows/` path when not given), reads
 * `.github/actionlint.yaml` self-hosted labels and `.github/scale-config.yml` `is_ephemeral` flags as
 * runner hints, and applies inline
 * (`# torchward: ignore[rule-id] reason`) and configured suppressions, keeping suppressed findings.
 * Unreadable or malformed files become `ci/malformed-input` findings; this function does not throw
 * for bad input. Spans are UTF-16 offsets into the returned `text`.
 */
export async function auditWorkflowFiles(
  files: readonly { path: string; uri: string }[],
  options: {
    limits: Limits;
    config: WorkflowAuditConfig;
    repoRoot?: string;
    /** Told about ignore comments that name no ci rule (a typo suppresses nothing). */
    onWarning?: (message: string) => void;
  } & WorkflowAuditFilter,
): Promise<WorkflowAuditResult[]> {
  const loader = new LocalLoader(options.limits);
  // Parsed once per run. parseConfigValue has refused a bad pattern in a configuration file; a
  // hand-built WorkflowAuditConfig with one throws TypeError here.
  const forbiddenUses =
    options.config.forbiddenUses === undefined
      ? undefined
      : parseForbiddenUses(options.config.forbiddenUses, 'torchward config: `forbidden-uses`');
  const results: WorkflowAuditResult[] = [];
  for (const file of files) {
    results.push(
      await auditOne(
        file,
        readText(file.path, options.limits.maxTextBytes),
        options,
        loader,
        forbiddenUses,
      ),
    );
  }
  return results;
}

async function auditOne(
  file: { path: string; uri: string },
  read: string | FormatError,
  options: {
    limits: Limits;
    config: WorkflowAuditConfig;
    repoRoot?: string;
    onWarning?: (message: string) => void;
  } & WorkflowAuditFilter,
  loader: LocalLoader,
  forbiddenUses?: ForbiddenUsesPolicy,
): Promise<WorkflowAuditResult> {
  const { limits, config } = options;
  const unreadable = (error: FormatError, text: string): WorkflowAuditResult => ({
    uri: file.uri,
    text,
    findings: applySuppressions(
      [
        makeFinding(
          malformedInput as Rule<never, 'unreadable'>,
          { uri: file.uri, unit: 'char' },
          {
            messageId: 'unreadable',
            data: { code: error.code, message: error.message },
            at: {
              span: {
                start: Math.min(error.offset, text.length),
                end: Math.min(error.offset, text.length),
              },
              path: [],
            },
          },
        ),
      ],
      file,
      text,
      [],
      config,
      options.repoRoot,
    ),
    internalErrors: [],
  });
  if (read instanceof FormatError) return unreadable(read, '');
  const text = read;
  const configKind = configFileKindOfInput(file.path.split(sep).join('/'));
  const kind = configKind ?? (isActionFile(file.path) ? 'action' : 'workflow');
  let model: WorkflowModel;
  try {
    model = parseWorkflow(text, file.uri, kind, limits);
  } catch (error) {
    if (error instanceof FormatError) return unreadable(error, text);
    throw error;
  }
  const root = options.repoRoot ?? inferRepoRoot(file.path);
  if (root !== undefined) await loader.attach(model, root, 0);
  const runners = await loader.inventory(root, config);
  const internalErrors: WorkflowAuditInternalError[] = [];
  const input: WorkflowAuditInput = {
    workflow: model,
    runners,
    ...(forbiddenUses === undefined ? {} : { forbiddenUses }),
    [MEMO]: newMemoStore(),
  };
  // Dependabot and pre-commit files have no jobs: only the rules written for them read them.
  const pedantic = options.pedantic === true;
  const rules =
    configKind === undefined
      ? pedantic
        ? WORKFLOW_RULES
        : WORKFLOW_RULES_DEFAULT
      : pedantic
        ? configFileRules
        : CONFIG_FILE_RULES_DEFAULT;
  const findings = runRules(
    'workflow',
    rules,
    input,
    { uri: file.uri, unit: 'char', options: pedantic ? { pedantic: true } : {} },
    internalErrors,
  );
  const min = CONFIDENCES.indexOf(options.minConfidence ?? 'low');
  const shown = findings.filter(
    (f) =>
      // A malformed file is never hidden: its audit did not happen.
      f.ruleId === malformedInput.id ||
      ((options.pedantic === true || f.pedantic !== true) &&
        CONFIDENCES.indexOf(f.confidence) >= min),
  );
  return {
    uri: file.uri,
    text,
    hidden: findings.length - shown.length,
    findings: applySuppressions(
      dedupe(shown),
      file,
      text,
      model.scalarSpans,
      config,
      options.repoRoot,
      options.onWarning === undefined
        ? undefined
        : { onWarning: options.onWarning, what: 'ci rule', ids: CI_RULE_IDS, zizmor: true },
    ),
    internalErrors,
  };
}

const WORKFLOW_RULES = ciRules.filter((r) => !configFileRules.includes(r));
// The rule lists of a default (not pedantic) run, filtered once rather than for every file.
const WORKFLOW_RULES_DEFAULT = WORKFLOW_RULES.filter((r) => r.pedantic !== true);
const CONFIG_FILE_RULES_DEFAULT = configFileRules.filter((r) => r.pedantic !== true);
const CI_RULE_IDS = ciRules.map((r) => r.id);

/**
 * Drops repeats: a YAML alias used twice reports the anchored text twice, at the same span.
 */
function dedupe(findings: readonly Finding[]): Finding[] {
  // Bucketed by span start (no key strings to build: this runs for every finding); a repeat has
  // the same rule, message id, span and message as one already kept.
  const seen = new Map<number, Finding[]>();
  return findings.filter((f) => {
    const bucket = seen.get(f.primary.span.start);
    if (bucket === undefined) {
      seen.set(f.primary.span.start, [f]);
      return true;
    }
    const repeat = bucket.some(
      (g) =>
        g.ruleId === f.ruleId &&
        g.messageId === f.messageId &&
        g.primary.span.end === f.primary.span.end &&
        g.primary.uri === f.primary.uri &&
        g.message === f.message,
    );
    if (!repeat) bucket.push(f);
    return !repeat;
  });
}

function isActionFile(path: string): boolean {
  return /(?:^|[\\/])action\.ya?ml$/.test(path);
}

/** The directory above `.github/workflows/` in a workflow's path, if it has one. */
function inferRepoRoot(path: string): string | undefined {
  const abs = resolve(path);
  const marker = `${sep}.github${sep}workflows${sep}`;
  const index = abs.lastIndexOf(marker);
  return index < 0 ? undefined : abs.slice(0, index);
}

/**
 * Reads a regular file of at most `max` bytes as strict UTF-8 (a BOM is dropped).
 *
 * Synchronous on purpose: workflow files are small and the audit is CPU-bound, and each call of
 * the promise API costs more main-thread time than the read itself (2,000 files: ~0.6 s of
 * stat/open/read/close bookkeeping against ~0.05 s synchronously).
 */
function readText(path: string, max: number): string | FormatError {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then refuses it).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return new FormatError('TRUNCATED', error instanceof Error ? error.message : String(error), 0, {
      cause: error,
    });
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return new FormatError('BAD_STRUCTURE', 'not a regular file', 0);
    // Size before reading: a huge file is refused without loading it (STYLE §5).
    const tooLarge = limitError(info.size, max, 'maxTextBytes', 0);
    if (tooLarge !== undefined) return tooLarge;
    // One byte more than the limit: a file that grew since fstat is still caught.
    const buffer = Buffer.allocUnsafe(Math.min(info.size, max) + 1);
    let length = 0;
    for (;;) {
      const wanted = buffer.length - length;
      const n = readSync(fd, buffer, length, wanted, null);
      length += n;
      if (length === buffer.length) {
        return new FormatError('LIMIT_EXCEEDED', `maxTextBytes: the file grew past ${max}`, 0);
      }
      // A short read of a regular file is its end (no second read to see 0).
      if (n < wanted) break;
    }
    try {
      return UTF8.decode(buffer.subarray(0, length));
    } catch (error) {
      return new FormatError('BAD_UTF8', 'the file is not valid UTF-8', 0, { cause: error });
    }
  } catch (error) {
    return new FormatError('TRUNCATED', error instanceof Error ? error.message : String(error), 0, {
      cause: error,
    });
  } finally {
    closeSync(fd);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Loads local reusable workflows, composite actions and runner hints once per audit. */
class LocalLoader {
  private readonly models = new Map<string, Promise<WorkflowModel | undefined>>();
  // A slot on the model, not a set: every audited model passes through here, and none may
  // outlive its own audit (see workflows/memo.ts for why not a WeakSet).
  private readonly attached = new Memo<WorkflowModel, true>('attached');
  private readonly hints = new Map<string, Promise<string[]>>();
  private readonly inventories = new Map<
    WorkflowAuditConfig,
    Map<string | undefined, Promise<RunnerInventory>>
  >();
  private readonly scale = new Map<
    string,
    Promise<{ ephemeral: string[]; persistent: string[] }>
  >();

  constructor(private readonly limits: Limits) {}

  async attach(model: WorkflowModel, root: string, depth: number): Promise<void> {
    if (this.attached.has(model)) return;
    this.attached.set(model, true);
    for (const ref of localReferences(model)) {
      if (depth >= MAX_FOLLOW_DEPTH) {
        // Said, not skipped: the steps behind this reference are not audited.
        model.unresolved.push({
          uses: ref.uses,
          reason: `local references nest deeper than ${MAX_FOLLOW_DEPTH} levels`,
        });
        continue;
      }
      const candidates =
        ref.kind === 'workflow'
          ? [ref.path]
          : [join(ref.path, 'action.yml'), join(ref.path, 'action.yaml')];
      let found = false;
      for (const candidate of candidates) {
        const loaded = await this.load(root, candidate, ref.kind);
        if (loaded === undefined) continue;
        ref.attach(loaded);
        found = true;
        await this.attach(loaded, root, depth + 1);
        break;
      }
      if (!found) {
        model.unresolved.push({
          uses: ref.uses,
          reason:
            ref.kind === 'workflow'
              ? `${ref.path} could not be read as a workflow inside the repository`
              : `no readable action.yml or action.yaml in ${ref.path === '' ? 'the repository root' : ref.path}`,
        });
      }
    }
  }

  private load(
    root: string,
    rel: string,
    kind: 'workflow' | 'action',
  ): Promise<WorkflowModel | undefined> {
    const abs = resolve(root, rel);
    let pending = this.models.get(abs);
    if (pending === undefined) {
      pending = Promise.resolve(this.read(root, abs, kind));
      this.models.set(abs, pending);
    }
    return pending;
  }

  private read(root: string, abs: string, kind: 'workflow' | 'action'): WorkflowModel | undefined {
    const text = readConfined(root, abs, this.limits.maxTextBytes);
    if (text instanceof FormatError) return undefined;
    try {
      const uri = relative(root, abs).split(sep).join('/');
      return parseWorkflow(text, uri, kind, this.limits);
    } catch (error) {
      if (error instanceof FormatError) return undefined;
      throw error;
    }
  }

  /** The runner inventory for a repository: configuration plus actionlint self-hosted labels. */
  /**
   * The runner inventory for a repository, one object per root and configuration: the runner
   * classification is memoised per inventory object (rules/ci/judge/runners.ts), so a fresh object for
   * every file would classify the same label sets again for each.
   */
  inventory(root: string | undefined, config: WorkflowAuditConfig): Promise<RunnerInventory> {
    let byRoot = this.inventories.get(config);
    if (byRoot === undefined) {
      byRoot = new Map();
      this.inventories.set(config, byRoot);
    }
    let pending = byRoot.get(root);
    if (pending === undefined) {
      pending = this.readInventory(root, config);
      byRoot.set(root, pending);
    }
    return pending;
  }

  private async readInventory(
    root: string | undefined,
    config: WorkflowAuditConfig,
  ): Promise<RunnerInventory> {
    const selfHosted = root === undefined ? [] : await this.actionlintLabels(root);
    const scale =
      root === undefined ? { ephemeral: [], persistent: [] } : await this.scaleConfig(root);
    return {
      ephemeral: config.runners?.ephemeral ?? [],
      persistent: config.runners?.persistent ?? [],
      selfHosted,
      scaleEphemeral: scale.ephemeral,
      scalePersistent: scale.persistent,
    };
  }

  private scaleConfig(root: string): Promise<{ ephemeral: string[]; persistent: string[] }> {
    let pending = this.scale.get(root);
    if (pending === undefined) {
      pending = Promise.resolve(this.readScaleConfig(root));
      this.scale.set(root, pending);
    }
    return pending;
  }

  /** PyTorch-style runner inventory: `runner_types.<label>.is_ephemeral`. */
  private readScaleConfig(root: string): { ephemeral: string[]; persistent: string[] } {
    const out: { ephemeral: string[]; persistent: string[] } = { ephemeral: [], persistent: [] };
    const text = readConfined(
      root,
      join(root, '.github', 'scale-config.yml'),
      this.limits.maxTextBytes,
    );
    if (text instanceof FormatError) return out;
    try {
      const types = getPath(parseYamlTree(text, this.limits).root, ['runner_types']);
      if (types?.kind !== 'map') return out;
      for (const [label, entry] of types.entries) {
        const flag = getPath(entry.value, ['is_ephemeral']);
        if (flag?.kind !== 'scalar') continue;
        if (flag.text === 'true') out.ephemeral.push(label);
        else if (flag.text === 'false') out.persistent.push(label);
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
    }
    return out;
  }

  private actionlintLabels(root: string): Promise<string[]> {
    let pending = this.hints.get(root);
    if (pending === undefined) {
      pending = Promise.resolve(this.readActionlint(root));
      this.hints.set(root, pending);
    }
    return pending;
  }

  private readActionlint(root: string): string[] {
    for (const name of ['actionlint.yaml', 'actionlint.yml']) {
      const text = readConfined(root, join(root, '.github', name), this.limits.maxTextBytes);
      if (text instanceof FormatError) continue;
      try {
        const tree = parseYamlTree(text, this.limits);
        const labels: YNode | undefined = getPath(tree.root, ['self-hosted-runner', 'labels']);
        return scalarsUnder(labels)
          .map((s) => s.text)
          .filter((s) => s !== '');
      } catch (error) {
        if (error instanceof FormatError) return [];
        throw error;
      }
    }
    return [];
  }
}

function getPath(node: YNode | undefined, keys: readonly string[]): YNode | undefined {
  let current = node;
  for (const key of keys) {
    current = current?.kind === 'map' ? current.entries.get(key)?.value : undefined;
  }
  return current;
}

/**
 * Reads a repository file only if it, and the real path behind any symlink, stays inside `root`:
 * a `uses: ./../../etc` or a symlinked hint file must not make the audit read outside the
 * repository.
 */
function readConfined(root: string, abs: string, max: number): string | FormatError {
  if (!within(root, abs)) return new FormatError('BAD_STRUCTURE', 'outside the repository', 0);
  try {
    // Synchronous, as readText is: two promise round trips per file cost more main-thread time
    // than the realpath(3) calls themselves.
    const realRoot = realpathSync.native(root);
    const realFile = realpathSync.native(abs);
    if (!within(realRoot, realFile)) {
      return new FormatError('BAD_STRUCTURE', 'outside the repository', 0);
    }
  } catch (error) {
    return new FormatError('TRUNCATED', 'cannot resolve the path', 0, { cause: error });
  }
  return readText(abs, max);
}

function within(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

// `# torchward: ignore[rule-a, rule-b] optional reason`, and zizmor's `# zizmor: ignore[audit]`.
const IGNORE_COMMENT = /#[^\S\n]*(torchward|zizmor):[^\S\n]*ignore\[([^\]\n]*)\]([^\n]*)/g;

interface InlineIgnore {
  /** 1-based line of the comment. */
  readonly line: number;
  readonly tool: 'torchward' | 'zizmor';
  readonly rules: readonly string[];
  readonly reason: string;
  /** The comment is alone on its line, so it also covers the next line. */
  readonly ownLine: boolean;
}

/**
 * Inline ignore comments, sorted by line. A `#` inside a quoted scalar is content, not a comment;
 * inside a `|`/`>` block scalar (a `run:` script) it is the script's own comment, and counts.
 */
function inlineIgnores(
  text: string,
  scalarSpans: readonly { start: number; end: number }[],
  lines: LineIndex,
): InlineIgnore[] {
  const out: InlineIgnore[] = [];
  if (!text.includes('torchward:') && !text.includes('zizmor:')) return out;
  const sorted = [...scalarSpans].sort((a, b) => a.start - b.start);
  for (const match of text.matchAll(IGNORE_COMMENT)) {
    const offset = match.index;
    const before = offset === 0 ? '\n' : text.charAt(offset - 1);
    // YAML (and the shell) start a comment only at a `#` preceded by whitespace or a line start.
    if (before !== ' ' && before !== '\t' && before !== '\n') continue;
    const inside = containingSpan(sorted, offset);
    if (inside !== undefined && !isBlockScalar(text, inside)) continue;
    const rules = (match[2] ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    out.push({
      line: lines.position(offset).line,
      tool: match[1] === 'zizmor' ? 'zizmor' : 'torchward',
      rules,
      reason: (match[3] ?? '').trim(),
      ownLine: text.slice(lineStart, offset).trim() === '',
    });
  }
  return out;
}

/** A `|` or `>` block scalar starts with its indicator (a quoted one with its quote). */
function isBlockScalar(text: string, span: { start: number }): boolean {
  const c = text.charAt(span.start);
  return c === '|' || c === '>';
}

/**
 * The span of `spans` (sorted by start) that strictly contains `offset`. Scalars never nest, so
 * the last span starting before `offset` is the only candidate.
 */
function containingSpan(
  spans: readonly { start: number; end: number }[],
  offset: number,
): { start: number; end: number } | undefined {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid]?.start ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  const candidate = spans[lo - 1];
  return candidate !== undefined && offset < candidate.end ? candidate : undefined;
}

// zizmor audit → torchward ci rules (rules/zizmor-equivalents.ts); built on first use.
let zizmorMap: ReadonlyMap<string, string[]> | undefined;

function zizmorRules(audit: string): readonly string[] {
  zizmorMap ??= zizmorEquivalents(ciRules);
  return zizmorMap.get(audit) ?? [];
}

/** Whether an ignore comment names `ruleId`: the full id, a bare name, or a zizmor audit. */
function names(comment: InlineIgnore, ruleId: string): boolean {
  for (const id of comment.rules) {
    if (comment.tool === 'zizmor') {
      if (zizmorRules(id).includes(ruleId)) return true;
    } else if (id === ruleId || (!id.includes('/') && ruleId.endsWith(`/${id}`))) return true;
  }
  return false;
}

/**
 * What an audit knows about the rule ids its files' ignore comments may name, and where to say
 * that one names nothing (a typo suppresses nothing). `what` names the rules in the warning
 * ('ci rule'); zizmor's `# zizmor: ignore[...]` comments are checked only where `zizmor` is set
 * (workflows, the only files zizmor reads).
 */
export interface IgnoreIdCheck {
  readonly onWarning: (message: string) => void;
  readonly what: string;
  readonly ids: readonly string[];
  readonly zizmor?: boolean;
}

/** Ignore comments whose ids name nothing: a typo suppresses nothing, so say so. */
function warnUnknownIds(inline: readonly InlineIgnore[], uri: string, check: IgnoreIdCheck): void {
  const { onWarning, ids: known } = check;
  const bare = known.map((id) => id.slice(id.indexOf('/') + 1));
  for (const comment of inline) {
    if (comment.tool === 'zizmor' && check.zizmor !== true) continue;
    for (const id of comment.rules) {
      if (comment.tool === 'zizmor') {
        if (ZIZMOR_AUDITS.has(id)) continue;
        const hint = closest(id, [...ZIZMOR_AUDITS]);
        onWarning(
          `${uri}:${comment.line}: zizmor ignore comment names '${id}', not a zizmor audit${hint === undefined ? '' : ` (did you mean '${hint}'?)`}; it suppresses nothing`,
        );
        continue;
      }
      if (known.includes(id) || (!id.includes('/') && bare.includes(id))) continue;
      const hint = closest(id, id.includes('/') ? known : bare);
      onWarning(
        `${uri}:${comment.line}: ignore comment names '${id}', not a ${check.what}${hint === undefined ? '' : ` (did you mean '${hint}'?)`}; it suppresses nothing`,
      );
    }
  }
}

/**
 * Marks findings suppressed by inline comments and by the configured `ignore` entries; returns
 * them sorted. An inline `# torchward: ignore[rule-id] reason` (or `ignore[rule-name]`, or
 * zizmor's `# zizmor: ignore[audit]` for the equivalent rules) suppresses a finding when it sits
 * on any line of the finding's span, or alone on the line before it. A `#` inside a quoted
 * scalar is content, not a comment; inside a block scalar (`run: |`) it is the script's comment
 * and counts. A config entry `path-glob[:line[:column]]` matches the display uri, the path
 * relative to the repository root or the file name; its line may be any line of the span.
 * With `idCheck`, ignore comments naming no rule it knows are warned about. Shared with the code
 * and deploy audits.
 */
export function applySuppressions(
  findings: readonly Finding[],
  file: { path: string; uri: string },
  text: string,
  scalarSpans: readonly { start: number; end: number }[],
  config: WorkflowAuditConfig,
  repoRoot: string | undefined,
  idCheck?: IgnoreIdCheck,
): Finding[] {
  // Most files have neither inline ignores nor configured ones: skip the line index then.
  const configured = config.ignore !== undefined && Object.keys(config.ignore).length > 0;
  if (!configured && !text.includes('torchward:') && !text.includes('zizmor:')) {
    return sortFindings(findings);
  }
  const lines = new LineIndex(text);
  const inline = inlineIgnores(text, scalarSpans, lines);
  if (idCheck !== undefined) warnUnknownIds(inline, file.uri, idCheck);
  const fileNames = [file.uri.replace(/^\.\//, '')];
  if (repoRoot !== undefined) {
    const rel = relative(repoRoot, resolve(file.path)).split(sep).join('/');
    if (!rel.startsWith('..')) fileNames.push(rel);
  }
  const base = fileNames[0]?.slice(fileNames[0].lastIndexOf('/') + 1);
  if (base !== undefined && !fileNames.includes(base)) fileNames.push(base);
  const inlineLines = inline.map((c) => c.line);
  const out = findings.map((finding): Finding => {
    const span = finding.primary.span;
    const position = lines.position(span.start);
    const first = position.line;
    const last = lines.position(Math.max(span.start, span.end - 1)).line;
    // Comments from the line before the span to its last line (binary search: few comments).
    for (let i = lowerBound(inlineLines, first - 1); i < inline.length; i++) {
      const comment = inline[i];
      if (comment === undefined || comment.line > last) break;
      if (comment.line < first && !comment.ownLine) continue;
      if (names(comment, finding.ruleId)) {
        return {
          ...finding,
          suppressed: 'inline',
          suppressionReason:
            comment.reason === ''
              ? comment.tool === 'zizmor'
                ? 'inline zizmor ignore comment'
                : 'inline ignore comment'
              : comment.reason,
        };
      }
    }
    const entry = config.ignore?.[finding.ruleId];
    if (entry === true) {
      return {
        ...finding,
        suppressed: 'config',
        suppressionReason: `config: ignore ${finding.ruleId}`,
      };
    }
    const glob = entry?.find((g) => {
      // `path-glob`, `path-glob:line` or `path-glob:line:column` (1-based), as zizmor's config.
      const located = /^(.*?):(\d+)(?::(\d+))?$/.exec(g);
      const pattern = (located?.[1] ?? g).replace(/^\.\//, '');
      if (located !== null) {
        const line = Number(located[2]);
        if (line < first || line > last) return false;
        if (located[3] !== undefined && (line !== first || Number(located[3]) !== position.column))
          return false;
      }
      return fileNames.some((name) => matchGlob(pattern, name));
    });
    if (glob !== undefined) {
      return {
        ...finding,
        suppressed: 'config',
        suppressionReason: `config: ignore ${finding.ruleId} for ${glob}`,
      };
    }
    return finding;
  });
  return sortFindings(out);
}

/** The first index of sorted `values` holding a value >= `target`. */
function lowerBound(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
