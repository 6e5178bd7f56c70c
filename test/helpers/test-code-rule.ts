import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { LineIndex } from '../../src/core/line-index.js';
import { auditCodeFiles } from '../../src/engine/code-audit.js';
import { codeFileKind } from '../../src/engine/code-file-kind.js';
import type { Rule } from '../../src/rules/define-rule.js';

/** One expected finding: message id and 1-based position (inside the cell for notebooks). */
export interface ExpectedCodeError {
  readonly messageId: string;
  readonly line: number;
  readonly column: number;
  /** Notebooks: 1-based cell number. */
  readonly cell?: number;
  readonly severity?: string;
}

/** A case: the text of one file (named `name`, default `train.py`) and other repository files. */
export interface CodeCase {
  readonly code: string;
  readonly name?: string;
  /** Other files of the repository by relative path (requirements.txt declares torch …). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface InvalidCodeCase extends CodeCase {
  readonly errors: readonly ExpectedCodeError[];
}

/**
 * Audits a case through the real code audit (files written to a temporary repository, parsed by
 * tree-sitter, suppressions applied) and returns the unsuppressed findings of the file.
 */
export async function auditCase(
  input: CodeCase,
  prefilter = true,
  slice = prefilter,
): Promise<{ findings: Finding[]; text: string }> {
  const root = mkdtempSync(join(tmpdir(), 'torchward-code-'));
  try {
    const name = input.name ?? 'train.py';
    const all = { ...input.files, [name]: input.code };
    const files = Object.keys(all).map((rel) => {
      const path = join(root, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, all[rel] ?? '');
      return { path, uri: rel, kind: codeFileKind(rel) ?? 'python' };
    });
    const { results } = await auditCodeFiles(files, {
      limits: DEFAULT_LIMITS,
      config: {},
      repoRoot: root,
      prefilter,
      slice,
    });
    const result = results.find((r) => r.uri === name);
    assert.ok(result !== undefined);
    assert.deepEqual(result.internalErrors, []);
    return {
      findings: result.findings.filter((f) => f.suppressed === undefined),
      text: input.code,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function position(f: Finding, lines: LineIndex): ExpectedCodeError {
  const label = f.primary.label;
  const cell =
    label === undefined ? undefined : /^cell (\d+), line (\d+), column (\d+)$/.exec(label);
  if (cell !== null && cell !== undefined) {
    return {
      messageId: f.messageId,
      cell: Number(cell[1]),
      line: Number(cell[2]),
      column: Number(cell[3]),
    };
  }
  const start = lines.position(f.primary.span.start);
  return { messageId: f.messageId, line: start.line, column: start.column };
}

/**
 * The differential check of the audit's prefilter and slicer: the same findings with and without
 * both, except code/parse-error's syntax finding, which only a parsed file can have; and the same
 * findings, that one included, with and without the slicer alone.
 */
async function assertPrefilterNeutral(input: CodeCase): Promise<void> {
  const show = (findings: Finding[], syntax = false): string[] =>
    findings
      .filter((f) => syntax || !(f.ruleId === 'code/parse-error' && f.messageId === 'syntax'))
      .map(
        (f) =>
          `${f.ruleId} ${f.messageId} ${f.severity} ${f.primary.span.start}-${f.primary.span.end} ${f.message}`,
      );
  const filtered = await auditCase(input, true);
  const full = await auditCase(input, false);
  assert.deepEqual(show(filtered.findings), show(full.findings));
  const whole = await auditCase(input, true, false);
  assert.deepEqual(show(filtered.findings, true), show(whole.findings, true));
}

/**
 * Literal valid/invalid tables for one code rule (STYLE §7): a valid case yields no finding of the
 * rule, an invalid case exactly the listed ones, in source order. Every case also passes the
 * prefilter's differential check (the same findings when every file is parsed).
 */
export function testCodeRule(
  rule: Rule,
  cases: { valid: readonly (string | CodeCase)[]; invalid: readonly InvalidCodeCase[] },
): void {
  cases.valid.forEach((item, index) => {
    const input = typeof item === 'string' ? { code: item } : item;
    test(`${rule.id} valid #${index + 1}`, async () => {
      const { findings } = await auditCase(input);
      assert.deepEqual(
        findings.filter((f) => f.ruleId === rule.id).map((f) => `${f.messageId}: ${f.message}`),
        [],
      );
      await assertPrefilterNeutral(input);
    });
  });
  cases.invalid.forEach((item, index) => {
    test(`${rule.id} invalid #${index + 1}`, async () => {
      const { findings, text } = await auditCase(item);
      const lines = new LineIndex(text);
      const actual = findings
        .filter((f) => f.ruleId === rule.id)
        .map((f, i) => {
          const expected = item.errors[i];
          return {
            ...position(f, lines),
            ...(expected?.severity === undefined ? {} : { severity: f.severity }),
          };
        });
      assert.deepEqual(actual, item.errors);
      await assertPrefilterNeutral(item);
    });
  });
}
