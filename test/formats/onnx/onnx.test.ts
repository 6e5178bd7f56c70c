import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseOnnxModel } from '../../../src/formats/onnx/index.js';
import { sniffFormat } from '../../../src/formats/sniff.js';
import { fixture } from '../../helpers/issue4-fixtures.js';

const noPickle = (): boolean => false;

describe('ONNX decoder (fixtures written by python3-onnx)', () => {
  it('decodes opsets, nodes and producer', () => {
    const m = parseOnnxModel(fixture('onnx', 'ok', 'add.onnx'), DEFAULT_LIMITS);
    assert.equal(m.producerName, 'torchward-fixtures');
    assert.ok(m.irVersion >= 3);
    assert.deepEqual(m.opsetImports, [{ domain: '', version: 13 }]);
    assert.deepEqual(
      m.nodes.map((n) => [n.opType, n.domain, n.path]),
      [['Add', '', ['graph', 'node', 0]]],
    );
    assert.deepEqual(m.externalTensors, []);
  });

  it('walks If branches and model-local functions', () => {
    const m = parseOnnxModel(fixture('onnx', 'ok', 'if-function.onnx'), DEFAULT_LIMITS);
    assert.deepEqual(
      m.nodes.map((n) => [n.opType, n.domain, n.path.join('/')]),
      [
        ['Add', '', 'functions/0/node/0'],
        ['ReduceSum', '', 'graph/node/0'],
        ['Cast', '', 'graph/node/1'],
        ['If', '', 'graph/node/2'],
        ['Neg', '', 'graph/node/2/attribute/else_branch/node/0'],
        ['Identity', '', 'graph/node/2/attribute/then_branch/node/0'],
        ['Twice', 'local.fn', 'graph/node/3'],
      ],
    );
    assert.deepEqual(m.functions, [{ name: 'Twice', domain: 'local.fn', path: ['functions', 0] }]);
  });

  it('collects external tensors, including Constant values inside subgraphs', () => {
    const m = parseOnnxModel(fixture('onnx', 'evil', 'nested-traversal.onnx'), DEFAULT_LIMITS);
    assert.deepEqual(
      m.externalTensors.map((t) => [t.name, t.entries, t.path.join('/')]),
      [
        [
          'k',
          [
            ['location', 'sub/../../secret.bin'],
            ['offset', '0'],
            ['length', '8'],
          ],
          'graph/node/2/attribute/else_branch/node/0/attribute/value',
        ],
      ],
    );
  });

  it('is sniffed by content', () => {
    for (const name of ['add.onnx', 'if-function.onnx']) {
      const bytes = fixture('onnx', 'ok', name);
      assert.equal(sniffFormat(bytes.subarray(0, 4096), bytes.byteLength, noPickle), 'onnx', name);
    }
    const text = new TextEncoder().encode('\x08hello world, not a model');
    assert.equal(sniffFormat(text, text.byteLength, noPickle), 'unknown');
  });
});
