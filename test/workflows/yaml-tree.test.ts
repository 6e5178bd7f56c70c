import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FormatError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, makeLimits } from '../../src/core/limits.js';
import {
  getMap,
  getNode,
  getScalar,
  parseYamlTree,
  scalarsUnder,
} from '../../src/workflows/yaml-tree.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FormatError, String(error));
    return error.code;
  }
  return 'none';
}

describe('parseYamlTree', () => {
  it('locates scalars with UTF-16 spans and logical paths', () => {
    const text = 'name: "é😀"\njobs:\n  build:\n    steps:\n      - uses: a/b@v1\n';
    const { root, problems } = parseYamlTree(text, DEFAULT_LIMITS);
    assert.deepEqual(problems, []);
    const step = getNode(getNode(getMap(root, 'jobs'), 'build'), 'steps');
    assert.equal(step?.kind, 'seq');
    const uses = getScalar(step.items[0], 'uses');
    assert.ok(uses);
    assert.deepEqual(uses.path, ['jobs', 'build', 'steps', 0, 'uses']);
    assert.equal(text.slice(uses.span.start, uses.span.end), 'a/b@v1');
    const name = getScalar(root, 'name');
    assert.ok(name);
    assert.equal(name.text, 'é😀');
    assert.equal(text.slice(name.span.start, name.span.end), '"é😀"');
  });

  it('resolves aliases to the anchored node, keeping its span, and marks block scalars', () => {
    const text = 'a: &s |\n  echo hi\nb: *s\n';
    const { root, scalarSpans } = parseYamlTree(text, DEFAULT_LIMITS);
    const a = getScalar(root, 'a');
    const b = getScalar(root, 'b');
    assert.ok(a && b);
    assert.equal(b.text, 'echo hi\n');
    assert.deepEqual(b.span, a.span);
    assert.deepEqual(b.path, ['b']);
    assert.equal(a.block, true);
    assert.deepEqual(scalarSpans, [a.span]);
  });

  it('keeps the first of duplicate keys and reports the duplicate', () => {
    const { root, problems } = parseYamlTree('k: 1\nk: 2\n', DEFAULT_LIMITS);
    assert.equal(getScalar(root, 'k')?.text, '1');
    assert.deepEqual(
      problems.map((p) => [p.code, p.span.start]),
      [['DUPLICATE_KEY', 5]],
    );
  });

  it('finds duplicate keys among tens of thousands with a Map, not pairwise', () => {
    const lines = ['jobs:'];
    for (let i = 0; i < 50_000; i++) lines.push(`  j${i}: 1`);
    lines.push('  j7: 2');
    const text = `${lines.join('\n')}\n`;
    const { problems } = parseYamlTree(text, DEFAULT_LIMITS);
    assert.deepEqual(
      problems.map((p) => [p.code, text.slice(p.span.start, p.span.end)]),
      [['DUPLICATE_KEY', 'j7']],
    );
  });

  it('lists scalars in document order', () => {
    const { root } = parseYamlTree('a: [1, {b: 2}]\nc: 3\n', DEFAULT_LIMITS);
    assert.deepEqual(
      [...scalarsUnder(root)].map((s) => s.text),
      ['1', '2', '3'],
    );
  });

  it('enforces size, alias, node and depth limits with LIMIT_EXCEEDED', () => {
    assert.equal(
      code(() => parseYamlTree('a: 1\n', makeLimits({ maxTextBytes: 3 }))),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      code(() => parseYamlTree('a: &a [1, 2]\nb: [*a, *a]\n', makeLimits({ maxYamlAliases: 5 }))),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      code(() => parseYamlTree('a: &a [1, 2]\nb: [*a, *a]\n', makeLimits({ maxYamlAliases: 6 }))),
      'none',
    );
    assert.equal(
      code(() => parseYamlTree('[1, 2, 3, 4]', makeLimits({ maxEntries: 4 }))),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      code(() => parseYamlTree(`${'['.repeat(200)}${']'.repeat(200)}`, DEFAULT_LIMITS)),
      'LIMIT_EXCEEDED',
    );
  });
});
