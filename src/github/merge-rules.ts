import { isAlias, parseDocument, visit } from 'yaml';
import { FormatError } from '../core/errors.js';
import type { Span } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { parseYamlTree } from '../workflows/yaml-tree.js';
import type { YNode, YScalar } from '../workflows/yaml-tree.js';

/** One element of a compiled pattern. */
type Token =
  { readonly kind: 'star' } | { readonly kind: 'globstar' } | { readonly kind: 'any' } | string;

/** A path pattern of PyTorch's merge rules, compiled for linear-time matching. */
export interface MergePattern {
  readonly source: string;
  readonly span: Span;
  readonly tokens: readonly Token[];
}

/** One rule of `.github/merge_rules.yaml`. */
export interface MergeRule {
  /** Position in the file (0-based). */
  readonly index: number;
  readonly name: string;
  readonly span: Span;
  readonly patterns: readonly MergePattern[];
  /** Logins and `org/team` slugs; empty means the rule asks for no approval. */
  readonly approvedBy: readonly { readonly value: string; readonly span: Span }[];
  readonly mandatoryChecks: readonly string[];
  readonly ignoreFlakyFailures: boolean;
}

/** Why a rules file (or part of it) cannot be used. Codes are API. */
export type MergeRulesCode =
  'BAD_YAML' | 'BAD_STRUCTURE' | 'BAD_PATTERN' | 'BAD_APPROVER' | 'LIMIT_EXCEEDED';

export interface MergeRulesProblem {
  readonly code: MergeRulesCode;
  readonly message: string;
  readonly span: Span;
}

/** A parsed rules file: usable only when `problems` is empty. */
export interface MergeRules {
  readonly text: string;
  readonly rules: readonly MergeRule[];
  readonly problems: readonly MergeRulesProblem[];
}

// Bounds: PyTorch's file has about 40 rules of a few dozen patterns each.
const MAX_RULES = 1000;
const MAX_PATTERNS = 10_000;
const MAX_PATTERN_LENGTH = 512;
// trymerge refuses these characters (it escapes only `.` and `+` when building its regex).
const FORBIDDEN = /[{}()[\]\\]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9_.-]{1,100}$/;

/**
 * Parses PyTorch's `merge_rules.yaml`: a list of `{ name, patterns, approved_by,
 * mandatory_checks_name, ignore_flaky_failures }`. YAML errors, alias bombs (bounded by
 * `limits.maxYamlAliases`), bad shapes, patterns trymerge would reject and malformed approver
 * names become problems with their spans; this function does not throw.
 */
export function parseMergeRules(text: string, limits: Limits): MergeRules {
  const problems: MergeRulesProblem[] = [];
  let root: YNode | undefined;
  try {
    const tree = parseYamlTree(text, limits);
    for (const p of tree.problems)
      problems.push({ code: 'BAD_YAML', message: p.message, span: p.span });
    root = tree.root;
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    const code = error.code === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : 'BAD_YAML';
    return {
      text,
      rules: [],
      problems: [{ code, message: error.message, span: { start: 0, end: 0 } }],
    };
  }
  // The tree builder resolves an alias to an undefined anchor as an empty value; name it instead.
  if (problems.length === 0 && text.includes('*')) problems.push(...undefinedAliases(text));
  if (problems.length > 0) return { text, rules: [], problems };
  if (root?.kind !== 'seq') {
    return {
      text,
      rules: [],
      problems: [
        {
          code: 'BAD_STRUCTURE',
          message: 'the file must be a list of rules',
          span: root?.span ?? { start: 0, end: 0 },
        },
      ],
    };
  }
  if (root.items.length > MAX_RULES) {
    return {
      text,
      rules: [],
      problems: [
        { code: 'LIMIT_EXCEEDED', message: `more than ${MAX_RULES} rules`, span: root.span },
      ],
    };
  }
  const rules: MergeRule[] = [];
  let patternCount = 0;
  root.items.forEach((item, index) => {
    const bad = (message: string, span: Span, code: MergeRulesCode = 'BAD_STRUCTURE'): void => {
      problems.push({ code, message: `rule ${index + 1}: ${message}`, span });
    };
    if (item.kind !== 'map') {
      bad('a rule must be a mapping', item.span);
      return;
    }
    const name = item.entries.get('name')?.value;
    if (name?.kind !== 'scalar' || typeof name.value !== 'string' || name.text.trim() === '') {
      bad('`name` must be a non-empty string', name?.span ?? item.span);
      return;
    }
    const patterns: MergePattern[] = [];
    const patternNode = item.entries.get('patterns')?.value;
    const patternItems = stringList(patternNode);
    if (patternItems === undefined || patternItems.length === 0) {
      bad('`patterns` must be a non-empty list of strings', patternNode?.span ?? item.span);
      return;
    }
    for (const p of patternItems) {
      patternCount++;
      if (patternCount > MAX_PATTERNS) {
        bad(`more than ${MAX_PATTERNS} patterns in all`, p.span, 'LIMIT_EXCEEDED');
        return;
      }
      const error = patternError(p.text);
      if (error !== undefined) {
        bad(`pattern ${JSON.stringify(p.text.slice(0, 80))}: ${error}`, p.span, 'BAD_PATTERN');
        continue;
      }
      patterns.push({ source: p.text, span: p.span, tokens: compilePattern(p.text) });
    }
    const approverNode = item.entries.get('approved_by')?.value;
    const approvers = approverNode === undefined ? [] : stringList(approverNode);
    if (approvers === undefined) {
      bad(
        '`approved_by` must be a list of logins or org/team names',
        approverNode?.span ?? item.span,
      );
      return;
    }
    for (const a of approvers) {
      if (!LOGIN.test(a.text) && !TEAM.test(a.text)) {
        bad(
          `approver ${JSON.stringify(a.text.slice(0, 80))} is neither a login nor org/team`,
          a.span,
          'BAD_APPROVER',
        );
      }
    }
    const checksNode = item.entries.get('mandatory_checks_name')?.value;
    const checks =
      checksNode === undefined || (checksNode.kind === 'scalar' && checksNode.value === null)
        ? []
        : stringList(checksNode);
    if (checks === undefined) {
      bad('`mandatory_checks_name` must be a list of check names', checksNode?.span ?? item.span);
      return;
    }
    const flakyNode = item.entries.get('ignore_flaky_failures')?.value;
    if (
      flakyNode !== undefined &&
      (flakyNode.kind !== 'scalar' || typeof flakyNode.value !== 'boolean')
    ) {
      bad('`ignore_flaky_failures` must be true or false', flakyNode.span);
      return;
    }
    rules.push({
      index,
      name: name.text,
      span: item.span,
      patterns,
      approvedBy: approvers.map((a) => ({ value: a.text, span: a.span })),
      mandatoryChecks: checks.map((c) => c.text),
      // trymerge's default.
      ignoreFlakyFailures: flakyNode?.kind === 'scalar' ? flakyNode.value === true : true,
    });
  });
  return { text, rules: problems.length > 0 ? [] : rules, problems };
}

