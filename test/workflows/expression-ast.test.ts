import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  flowingContexts,
  isFalsyLiteral,
  parseExpression,
} from '../../src/workflows/expression-ast.js';
import { isAttackerObject } from '../../src/workflows/expressions.js';

const flows = (body: string): string[] => {
  const ast = parseExpression(body);
  assert.ok(ast !== undefined, body);
  return flowingContexts(ast).map((f) => `${f.path}${f.viaToJson ? ' (json)' : ''}`);
};

describe('expression parser', () => {
  it('parses paths with wildcards, quoted and computed indexes', () => {
    assert.deepEqual(flows('github.event.commits[0].message'), ['github.event.commits.*.message']);
    assert.deepEqual(flows("github.event['pull_request'].title"), [
      'github.event.pull_request.title',
    ]);
    assert.deepEqual(flows('github.event.pull_request.labels.*.name'), [
      'github.event.pull_request.labels.*.name',
    ]);
  });

  it('lets nothing flow through booleans, and only the right side of &&', () => {
    assert.deepEqual(flows("a.b == 'x' || !c.d"), []);
    assert.deepEqual(flows("contains(a.b, 'x') && startsWith(c.d, 'y')"), []);
    assert.deepEqual(flows("a.b && c.d || 'z'"), ['c.d']);
    assert.deepEqual(flows("a.b && 'x' || 'y'"), []);
    assert.deepEqual(flows('a.b || c.d'), ['a.b', 'c.d']);
  });

  it('follows format, join, toJSON and fromJSON, and case() values only', () => {
    assert.deepEqual(flows("format('{0}-{1}', a.b, c.d)"), ['a.b', 'c.d']);
    assert.deepEqual(flows('toJSON(github.event)'), ['github.event (json)']);
    assert.deepEqual(flows('fromJSON(steps.x.outputs.y).field'), ['steps.x.outputs.y']);
    assert.deepEqual(flows("case(a.b == 'x', c.d, e.f)"), ['c.d', 'e.f']);
  });

  it('reads literals of every kind', () => {
    const ast = parseExpression("x && '' || 'y'");
    assert.ok(ast?.kind === 'binary' && ast.left.kind === 'binary');
    assert.ok(isFalsyLiteral(ast.left.right));
    for (const lit of ['0', 'null', 'false', "''"]) {
      const node = parseExpression(lit);
      assert.ok(node !== undefined && isFalsyLiteral(node), lit);
    }
    for (const lit of ['1', '0x1f', '1.5e3', "'it''s'", 'true']) {
      const node = parseExpression(lit);
      assert.ok(node !== undefined && !isFalsyLiteral(node), lit);
    }
  });

  it('refuses invalid and hostile input without throwing', () => {
    for (const bad of ['', 'a ||', "'open", 'f(a,', 'a[', '#', 'a.', '(a']) {
      assert.equal(parseExpression(bad), undefined, bad);
    }
    // Nesting past the bound is refused, not a stack overflow.
    assert.equal(parseExpression(`${'('.repeat(5000)}a${')'.repeat(5000)}`), undefined);
    assert.equal(parseExpression('!'.repeat(5000) + 'a'), undefined);
    assert.equal(parseExpression('a || '.repeat(10_000) + 'a'), undefined);
  });
});

describe('isAttackerObject', () => {
  it('recognises objects that hold attacker text below them', () => {
    assert.ok(isAttackerObject('github.event.pull_request.head'));
    assert.ok(isAttackerObject('github.event.commits.*'));
    assert.ok(!isAttackerObject('github.event.pull_request.head.sha'));
    assert.ok(!isAttackerObject('steps.x.outputs'));
  });
});
