import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ENGINE_RULES, loadRulesFor, RULE_FAMILIES } from '../../src/rules/families.js';
import { ALL_RULES } from '../../src/rules/registry.js';

// The family table (src/rules/families.ts) is the one registry: the engine loads families from it
// by target, and ALL_RULES is its whole. A family missing from it, or a rule of a target its family
// does not declare, would let that target's inputs pass unjudged.

test('every folder of rules under src/rules/ is one family of the table, sorted by name', () => {
  const folders = readdirSync('src/rules', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`src/rules/${d.name}/index.ts`))
    .map((d) => d.name)
    .sort();
  const names = RULE_FAMILIES.map((f) => f.name);
  assert.deepEqual(names, [...names].sort());
  assert.deepEqual(names, folders);
});

test("each family's rules carry its name and read only the targets it declares", async () => {
  for (const family of RULE_FAMILIES) {
    const rules = await family.load();
    assert.ok(rules.length > 0, family.name);
    for (const rule of rules) {
      assert.ok(rule.id.startsWith(`${family.name}/`), `${rule.id} in family ${family.name}`);
      assert.ok(family.targets.includes(rule.target), `${rule.id} reads ${rule.target}`);
    }
    if (family.malformed !== undefined) {
      assert.equal(family.malformed.id, `${family.name}/malformed-input`);
      assert.ok(rules.includes(family.malformed), `${family.name}: malformed rule listed`);
    }
  }
});

test('rules loaded by target equal the whole registry for that target, in order', async () => {
  const targets = [...new Set(ALL_RULES.map((rule) => rule.target))].sort();
  assert.ok(targets.length >= 16, `only ${targets.length} targets`);
  for (const target of targets) {
    const lazy = (await loadRulesFor(target)).map((rule) => rule.id);
    const whole = ALL_RULES.filter((rule) => rule.target === target).map((rule) => rule.id);
    assert.deepEqual(lazy, whole, `rules for target ${target}`);
  }
});

test('engine rules hold model/* and the malformed-input rule of every family that reads a model format', () => {
  for (const family of [
    'archive',
    'gguf',
    'keras',
    'numpy',
    'onnx',
    'pickle',
    'safetensors',
    'sevenzip',
    'tensorflow',
    'torch',
  ]) {
    assert.ok(ENGINE_RULES.byId(`${family}/malformed-input`), `${family}/malformed-input`);
  }
  for (const rule of ALL_RULES.filter((r) => r.id.startsWith('model/'))) {
    assert.equal(ENGINE_RULES.byId(rule.id), rule);
  }
});

test('a target no family reads is refused, not judged by zero rules', async () => {
  await assert.rejects(loadRulesFor('input'), /no rule family reads target input/);
});
