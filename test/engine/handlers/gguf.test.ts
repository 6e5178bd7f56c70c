import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanBytes } from '../../../src/engine/scan.js';
import { fixture } from '../../helpers/issue4-fixtures.js';

const scan = async (...parts: string[]) => {
  const r = await scanBytes(fixture(...parts), parts.join('/'));
  return { format: r.format, verdict: r.verdict, rules: r.findings.map((f) => f.ruleId) };
};

describe('GGUF handler', () => {
  it('a benign GGUF with a chat template is safe', async () => {
    assert.deepEqual(await scan('gguf', 'ok', 'chatml.gguf'), {
      format: 'gguf',
      verdict: 'safe',
      rules: [],
    });
    assert.deepEqual(await scan('gguf', 'ok', 'no-template-v2.gguf'), {
      format: 'gguf',
      verdict: 'safe',
      rules: [],
    });
  });

  it('a sandbox-escaping template is malicious', async () => {
    // The CVE payload starts with `()`, which @huggingface/jinja cannot parse: the dunder names in
    // its text are still reported as escapes, beside the parse failure.
    const r = await scan('gguf', 'evil', 'chat-template-ssti.gguf');
    assert.equal(r.verdict, 'malicious');
    assert.deepEqual(r.rules, [
      'gguf/chat-template-unparsable',
      ...Array<string>(6).fill('gguf/chat-template-injection'),
    ]);
    // Each escape points at its own bytes inside the template.
    const bytes = fixture('gguf', 'evil', 'chat-template-ssti.gguf');
    const full = await scanBytes(bytes, 'x.gguf');
    assert.deepEqual(
      full.findings
        .filter((f) => f.ruleId === 'gguf/chat-template-injection')
        .map((f) =>
          new TextDecoder().decode(bytes.subarray(f.primary.span.start, f.primary.span.end)),
        ),
      ['__class__', '__base__', '__subclasses__', '__name__', '__builtins__', '__import__'],
    );
    const named = await scan('gguf', 'evil', 'named-template-attr.gguf');
    assert.deepEqual(named, {
      format: 'gguf',
      verdict: 'malicious',
      rules: ['gguf/chat-template-injection', 'gguf/chat-template-injection'],
    });
  });

  it('an unparsable template is suspicious; a broken header is invalid', async () => {
    assert.deepEqual(await scan('gguf', 'bad', 'unparsable-template.gguf'), {
      format: 'gguf',
      verdict: 'suspicious',
      rules: ['gguf/chat-template-unparsable'],
    });
    assert.deepEqual(await scan('gguf', 'bad', 'tensor-past-end.gguf'), {
      format: 'gguf',
      verdict: 'invalid',
      rules: ['gguf/malformed-input'],
    });
  });
});
