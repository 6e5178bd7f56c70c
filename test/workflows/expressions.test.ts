import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contextRefs,
  findExpressions,
  isAttackerControlled,
  stringLiterals,
} from '../../src/workflows/expressions.js';

describe('expressions', () => {
  it('finds ${{ }} spans, stopping at an unterminated one', () => {
    assert.deepEqual(findExpressions('a ${{ x }} b ${{y}} ${{ z'), [
      { start: 2, end: 10, body: 'x' },
      { start: 13, end: 19, body: 'y' },
    ]);
  });

  it('lists context references, skipping literals and function names', () => {
    assert.deepEqual(
      contextRefs(
        "contains(github.event.pull_request.labels.*.name, 'x.y') && github.event.commits[0].message || secrets['TOKEN']",
      ).map((r) => r.path),
      [
        'github.event.pull_request.labels.*.name',
        'github.event.commits.*.message',
        'secrets.token',
      ],
    );
    assert.deepEqual(contextRefs("'it''s' == true"), []);
  });

  it('knows which contexts carry attacker-controlled text', () => {
    assert.equal(isAttackerControlled('github.head_ref'), true);
    assert.equal(isAttackerControlled('github.event.pull_request.title'), true);
    assert.equal(isAttackerControlled('github.event.commits.*.author.email'), true);
    assert.equal(isAttackerControlled('github.event.pull_request'), true);
    assert.equal(isAttackerControlled('github.event.pull_request.head.sha'), false);
    assert.equal(isAttackerControlled('github.event.number'), false);
    assert.equal(isAttackerControlled('secrets.github_token'), false);
  });

  it('extracts string literals with escaped quotes', () => {
    assert.deepEqual(stringLiterals("a && 'x' || 'it''s'"), ['x', "it's"]);
  });
});
