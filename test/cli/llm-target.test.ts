import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/io.js';
import { checkHttpUrl, parseLlmTarget, publicUrl } from '../../src/cli/llm-target.js';

// The one reading of --target / --target-command that redteam and memorization share.
describe('parseLlmTarget', () => {
  it('takes exactly one of --target and --target-command', () => {
    assert.throws(() => parseLlmTarget({}), UsageError);
    assert.throws(
      () => parseLlmTarget({ target: 'http://127.0.0.1:1/v1', 'target-command': 'echo' }),
      /exactly one of --target URL or --target-command CMD/,
    );
  });

  it('accepts only http(s) URLs and splits commands on spaces without a shell', () => {
    assert.deepEqual(parseLlmTarget({ target: 'https://h.example/v1' }), {
      kind: 'url',
      url: 'https://h.example/v1',
    });
    assert.throws(() => parseLlmTarget({ target: 'not a url' }), /--target is not a URL/);
    assert.throws(() => parseLlmTarget({ target: 'ftp://h/' }), /--target must be http or https/);
    assert.deepEqual(parseLlmTarget({ 'target-command': ' python3  serve.py  --x ' }), {
      kind: 'command',
      argv: ['python3', 'serve.py', '--x'],
      command: ' python3  serve.py  --x ',
    });
  });

  it('names the flag and hides credentials in the shown URL', () => {
    assert.throws(() => checkHttpUrl('file:///x', '--reference'), /--reference must be http/);
    assert.equal(publicUrl('https://u:p@h.example/v1/chat?key=s#f'), 'https://h.example/v1/chat');
  });
});
