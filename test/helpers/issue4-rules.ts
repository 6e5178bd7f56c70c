import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { type Rule } from '../../src/rules/define-rule.js';
import { runRules } from './run-rules.js';

/** Runs one rule over `input` (as the engine does) and returns its findings; rule bugs fail the test. */
export function runRule<T>(rule: Rule<T>, input: T, uri = 'model'): Finding[] {
  return runRules([rule], input, { uri, unit: 'byte', options: {} }, (id, error) => {
    assert.fail(`rule ${id} threw: ${String(error)}`);
  });
}

/** [messageId, message] pairs of findings, for literal expectations. */
export function summary(findings: readonly Finding[]): [string, string][] {
  return findings.map((f) => [f.messageId, f.message]);
}
