import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseStrictJson, plainJson } from '../../../src/formats/json/strict-json.js';
import { parseKerasConfig } from '../../../src/formats/keras/index.js';
import { modelCardFacts } from '../../../src/cli/render-cyclonedx.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
  return undefined;
};

describe('model-folder JSON through the strict parser', () => {
  it('gives the plain data JSON.parse gives, with __proto__ kept as an own key', () => {
    const text = '{"a": [1, 2.5e3, -0, true, null, "x"], "__proto__": {"polluted": 1}}';
    const plain = plainJson(parseStrictJson(text)) as Record<string, unknown>;
    assert.deepEqual(plain, JSON.parse(text));
    assert.equal(Object.getPrototypeOf(plain), Object.prototype);
    assert.deepEqual(Object.keys(plain), ['a', '__proto__']);
  });

  it('refuses a repeated key and a depth bomb in a Keras config', () => {
    const keras = (text: string) => () =>
      parseKerasConfig(text, 'keras-zip', undefined, DEFAULT_LIMITS);
    assert.equal(
      code(keras('{"class_name": "Functional", "class_name": "Lambda"}')),
      'BAD_STRUCTURE',
    );
    assert.equal(code(keras(`${'['.repeat(5000)}${']'.repeat(5000)}`)), 'LIMIT_EXCEEDED');
    assert.equal(code(keras('{"class_name": ')), 'BAD_JSON');
    assert.equal(code(keras('{"class_name": "Functional"}')), undefined);
  });

  it('takes no model-card facts from a config.json with a repeated key', () => {
    assert.equal(
      modelCardFacts('{"model_type": "bert", "architectures": ["BertModel"]}', undefined)
        ?.architectureFamily,
      'bert',
    );
    assert.equal(
      modelCardFacts('{"model_type": "bert", "model_type": "gpt2"}', undefined)?.architectureFamily,
      undefined,
    );
  });
});
