import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { FormatError, limitError } from '../core/errors.js';
import { sortFindings, type Finding, type Span } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { LineIndex } from '../core/line-index.js';
import { buildPythonModel, type PythonModel } from '../formats/python/model.js';
import { locateInNotebook, readNotebook, type Notebook } from '../formats/python/notebook.js';
import { loadPythonParser, type PythonParser } from '../formats/python/parser.js';
import {
  parseRequirementSpec,
  parseRequirementsFile,
  specifierRange,
  compareRelease,
} from '../formats/python/requirements.js';
import { bracketDepth, decodePythonSource, MAX_PYTHON_NESTING } from '../formats/python/source.js';
import { looksLikePickle } from '../formats/pickle/sniff.js';
import { parseDockerfile } from '../formats/shell/dockerfile.js';
import { findPipInstalls } from '../formats/shell/pip.js';
import { tokenizeShell, type ShellCommand } from '../formats/shell/tokenize.js';
import { slicePython } from '../formats/python/slice.js';
import { mayFireOnPython, pythonTriggerWords } from '../rules/code/index.js';
import type { Rule } from '../rules/define-rule.js';
import { loadRulesFor } from '../rules/families.js';
import type { RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import type {
  CodeAuditInput,
  CodeFileKind,
  CodeProblem,
  DeclaredTorch,
} from '../rules/code/input.js';
import {
  applySuppressions,
  type IgnoreIdCheck,
  type WorkflowAuditConfig,
} from './workflow-audit.js';

export type { CodeFileKind, DeclaredTorch } from '../rules/code/input.js';
export { codeFileKind } from './code-file-kind.js';

/** Largest Python text parsed (characters); a larger file gets `code/parse-error` only. */
const MAX_PARSED_CHARS = 8 * 1024 * 1024;
/** Parse budget of one file: tree-sitter stops there and the file gets `code/parse-error`. */
const PARSE_BUDGET_MS = 5_000;
/** Bytes of a code file's head checked for a disguised model (pickle, zip). */
const SNIFF_BYTES = 64 * 1024;

/** The audit result of one code file. */
export interface CodeAuditResult {
  readonly uri: string;
  readonly kind: CodeFileKind;
  /** The decoded text spans refer to; undefined when unreadable or when nothing was found. */
  readonly text?: string;
  readonly size: number;
  /** Sorted; suppressed findings are kept and marked. */
  readonly findings: Finding[];
  /** Rules that threw on this file (bugs, reported apart from findings). */
  readonly internalErrors: RuleFailure[];
  /** The bytes may be a model artifact under a code name (binary, pickle, zip): scan by content. */
  readonly contentScan: boolean;
}

/** Options of {@link auditCodeFiles}. */
export interface CodeAuditOptions {
  readonly limits: Limits;
  readonly config: WorkflowAuditConfig;
  readonly repoRoot?: string;
  /**
   * Parse only Python text some `code/*` rule could report on (default true): a file that names
   * none of the rules' calls, methods or keywords cannot produce a finding, so its parse is
   * skipped, and with it code/parse-error's syntax-error finding. False parses every file (the
   * differential tests compare both).
   */
  readonly prefilter?: boolean;
  /**
   * Parse only the statements of a Python text the `code/*` rules need (default: the value of
   * `prefilter`): those naming an audited call or keyword, or an alias of one, and those binding
   * the names they read (see `slicePython`). A syntax error in a parsed part makes the whole text
   * parsed; one in a statement no rule reads is not reported. False parses whole texts.
   */
  readonly slice?: boolean;
  /**
   * Told about ignore comments that name no rule (a typo suppresses nothing). Dockerfiles and
   * shell scripts are read by the deploy audit too, so there a deploy rule id is known as well.
   */
  readonly onWarning?: (message: string) => void;
}

/** The rules a code audit runs, and the rule ids its files' ignore comments may name. */
interface CodeRules {
  readonly rules: readonly Rule<CodeAuditInput>[];
  readonly ids: readonly string[];
  /** Code and deploy rule ids (Dockerfiles and shell scripts are read by both audits). */
  readonly withDeploy: readonly string[];
}

/** The ignore-comment check of a code file of `kind`, or undefined when nobody listens. */
function idCheckOf(
  kind: CodeFileKind,
  options: CodeAuditOptions,
  rules: CodeRules,
): IgnoreIdCheck | undefined {
  if (options.onWarning === undefined) return undefined;
  return kind === 'dockerfile' || kind === 'shell'
    ? { onWarning: options.onWarning, what: 'code or deploy rule', ids: rules.withDeploy }
    : { onWarning: options.onWarning, what: 'code rule', ids: rules.ids };
}

/**
 * Audits code files with every `code/*` rule: Python and notebooks (tree-sitter parse, import
 * aliases, constants, taint within a function), shell scripts, Dockerfiles, requirements files;
 * pyproject.toml, setup.cfg and conda environment files supply the declared torch version (as do
 * the others). The torch version is gathered from every file given first, so give one
 * repository's files together. Each file is read once (at most `limits.maxTextBytes`). Never
 * throws for bad input: it becomes a `code/parse-error` finding.
 */
export async function auditCodeFiles(
  files: readonly { path: string; uri: string; kind: CodeFileKind }[],
  options: CodeAuditOptions,
): Promise<{ results: CodeAuditResult[]; torch: DeclaredTorch }> {
  const torch = declaredTorch(
    files.filter((f) => f.kind !== 'python' && f.kind !== 'notebook' && f.kind !== 'shell'),
    options.limits,
  );
  let parser: PythonParser | undefined;
  let parserError: FormatError | undefined;
  if (files.some((f) => f.kind === 'python' || f.kind === 'notebook')) {
    try {
      parser = await loadPythonParser();
    } catch (error) {
      parserError =
        error instanceof FormatError
          ? error
          : new FormatError('UNSUPPORTED_FEATURE', String(error), 0);
    }
  }
  const rules = await loadRulesFor('code');
  const ids = rules.map((r) => r.id);
  const codeRules: CodeRules = {
    rules,
    ids,
    withDeploy:
      options.onWarning === undefined
        ? ids
        : [...ids, ...(await loadRulesFor('deploy')).map((r) => r.id)],
  };
  const results: CodeAuditResult[] = [];
  for (const file of files) {
    results.push(auditOne(file, torch, parser, parserError, options, codeRules));
  }
  return { results, torch };
}

function auditOne(
  file: { path: string; uri: string; kind: CodeFileKind },
  torch: DeclaredTorch,
  parser: PythonParser | undefined,
  parserError: FormatError | undefined,
  options: CodeAuditOptions,
  codeRules: CodeRules,
): CodeAuditResult {
  const read = readBytes(file.path, options.limits.maxTextBytes);
  const base: { problem?: CodeProblem } = {};
  let text = '';
  let contentScan = false;
  let size = 0;
  if (read instanceof FormatError) {
    base.problem = { code: read.code, message: read.message, span: { start: 0, end: 0 } };
  } else {
    size = read.byteLength;
    const head = read.subarray(0, SNIFF_BYTES);
    contentScan = looksBinary(head);
    try {
      text =
        file.kind === 'python'
          ? decodePythonSource(read)
          : new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(read);
    } catch (error) {
      const e =
        error instanceof FormatError ? error : new FormatError('BAD_UTF8', String(error), 0);
      base.problem = { code: e.code, message: e.message, span: { start: 0, end: 0 } };
      contentScan = true;
      // Binary data is not audited as text; undecodable text is read as far as it goes.
      text = e.code === 'BAD_VALUE' ? '' : new TextDecoder('utf-8').decode(read);
    }
  }
  let notebook: Notebook | undefined;
  let dispose: (() => void) | undefined;
  let input: CodeAuditInput = { kind: file.kind, commands: [], torch, ...base };
  const internalErrors: RuleFailure[] = [];
  if (text !== '') {
    try {
      let built = buildInput(file.kind, text, torch, parser, parserError, base.problem, options);
      // Skipped files are sniffed as a file with a syntax error would be; one that looks like a
      // pickle is parsed after all, so its verdict is exactly the unfiltered one.
      if (
        built.skipped === true &&
        !contentScan &&
        !(read instanceof FormatError) &&
        looksLikePickle(read.subarray(0, SNIFF_BYTES))
      ) {
        built = buildInput(file.kind, text, torch, parser, parserError, base.problem, {
          ...options,
          prefilter: false,
        });
      }
      input = built.input;
      notebook = built.notebook;
      dispose = built.dispose;
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      input = {
        kind: file.kind,
        commands: [],
        torch,
        problem: { code: error.code, message: error.message, span: { start: 0, end: 0 } },
      };
    }
  }
  // A protocol-0 pickle is ASCII text: one named like code is not valid Python (or JSON, or
  // shell that parses cleanly), so the pickle sniffer runs where the parse was not clean.
  if (
    !contentScan &&
    size > 0 &&
    (input.problem !== undefined ||
      input.python?.syntaxError !== undefined ||
      (file.kind !== 'python' && file.kind !== 'notebook'))
  ) {
    contentScan = !(read instanceof FormatError) && looksLikePickle(read.subarray(0, SNIFF_BYTES));
  }
  let findings: Finding[];
  try {
    findings = runRules(
      'code',
      codeRules.rules,
      input,
      { uri: file.uri, unit: 'char', options: {} },
      internalErrors,
    );
  } finally {
    dispose?.();
  }
  if (notebook !== undefined) {
    // Inline ignores are comments in the cells: apply them to the joined cell text, then move
    // every span to the notebook's JSON text and label it with the cell and line.
    findings = applySuppressions(
      findings,
      file,
      notebook.python,
      [],
      {},
      undefined,
      idCheckOf(file.kind, options, codeRules),
    );
    const nb = notebook;
    findings = findings.map((f) => toNotebookFinding(nb, f));
    // The JSON text has no inline ignore comments of its own: the whole text is one "scalar".
    findings = applySuppressions(
      findings,
      file,
      text,
      [{ start: -1, end: text.length + 1 }],
      options.config,
      options.repoRoot,
    );
  } else {
    findings = applySuppressions(
      findings,
      file,
      text,
      [],
      options.config,
      options.repoRoot,
      idCheckOf(file.kind, options, codeRules),
    );
  }
  return {
    uri: file.uri,
    kind: file.kind,
    ...(findings.length > 0 && text !== '' ? { text } : {}),
    size,
    findings: sortFindings(findings),
    internalErrors,
    contentScan,
  };
}

function toNotebookFinding(notebook: Notebook, finding: Finding): Finding {
  const start = locateInNotebook(notebook, finding.primary.span.start);
  const end = locateInNotebook(notebook, finding.primary.span.end);
  const span: Span = { start: start.fileOffset, end: Math.max(start.fileOffset, end.fileOffset) };
  return {
    ...finding,
    primary: {
      ...finding.primary,
      span,
      path: ['cells', start.cell, 'source', start.line - 1],
      label: `cell ${start.cell + 1}, line ${start.line}, column ${start.column}`,
    },
    related: finding.related.map((r) => {
      const at = locateInNotebook(notebook, r.span.start);
      return { ...r, span: { start: at.fileOffset, end: at.fileOffset } };
    }),
  };
}

function buildInput(
  kind: CodeFileKind,
  text: string,
  torch: DeclaredTorch,
  parser: PythonParser | undefined,
  parserError: FormatError | undefined,
  problem: CodeProblem | undefined,
  options: CodeAuditOptions,
): { input: CodeAuditInput; notebook?: Notebook; dispose?: () => void; skipped?: boolean } {
  const withProblem = problem === undefined ? {} : { problem };
  const prefilter = options.prefilter ?? true;
  const slice = options.slice ?? prefilter;
  switch (kind) {
    case 'python': {
      const { dispose, skipped, ...parsed } = parsePython(
        text,
        parser,
        parserError,
        prefilter,
        slice,
      );
      // The decoding problem (if any) comes first; a parse problem is reported otherwise.
      return {
        input: { kind, commands: [], torch, ...parsed, ...withProblem },
        ...(dispose === undefined ? {} : { dispose }),
        ...(skipped === undefined ? {} : { skipped }),
      };
    }
    case 'notebook': {
      const notebook = readNotebook(text);
      const { dispose, skipped, ...parsed } = parsePython(
        notebook.python,
        parser,
        parserError,
        prefilter,
        slice,
      );
      const commands: ShellCommand[] = notebook.shell.flatMap((s) =>
        tokenizeShell(s.text, s.span.start),
      );
      return {
        input: { kind, commands, torch, ...parsed, ...withProblem },
        notebook,
        ...(dispose === undefined ? {} : { dispose }),
        ...(skipped === undefined ? {} : { skipped }),
      };
    }
    case 'shell':
      return { input: { kind, commands: tokenizeShell(text), torch, ...withProblem } };
    case 'dockerfile': {
      const docker = parseDockerfile(text);
      const commands = docker.flatMap((d) => d.commands);
      return { input: { kind, commands, docker, torch, ...withProblem } };
    }
    case 'requirements': {
      const requirements = parseRequirementsFile(text);
      return { input: { kind, commands: [], requirements, torch, ...withProblem } };
    }
    case 'pyproject':
    case 'setup-cfg':
    case 'conda':
      return { input: { kind, commands: [], torch, ...withProblem } };
  }
}

function parsePython(
  text: string,
  parser: PythonParser | undefined,
  parserError: FormatError | undefined,
  prefilter: boolean,
  slice: boolean,
): { python?: PythonModel; problem?: CodeProblem; dispose?: () => void; skipped?: true } {
  const at = (offset: number): Span => ({ start: offset, end: offset });
  if (parser === undefined) {
    const e = parserError ?? new FormatError('UNSUPPORTED_FEATURE', 'no Python parser', 0);
    return { problem: { code: e.code, message: e.message, span: at(0) } };
  }
  if (text.length > MAX_PARSED_CHARS) {
    return {
      problem: {
        code: 'LIMIT_EXCEEDED',
        message: `${text.length} characters exceeds the ${MAX_PARSED_CHARS}-character limit for Python`,
        span: at(0),
      },
    };
  }
  // CPython refuses deeper nesting, so such a file cannot run; parsing it would only cost time.
  const depth = bracketDepth(text, MAX_PYTHON_NESTING);
  if (depth.at !== undefined) {
    return {
      problem: {
        code: 'LIMIT_EXCEEDED',
        message: `brackets nested deeper than ${MAX_PYTHON_NESTING} (CPython refuses the file)`,
        span: at(depth.at),
      },
    };
  }
  // After the limits above (they are reported whatever the text names): nothing to parse for.
  if (prefilter && !mayFireOnPython(text)) return { skipped: true };
  const ranges = slice ? slicePython(text, pythonTriggerWords) : undefined;
  // Nothing to parse: the audited names occur only in strings or comments.
  if (ranges?.length === 0) return { skipped: true };
  const started = performance.now();
  let tree = parser.parse(text, PARSE_BUDGET_MS, ranges);
  if (tree !== undefined && ranges !== undefined && tree.rootNode.hasError) {
    // A syntax error in the parsed part: parse the whole text, so that the error reported, and
    // the parser's recovery around it, are the whole text's.
    tree.delete();
    tree = parser.parse(text, Math.max(0, PARSE_BUDGET_MS - (performance.now() - started)));
  }
  if (tree === undefined) {
    return {
      problem: {
        code: 'LIMIT_EXCEEDED',
        message: `parsing took longer than ${PARSE_BUDGET_MS} ms`,
        span: at(0),
      },
    };
  }
  try {
    const captures = parser.query.captures(tree.rootNode);
    // The model reads call arguments from the tree lazily: the caller disposes of it after the
    // rules have run.
    return {
      python: buildPythonModel(tree, text, captures),
      dispose: () => {
        tree.delete();
      },
    };
  } catch (error) {
    tree.delete();
    throw error;
  }
}

function looksBinary(head: Uint8Array): boolean {
  if (
    head.byteLength >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    head[2] === 3 &&
    head[3] === 4
  ) {
    return true;
  }
  return head.includes(0);
}

/**
 * The torch version the files declare: `torch`/`pytorch` requirements in requirements files,
 * pyproject.toml (PEP 621 and Poetry), setup.cfg, conda environment files, and Dockerfile
 * `pip install torch==…` commands. Files are read here a first time (they are few and small).
 */
export function declaredTorch(
  files: readonly { path: string; uri: string; kind: CodeFileKind }[],
  limits: Limits,
): DeclaredTorch {
  const declarations: { spec: string; uri: string; line: number }[] = [];
  for (const file of files) {
    const read = readBytes(file.path, limits.maxTextBytes);
    if (read instanceof FormatError) continue;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(read);
    } catch {
      continue;
    }
    const found = torchDeclarations(file.kind, text);
    if (found.length === 0) continue;
    const lines = new LineIndex(text);
    for (const d of found) {
      declarations.push({ spec: d.spec, uri: file.uri, line: lines.position(d.offset).line });
    }
  }
  return { status: torchStatus(declarations.map((d) => d.spec)), declarations };
}