function stringList(node: YNode | undefined): YScalar[] | undefined {
  if (node?.kind !== 'seq') return undefined;
  const out: YScalar[] = [];
  for (const item of node.items) {
    if (item.kind !== 'scalar' || item.value === null || typeof item.value === 'boolean')
      return undefined;
    out.push(item);
  }
  return out;
}

/** Why trymerge would not accept a pattern, or undefined. */
export function patternError(pattern: string): string | undefined {
  if (pattern.length === 0) return 'empty pattern';
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  if (CONTROL.test(pattern)) return 'contains a control character';
  if (FORBIDDEN.test(pattern))
    return 'braces, brackets, parentheses and backslashes are not supported';
  return undefined;
}

/**
 * Compiles a pattern with trymerge's semantics: `?` is one character, `*` a run without `/`,
 * `**` any run; everything else is literal.
 */
export function compilePattern(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') {
      if (pattern.charAt(i + 1) === '*') {
        tokens.push({ kind: 'globstar' });
        i++;
      } else tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else tokens.push(c);
  }
  return tokens;
}

/**
 * Whether `path` matches `pattern` the way trymerge's `re.match` does: anchored at the start
 * only, so a pattern matches every path it is a prefix match of (`torch/*` matches
 * `torch/nn/linear.py`). Simulates the pattern as an automaton over a set of positions: time is
 * at most path length × pattern length, with no backtracking.
 */
export function matchesPattern(pattern: MergePattern, path: string): boolean {
  const tokens = pattern.tokens;
  const end = tokens.length;
  const close = (set: Set<number>): Set<number> => {
    for (const i of set) {
      // Stars match the empty run: their successor is reachable at once (Set iteration visits
      // the added element too).
      const t = tokens[i];
      if (t !== undefined && typeof t !== 'string' && t.kind !== 'any') set.add(i + 1);
    }
    return set;
  };
  let states = close(new Set([0]));
  if (states.has(end)) return true;
  for (let j = 0; j < path.length; j++) {
    const c = path.charAt(j);
    const next = new Set<number>();
    for (const i of states) {
      const t = tokens[i];
      if (t === undefined) continue;
      if (typeof t === 'string') {
        if (t === c) next.add(i + 1);
      } else if (t.kind === 'any') next.add(i + 1);
      else if (t.kind === 'globstar' || c !== '/') next.add(i);
    }
    states = close(next);
    if (states.has(end)) return true;
    if (states.size === 0) return false;
  }
  return false;
}

/** Whether a pattern matches every path (only stars: its empty prefix already matches). */
export function isCatchAll(pattern: MergePattern): boolean {
  return pattern.tokens.every((t) => typeof t !== 'string' && t.kind !== 'any');
}

/** Aliases (`*name`) whose anchor is not defined before them. The text is already size-checked. */
function undefinedAliases(text: string): MergeRulesProblem[] {
  const out: MergeRulesProblem[] = [];
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.resolve(doc) === undefined) {
        const [start = 0, end = start] = node.range ?? [];
        out.push({
          code: 'BAD_YAML',
          message: `alias *${node.source} names no anchor`,
          span: { start, end },
        });
      }
    },
  });
  return out;
}
