import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SEVERITIES } from '../../src/core/finding.js';
import { ALL_RULES } from '../../src/rules/registry.js';

const SECTIONS = [
  '## What it detects',
  '## Why it matters',
  '## Bad example',
  '## Good example',
  '## Remediation',
  '## Known false positives',
  '## How to suppress',
];

describe('rule registry', () => {
  it('has unique ids of the form family/rule-name', () => {
    const ids = ALL_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids)
      // One optional sub-family (`privacy/secret/aws`), still the path under src/rules/.
      assert.match(id, /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*){1,2}$/, id);
  });

  it('is sorted by id', () => {
    const ids = ALL_RULES.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort());
  });

  it('gives every rule a source file at its id path and a documentation page with every section', () => {
    for (const rule of ALL_RULES) {
      assert.ok(existsSync(`src/rules/${rule.id}.ts`), `src/rules/${rule.id}.ts`);
      assert.equal(rule.docs, `docs/rules/${rule.id}.md`);
      assert.ok(existsSync(rule.docs), rule.docs);
      const doc = readFileSync(rule.docs, 'utf8');
      for (const section of SECTIONS) assert.ok(doc.includes(section), `${rule.docs}: ${section}`);
    }
  });

  it('has valid metadata and non-empty messages', () => {
    for (const rule of ALL_RULES) {
      assert.ok(SEVERITIES.includes(rule.severity), rule.id);
      assert.ok(['low', 'medium', 'high'].includes(rule.confidence), rule.id);
      assert.ok(rule.title.length > 0 && rule.policy.length > 0, rule.id);
      const messages: string[] = Object.values(rule.messages);
      assert.ok(messages.length > 0 && messages.every((m) => m.length > 0), rule.id);
    }
  });
});
