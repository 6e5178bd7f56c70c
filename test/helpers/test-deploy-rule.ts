import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { LineIndex } from '../../src/core/line-index.js';
import {
  isParseProblem,
  networkPoliciesOf,
  parseDeployFile,
  type DeployFile,
  type DeployKind,
} from '../../src/deploy/model.js';
import { type Rule } from '../../src/rules/define-rule.js';
import { runRules } from './run-rules.js';

/** One deployment-rule case: the file's kind and text, and other manifests scanned beside it. */
export interface DeployCase {
  readonly kind: DeployKind;
  readonly code: string;
  /** Other Kubernetes manifests of the same scan (their NetworkPolicies count). */
  readonly beside?: readonly string[];
}

/** One expected finding: message id and 1-based position of the primary span. */
export interface DeployError {
  readonly messageId: string;
  readonly line: number;
  readonly column: number;
  readonly endColumn?: number;
  readonly severity?: string;
}

function parse(kind: DeployKind, code: string): DeployFile {
  const file = parseDeployFile('test', kind, code, DEFAULT_LIMITS);
  if (isParseProblem(file)) throw new Error(`case does not parse: ${file.code} ${file.message}`);
  return file;
}

/** Runs one deploy rule over a case and returns its findings. */
export function runDeployRule(rule: Rule<DeployFile>, input: DeployCase): Finding[] {
  const file = parse(input.kind, input.code);
  const others = (input.beside ?? []).map((code) => parse('kubernetes', code));
  const networkPolicies = [file, ...others].flatMap((f) => networkPoliciesOf(f.documents));
  return runRules(
    [rule],
    { ...file, networkPolicies },
    { uri: 'test', unit: 'char', options: {} },
    (id, error) => {
      throw new Error(`rule ${id} threw`, { cause: error });
    },
  );
}

/**
 * Literal valid/invalid tables for one deploy rule (STYLE §7): every valid case yields no finding,
 * every invalid case exactly the listed findings, in source order.
 */
export function testDeployRule(
  rule: Rule<DeployFile>,
  cases: {
    valid: readonly DeployCase[];
    invalid: readonly (DeployCase & { readonly errors: readonly DeployError[] })[];
  },
): void {
  cases.valid.forEach((input, index) => {
    test(`${rule.id} valid #${index + 1}`, () => {
      assert.deepEqual(
        runDeployRule(rule, input).map((f) => `${f.messageId}: ${f.message}`),
        [],
      );
    });
  });
  cases.invalid.forEach((input, index) => {
    test(`${rule.id} invalid #${index + 1}`, () => {
      const lines = new LineIndex(input.code);
      const found = runDeployRule(rule, input)
        .sort((a, b) => a.primary.span.start - b.primary.span.start)
        .map((f) => {
          const start = lines.position(f.primary.span.start);
          const end = lines.position(f.primary.span.end);
          const expected = input.errors.find(
            (e) => e.line === start.line && e.column === start.column,
          );
          return {
            messageId: f.messageId,
            line: start.line,
            column: start.column,
            ...(expected?.endColumn === undefined ? {} : { endColumn: end.column }),
            ...(expected?.severity === undefined ? {} : { severity: f.severity }),
          };
        });
      assert.deepEqual(found, input.errors);
    });
  });
}
