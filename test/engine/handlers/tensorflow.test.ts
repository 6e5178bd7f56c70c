import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';

const scan = async (path: string) => {
  const r = await scanFile(`test/fixtures/tensorflow/${path}`);
  return {
    format: r.format,
    verdict: r.verdict,
    found: r.findings.map((f) => `${f.ruleId}:${f.messageId}`),
  };
};

describe('TensorFlow handler', () => {
  it('benign SavedModel (with saver ops) and frozen graph are safe', async () => {
    assert.deepEqual(await scan('ok/saved_model.pb'), {
      format: 'tf-savedmodel',
      verdict: 'safe',
      found: [],
    });
    assert.deepEqual(await scan('ok/frozen.pb'), {
      format: 'tf-graphdef',
      verdict: 'safe',
      found: [],
    });
  });

  it('file and Python ops are malicious; a print to a file URL is suspicious', async () => {
    assert.deepEqual(await scan('evil/saved_model.pb'), {
      format: 'tf-savedmodel',
      verdict: 'malicious',
      found: ['tensorflow/dangerous-op:fileRead'],
    });
    assert.deepEqual(await scan('evil/frozen-pyfunc.pb'), {
      format: 'tf-graphdef',
      verdict: 'malicious',
      // Same span (0): the engine orders them by message text.
      found: ['tensorflow/dangerous-op:fileWrite', 'tensorflow/dangerous-op:python'],
    });
    assert.deepEqual(await scan('evil/frozen-print.pb'), {
      format: 'tf-graphdef',
      verdict: 'suspicious',
      found: ['tensorflow/dangerous-op:output'],
    });
  });

  it('keras_metadata.pb layer configs go to the keras rules', async () => {
    assert.deepEqual(await scan('ok/keras_metadata.pb'), {
      format: 'keras-metadata',
      verdict: 'safe',
      found: [],
    });
    assert.deepEqual(await scan('evil/keras_metadata.pb'), {
      format: 'keras-metadata',
      verdict: 'malicious',
      // Once in the model config of the root object, once in the layer's own object.
      found: ['keras/serialized-function:lambda', 'keras/serialized-function:lambda'],
    });
  });
});
