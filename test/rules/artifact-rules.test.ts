import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTIFACT_RULES } from '../../src/rules/artifact-registry.js';
import { artifactRulesFor, ENGINE_RULES } from '../../src/rules/artifact-rules.js';

// The unit scanner loads rule families lazily (artifact-rules.ts); a family missing from its
// target table would let that target's inputs pass unjudged, so it must match the eager list.

test('lazily loaded rules equal the eager artifact registry for every target, in order', async () => {
  const targets = [...new Set(ARTIFACT_RULES.all.map((rule) => rule.target))].sort();
  assert.ok(targets.length >= 9, `only ${targets.length} artifact targets`);
  for (const target of targets) {
    const lazy = (await artifactRulesFor(target)).map((rule) => rule.id);
    const eager = ARTIFACT_RULES.forTarget(target).map((rule) => rule.id);
    assert.deepEqual(lazy, eager, `rules for target ${target}`);
  }
});

test('engine rules hold model/* and every artifact family malformed-input rule', () => {
  const families = [...new Set(ARTIFACT_RULES.all.map((rule) => rule.id.split('/')[0]))];
  for (const family of families) {
    assert.ok(ENGINE_RULES.byId(`${family}/malformed-input`), `${family}/malformed-input`);
  }
  for (const rule of ARTIFACT_RULES.all.filter((r) => r.id.startsWith('model/'))) {
    assert.equal(ENGINE_RULES.byId(rule.id), rule);
  }
});

test('a target no artifact family reads is refused, not judged by zero rules', async () => {
  await assert.rejects(
    artifactRulesFor('workflow'),
    /no artifact rule family reads target workflow/,
  );
});
