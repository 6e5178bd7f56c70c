import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';

const scan = async (path: string) => {
  const r = await scanFile(`test/fixtures/keras/${path}`);
  return {
    format: r.format,
    verdict: r.verdict,
    found: r.findings.map((f) => `${f.ruleId}:${f.messageId}`),
  };
};

describe('HDF5 / legacy Keras handler', () => {
  it('a Keras 2 model without Lambda and a weights-only file are safe', async () => {
    assert.deepEqual(await scan('ok/dense.h5'), { format: 'keras-h5', verdict: 'safe', found: [] });
    assert.deepEqual(await scan('ok/weights-only.h5'), {
      format: 'hdf5',
      verdict: 'safe',
      found: [],
    });
  });

  it('a Lambda layer is malicious; a config that is not JSON is invalid', async () => {
    assert.deepEqual(await scan('evil/lambda.h5'), {
      format: 'keras-h5',
      verdict: 'malicious',
      found: ['keras/serialized-function:lambda'],
    });
    assert.deepEqual(await scan('bad/config-not-json.h5'), {
      format: 'keras-h5',
      verdict: 'invalid',
      found: ['keras/malformed-input:malformed'],
    });
  });
});

describe('Keras 3 archive branch of the zip handler', () => {
  it('a Dense-only .keras is safe, its weights member scanned as HDF5', async () => {
    const r = await scanFile('test/fixtures/keras/ok/dense.keras');
    assert.equal(r.format, 'keras');
    assert.equal(r.verdict, 'safe');
    assert.deepEqual(
      r.members.map((m) => [m.member, m.format, m.verdict]),
      [['model.weights.h5', 'hdf5', 'safe']],
    );
  });

  it('Lambda and function references are malicious; custom layers suspicious', async () => {
    assert.deepEqual(await scan('evil/lambda.keras'), {
      format: 'keras',
      verdict: 'malicious',
      found: ['keras/serialized-function:lambda', 'keras/serialized-function:lambdaObject'],
    });
    assert.deepEqual(await scan('evil/function-ref.keras'), {
      format: 'keras',
      verdict: 'malicious',
      found: ['keras/serialized-function:functionRef'],
    });
    assert.deepEqual(await scan('bad/custom-layer.keras'), {
      format: 'keras',
      verdict: 'suspicious',
      found: ['keras/custom-object:module'],
    });
  });
});
