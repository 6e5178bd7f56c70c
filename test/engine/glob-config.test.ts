import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/engine/config.js';
import { compileGlob } from '../../src/engine/glob.js';

describe('compileGlob', () => {
  it('matches base names for patterns without a slash', () => {
    const m = compileGlob('*.bin');
    assert.equal(m('a/b/c.bin'), true);
    assert.equal(m('c.bin'), true);
    assert.equal(m('c.bin.txt'), false);
  });

  it('matches ** across directories and excludes everything under a named directory', () => {
    assert.equal(compileGlob('**/cache/**')('x/cache/y/z.pt'), true);
    assert.equal(compileGlob('fixtures')('fixtures/a.pt'), true);
    assert.equal(compileGlob('a/*.pt')('a/b/c.pt'), false);
    assert.equal(compileGlob('a/**/*.pt')('a/b/c.pt'), true);
    assert.equal(compileGlob('a/**/*.pt')('a/c.pt'), true);
  });

  it('treats regex metacharacters literally', () => {
    assert.equal(compileGlob('a+b(1).pt')('a+b(1).pt'), true);
    assert.equal(compileGlob('a+b(1).pt')('aab1.pt'), false);
  });
});

describe('parseConfig', () => {
  it('reads every key', () => {
    const c = parseConfig(
      [
        'allow-globals: [mypkg.Config]',
        'exclude: ["**/tmp/**"]',
        'fail-on: high',
        'runners: {ephemeral: [a], persistent: [b]}',
        'ignore: {ci/unpinned-action: true, ci/script-injection: [".github/workflows/x.yml"]}',
      ].join('\n'),
      't.yml',
    );
    assert.deepEqual(c.allowGlobals, ['mypkg.Config']);
    assert.equal(c.failOn, 'high');
    assert.deepEqual(c.runners, { ephemeral: ['a'], persistent: ['b'] });
    assert.deepEqual(c.ignore, {
      'ci/unpinned-action': true,
      'ci/script-injection': ['.github/workflows/x.yml'],
    });
  });

  it('rejects unknown keys, bad shapes, duplicate keys and non-dotted globals', () => {
    assert.throws(() => parseConfig('allow-global: [a.b]', 't'), ConfigError);
    assert.throws(() => parseConfig('fail-on: loud', 't'), ConfigError);
    assert.throws(() => parseConfig('exclude: a', 't'), ConfigError);
    assert.throws(() => parseConfig('exclude: []\nexclude: []', 't'), ConfigError);
    assert.throws(() => parseConfig('allow-globals: [os]', 't'), ConfigError);
    assert.throws(() => parseConfig('- a', 't'), ConfigError);
  });

  it('accepts an empty file', () => {
    assert.deepEqual(parseConfig('', 't').allowGlobals, []);
  });
});
