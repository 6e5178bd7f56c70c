import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, makeLimits } from '../../../src/core/limits.js';
import { parseOnnxModel } from '../../../src/formats/onnx/index.js';
import { fixture } from '../../helpers/issue4-fixtures.js';

const code = (bytes: Uint8Array, limits = DEFAULT_LIMITS): string => {
  try {
    parseOnnxModel(bytes, limits);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'OK';
};

describe('ONNX malformed input', () => {
  it('truncation anywhere before the end of the graph gives BAD_STRUCTURE', () => {
    const full = fixture('onnx', 'ok', 'add.onnx');
    // Top-level layout (field order of onnx.save): ir_version, producer_name, graph (7), opset (8).
    const opsetAt = full.lastIndexOf(0x42);
    assert.ok(opsetAt > 0);
    for (let n = 0; n < opsetAt; n++)
      assert.equal(code(full.subarray(0, n)), 'BAD_STRUCTURE', `cut at ${n}`);
    for (let n = opsetAt + 1; n < full.byteLength; n++)
      assert.equal(code(full.subarray(0, n)), 'BAD_STRUCTURE', `cut at ${n}`);
    assert.equal(code(full.subarray(0, opsetAt)), 'OK');
    assert.equal(code(full), 'OK');
  });

  it('rejects bad wire types and huge lengths', () => {
    assert.equal(code(Uint8Array.from([0x0f])), 'BAD_STRUCTURE');
    assert.equal(code(Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f])), 'BAD_STRUCTURE');
    assert.equal(code(Uint8Array.from([0x08, 0x07])), 'BAD_STRUCTURE'); // no graph
  });

  it('bounds input size, entries and subgraph depth', () => {
    const add = fixture('onnx', 'ok', 'add.onnx');
    assert.equal(code(add, makeLimits({ maxInputBytes: 10 })), 'LIMIT_EXCEEDED');
    assert.equal(code(add, makeLimits({ maxEntries: 1 })), 'LIMIT_EXCEEDED');
    assert.equal(code(fixture('onnx', 'bad', 'deep-if.onnx')), 'LIMIT_EXCEEDED');
  });
});
