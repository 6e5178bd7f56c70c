import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';

const scan = async (path: string) => {
  const r = await scanFile(`test/fixtures/onnx/${path}`);
  return {
    format: r.format,
    verdict: r.verdict,
    found: r.findings.map((f) => `${f.ruleId}:${f.messageId}`),
  };
};

describe('ONNX handler', () => {
  it('benign models are safe, with external data present beside them', async () => {
    assert.deepEqual(await scan('ok/add.onnx'), { format: 'onnx', verdict: 'safe', found: [] });
    assert.deepEqual(await scan('ok/if-function.onnx'), {
      format: 'onnx',
      verdict: 'safe',
      found: [],
    });
    assert.deepEqual(await scan('ok/external/model.onnx'), {
      format: 'onnx',
      verdict: 'safe',
      found: [],
    });
  });

  it('traversal, absolute and nested-traversal locations are malicious', async () => {
    for (const [name, id] of [
      ['external-traversal.onnx', 'traversal'],
      ['external-absolute.onnx', 'absolute'],
      ['nested-traversal.onnx', 'traversal'],
    ] as const) {
      assert.deepEqual(await scan(`evil/${name}`), {
        format: 'onnx',
        verdict: 'malicious',
        found: [`onnx/external-data-traversal:${id}`],
      });
    }
  });

  it('custom operator domains are suspicious; missing data invalid; depth bombs malformed', async () => {
    assert.deepEqual(await scan('evil/custom-op.onnx'), {
      format: 'onnx',
      verdict: 'suspicious',
      found: ['onnx/custom-op-domain:custom'],
    });
    assert.deepEqual(await scan('bad/missing/model.onnx'), {
      format: 'onnx',
      verdict: 'invalid',
      found: ['onnx/external-data-missing:missing'],
    });
    assert.deepEqual(await scan('bad/deep-if.onnx'), {
      format: 'onnx',
      verdict: 'invalid',
      found: ['onnx/malformed-input:malformed'],
    });
  });
});
