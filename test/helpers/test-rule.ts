import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { LineIndex } from '../../src/core/line-index.js';
import { runRules } from './run-rules.js';
import type { Rule } from '../../src/rules/define-rule.js';
import { EMPTY_INVENTORY } from '../../src/workflows/audit-input.js';
import type { RunnerInventory, WorkflowAuditInput } from '../../src/workflows/audit-input.js';
import type { ForbiddenUsesPolicy } from '../../src/workflows/forbidden-uses.js';
import { parseWorkflow } from '../../src/workflows/model.js';
import type { WorkflowFileKind } from '../../src/workflows/model.js';

/** One expected finding: message id and 1-based position of the primary span. */
export interface ExpectedError {
  readonly messageId: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly severity?: string;
}

/** A case: workflow text, optionally an action file, local files it calls, and runner config. */
export interface RuleCase {
  readonly code: string;
  readonly kind?: WorkflowFileKind;
  /** Local reusable workflows / composite actions by the `uses:` path (without `./`). */
  readonly files?: Readonly<Record<string, string>>;
  readonly runners?: Partial<RunnerInventory>;
  /** Run as `scan --pedantic` does (rules then see `options.pedantic`). */
  readonly pedantic?: boolean;
  /** The configured `forbidden-uses` list (ci/forbidden-uses). */
  readonly forbiddenUses?: ForbiddenUsesPolicy;
}

export interface InvalidCase extends RuleCase {
  readonly errors: readonly ExpectedError[];
}

const URIS: Readonly<Record<WorkflowFileKind, string>> = {
  workflow: '.github/workflows/test.yml',
  action: 'action.yml',
  dependabot: '.github/dependabot.yml',
  'pre-commit': '.pre-commit-config.yaml',
};

/** Runs one rule over a case (no I/O: local files come from `files`) and returns its findings. */
export function runRule(rule: Rule<WorkflowAuditInput>, input: RuleCase): Finding[] {
  const kind = input.kind ?? 'workflow';
  const uri = URIS[kind];
  const workflow = parseWorkflow(input.code, uri, kind, DEFAULT_LIMITS);
  for (const job of workflow.jobs) {
    const callee =
      job.uses?.text.startsWith('./') === true ? input.files?.[job.uses.text.slice(2)] : undefined;
    if (callee !== undefined && job.uses !== undefined) {
      job.callee = parseWorkflow(callee, job.uses.text.slice(2), 'workflow', DEFAULT_LIMITS);
    }
    for (const step of job.steps) {
      const path = step.uses?.text.startsWith('./') === true ? step.uses.text.slice(2) : undefined;
      const action = path === undefined ? undefined : input.files?.[path];
      if (action !== undefined && path !== undefined) {
        step.action = parseWorkflow(action, `${path}/action.yml`, 'action', DEFAULT_LIMITS);
      } else if (path !== undefined && step.uses !== undefined) {
        // As the engine's loader does for a local action it cannot read.
        workflow.unresolved.push({ uses: step.uses, reason: `no file given for ${path}` });
      }
    }
  }
  const runners: RunnerInventory = { ...EMPTY_INVENTORY, ...input.runners };
  return runRules(
    [rule],
    {
      workflow,
      runners,
      ...(input.forbiddenUses === undefined ? {} : { forbiddenUses: input.forbiddenUses }),
    },
    { uri, unit: 'char', options: input.pedantic === true ? { pedantic: true } : {} },
    (id, error) => {
      throw new Error(`rule ${id} threw`, { cause: error });
    },
  );
}

/**
 * Literal valid/invalid tables for one rule (STYLE §7): every valid case yields no finding, every
 * invalid case yields exactly the listed findings, in source order.
 */
export function testRule(
  rule: Rule<WorkflowAuditInput>,
  cases: { valid: readonly (string | RuleCase)[]; invalid: readonly InvalidCase[] },
): void {
  cases.valid.forEach((item, index) => {
    const input = typeof item === 'string' ? { code: item } : item;
    test(`${rule.id} valid #${index + 1}`, () => {
      assert.deepEqual(
        runRule(rule, input).map((f) => `${f.messageId}: ${f.message}`),
        [],
      );
    });
  });
  cases.invalid.forEach((item, index) => {
    test(`${rule.id} invalid #${index + 1}`, () => {
      const lines = new LineIndex(item.code);
      const actual = runRule(rule, item)
        .sort((a, b) => a.primary.span.start - b.primary.span.start)
        .map((f, i) => {
          const start = lines.position(f.primary.span.start);
          const end = lines.position(f.primary.span.end);
          const expected = item.errors[i];
          return {
            messageId: f.messageId,
            line: start.line,
            column: start.column,
            ...(expected?.endLine === undefined ? {} : { endLine: end.line }),
            ...(expected?.endColumn === undefined ? {} : { endColumn: end.column }),
            ...(expected?.severity === undefined ? {} : { severity: f.severity }),
          };
        });
      assert.deepEqual(actual, item.errors);
    });
  });
}
