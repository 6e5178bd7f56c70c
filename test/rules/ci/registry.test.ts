import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SEVERITIES } from '../../../src/core/finding.js';
import { ciRules } from '../../../src/rules/ci/index.js';

const SECTIONS = [
  '## What it detects',
  '## Why it matters',
  '## Bad example',
  '## Good example',
  '## Remediation',
  '## Known false positives',
  '## How to suppress',
];

describe('ci rule set', () => {
  it('is sorted by id, with unique ids matching their files', () => {
    const ids = ciRules.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of ciRules) {
      assert.match(rule.id, /^ci\/[a-z]+(?:-[a-z]+)*$/);
      assert.ok(existsSync(join('src', 'rules', `${rule.id}.ts`)), rule.id);
      assert.equal(rule.docs, `docs/rules/${rule.id}.md`);
      assert.equal(rule.target, 'workflow');
      assert.equal(rule.verdict, undefined);
      assert.ok(SEVERITIES.includes(rule.severity));
      assert.ok(['low', 'medium', 'high'].includes(rule.confidence));
      assert.notEqual(rule.policy.trim(), '');
    }
  });

  it('documents every rule with the required sections and the principle it enforces', () => {
    for (const rule of ciRules) {
      const doc = readFileSync(rule.docs, 'utf8');
      const positions = SECTIONS.map((s) => doc.indexOf(`\n${s}\n`));
      assert.ok(
        positions.every((p) => p > 0),
        `${rule.id}: missing a section`,
      );
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        `${rule.id}: section order`,
      );
      assert.match(doc, /PyTorch SECURITY\.md[^\n]*P\d/, `${rule.id}: names no principle`);
      assert.ok(doc.includes(`ignore[${rule.id}]`), `${rule.id}: no suppression example`);
    }
  });

  it('tests every messageId in an invalid case', () => {
    for (const rule of ciRules) {
      const name = rule.id.slice('ci/'.length);
      const source = readFileSync(join('test', 'rules', 'ci', `${name}.test.ts`), 'utf8');
      for (const messageId of Object.keys(rule.messages)) {
        // malformed-input's `unreadable` is produced by the audit itself (engine test).
        if (rule.id === 'ci/malformed-input' && messageId === 'unreadable') continue;
        assert.ok(
          source.includes(`messageId: '${messageId}'`),
          `${rule.id}: ${messageId} untested`,
        );
      }
    }
  });
});