/** torch requirements written in one file, with their offsets. */
export function torchDeclarations(
  kind: CodeFileKind,
  text: string,
): { spec: string; offset: number }[] {
  const out: { spec: string; offset: number }[] = [];
  const add = (name: string, specifier: string, offset: number): void => {
    if (name === 'torch' || name === 'pytorch') out.push({ spec: `torch${specifier}`, offset });
  };
  switch (kind) {
    case 'requirements':
      for (const r of parseRequirementsFile(text).requirements)
        add(r.name, r.specifier, r.span.start);
      break;
    case 'dockerfile':
      for (const instruction of parseDockerfile(text)) {
        for (const command of instruction.commands) {
          for (const word of findPipInstalls(command)?.packages ?? []) {
            const spec = parseRequirementSpec(word.value);
            if (spec !== undefined) add(spec.name, spec.specifier, word.span.start);
          }
        }
      }
      break;
    case 'pyproject':
    case 'setup-cfg':
      // Quoted PEP 508 strings (PEP 621 `dependencies`) and bare setup.cfg lines.
      for (const m of text.matchAll(/(["']?)((?:torch|pytorch)\b[^"'\n#;]*)\1/gi)) {
        const spec = parseRequirementSpec(m[2] ?? '');
        if (spec !== undefined) add(spec.name, spec.specifier, m.index);
      }
      // Poetry: `torch = "^2.6"` or `torch = { version = ">=2.6" }`.
      for (const m of text.matchAll(
        /^[ \t]*torch[ \t]*=[ \t]*(?:\{[^}\n]*version[ \t]*=[ \t]*)?"([^"\n]*)"/gm,
      )) {
        add('torch', (m[1] ?? '').replace(/\s+/g, ''), m.index);
      }
      break;
    case 'conda':
      // `- pytorch=2.1.0=py3.10_cuda11.8`, `- pytorch>=2.6`, `- torch==2.6.0` (pip section).
      for (const m of text.matchAll(
        /^[ \t]*-[ \t]*(?:[\w-]+::)?((?:py)?torch)[ \t]*([=<>!~][^\s#]*)?/gm,
      )) {
        const raw =
          (m[2] ?? '').split('=').length === 3 && !(m[2] ?? '').startsWith('==')
            ? (m[2] ?? '').split('=').slice(0, 2).join('=')
            : (m[2] ?? '');
        add(m[1] === 'pytorch' ? 'pytorch' : 'torch', raw, m.index);
      }
      break;
    case 'python':
    case 'notebook':
    case 'shell':
      break;
  }
  return out;
}

const V2_6 = [2, 6];

/** Whether every declared range admits only torch >= 2.6, only older, or both (or none given). */
export function torchStatus(specs: readonly string[]): DeclaredTorch['status'] {
  if (specs.length === 0) return 'unknown';
  let allOlder = true;
  let anyOlder = false;
  for (const spec of specs) {
    const range = specifierRange(spec.replace(/^(?:py)?torch/, ''));
    const canBeOlder = range.min === undefined || compareRelease(range.min, V2_6) < 0;
    const onlyOlder = range.below !== undefined && compareRelease(range.below, V2_6) <= 0;
    if (canBeOlder) anyOlder = true;
    if (!onlyOlder) allOlder = false;
  }
  if (allOlder) return 'older';
  return anyOlder ? 'may-be-older' : 'at-least-2.6';
}

/** Reads a regular file of at most `max` bytes, synchronously (code files are small). */
function readBytes(path: string, max: number): Uint8Array | FormatError {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return new FormatError('TRUNCATED', error instanceof Error ? error.message : String(error), 0);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return new FormatError('BAD_STRUCTURE', 'not a regular file', 0);
    // Size before reading: a huge file is refused without loading it.
    const tooLarge = limitError(
      info.size,
      max,
      'maxTextBytes',
      0,
      () => `${info.size} bytes exceeds maxTextBytes ${max}`,
    );
    if (tooLarge !== undefined) return tooLarge;
    // A plain Uint8Array: Node's Buffer is a subclass, whose construction (and each subarray)
    // costs more than the read of a small file.
    const buffer = new Uint8Array(info.size + 1);
    let length = 0;
    for (;;) {
      const wanted = buffer.length - length;
      const n = readSync(fd, buffer, length, wanted, null);
      length += n;
      if (length === buffer.length) {
        return new FormatError('LIMIT_EXCEEDED', 'the file grew while being read', 0);
      }
      if (n === 0 || n < wanted) break;
    }
    return buffer.subarray(0, length);
  } catch (error) {
    return new FormatError('TRUNCATED', error instanceof Error ? error.message : String(error), 0);
  } finally {
    closeSync(fd);
  }
}
