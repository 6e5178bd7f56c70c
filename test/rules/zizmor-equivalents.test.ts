import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../src/rules/registry.js';
import { ZIZMOR_AUDITS, zizmorEquivalents } from '../../src/rules/zizmor-equivalents.js';

describe('zizmor equivalents come from rule metadata alone', () => {
  it('has every ci rule declare its zizmor equivalents (an empty list when zizmor has none)', () => {
    const undeclared = ALL_RULES.filter(
      (r) => r.id.startsWith('ci/') && r.equivalents?.zizmor === undefined,
    ).map((r) => r.id);
    assert.deepEqual(undeclared, []);
  });

  it('maps each zizmor audit to the rules that name it, and only to them', () => {
    const map = zizmorEquivalents(ALL_RULES);
    assert.deepEqual(map.get('template-injection'), ['ci/script-injection']);
    assert.deepEqual(map.get('unpinned-uses'), ['ci/unpinned-action']);
    for (const [audit, ids] of map) {
      assert.ok(ZIZMOR_AUDITS.has(audit), audit);
      for (const id of ids) {
        const rule = ALL_RULES.find((r) => r.id === id);
        assert.ok(rule?.equivalents?.zizmor?.includes(audit), `${audit} → ${id}`);
      }
    }
  });
});
