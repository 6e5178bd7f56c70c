import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS, makeLimits } from '../../../src/core/limits.js';
import { sniffFormat } from '../../../src/formats/sniff.js';
import { parseTensorflowGraph } from '../../../src/formats/tensorflow/index.js';
import { parseKerasSavedMetadata } from '../../../src/formats/tensorflow/keras-metadata.js';
import { fixture, fuzzRuns } from '../../helpers/issue4-fixtures.js';

const code = (bytes: Uint8Array, limits = DEFAULT_LIMITS): string => {
  try {
    parseTensorflowGraph(bytes, limits);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'OK';
};

describe('TensorFlow graphs (fixtures from an independent wire writer; TF is not installed)', () => {
  it('decodes a SavedModel with its function library', () => {
    const g = parseTensorflowGraph(fixture('tensorflow', 'evil', 'saved_model.pb'), DEFAULT_LIMITS);
    assert.equal(g.kind, 'saved-model');
    assert.deepEqual(g.functions, ['__inference_call_10']);
    assert.deepEqual(
      g.nodes.map((n) => [n.op, n.path.join('/')]),
      [
        ['Placeholder', 'meta_graphs/0/graph_def/node/0'],
        ['Const', 'meta_graphs/0/graph_def/node/1'],
        ['MatMul', 'meta_graphs/0/graph_def/node/2'],
        ['Const', 'meta_graphs/0/graph_def/library/function/__inference_call_10/node_def/0'],
        ['ReadFile', 'meta_graphs/0/graph_def/library/function/__inference_call_10/node_def/1'],
      ],
    );
  });

  it('decodes a frozen GraphDef with string attributes', () => {
    const g = parseTensorflowGraph(
      fixture('tensorflow', 'evil', 'frozen-pyfunc.pb'),
      DEFAULT_LIMITS,
    );
    assert.equal(g.kind, 'graph-def');
    assert.deepEqual(g.nodes[3], {
      op: 'PyFunc',
      name: 'py',
      stringAttrs: [['token', 'pyfunc_0']],
      path: ['node', 3],
    });
  });

  it('is sniffed by content', () => {
    for (const [dir, name] of [
      ['ok', 'saved_model.pb'],
      ['ok', 'frozen.pb'],
      ['evil', 'frozen-print.pb'],
    ] as const) {
      const bytes = fixture('tensorflow', dir, name);
      assert.equal(
        sniffFormat(bytes, bytes.byteLength, () => false),
        'tf-savedmodel',
        name,
      );
    }
    const onnx = fixture('onnx', 'ok', 'add.onnx');
    assert.equal(
      sniffFormat(onnx, onnx.byteLength, () => false),
      'onnx',
    );
  });
});

describe('TensorFlow malformed input', () => {
  it('truncation at every offset gives BAD_STRUCTURE (or decodes a shorter, complete prefix)', () => {
    for (const name of ['saved_model.pb', 'frozen.pb']) {
      const full = fixture('tensorflow', 'ok', name);
      for (let n = 1; n < full.byteLength; n++) {
        const c = code(full.subarray(0, n));
        assert.ok(c === 'BAD_STRUCTURE' || c === 'OK', `${name} cut at ${n}: ${c}`);
      }
      // Cutting inside the first node always fails.
      assert.equal(code(full.subarray(0, 5)), 'BAD_STRUCTURE');
    }
  });

  it('bounds size and node count; rejects a graph with no nodes', () => {
    const g = fixture('tensorflow', 'ok', 'saved_model.pb');
    assert.equal(code(g, makeLimits({ maxInputBytes: 10 })), 'LIMIT_EXCEEDED');
    assert.equal(code(g, makeLimits({ maxEntries: 2 })), 'LIMIT_EXCEEDED');
    assert.equal(code(Uint8Array.from([0x22, 0x02, 0x08, 0x01])), 'BAD_STRUCTURE');
    assert.equal(code(Uint8Array.from([0x0f])), 'BAD_STRUCTURE');
  });

  it('fuzz: arbitrary bytes and flips decode or throw FormatError', () => {
    const base = fixture('tensorflow', 'evil', 'saved_model.pb');
    const check = (bytes: Uint8Array): void => {
      try {
        parseTensorflowGraph(bytes, DEFAULT_LIMITS);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), check), { numRuns: fuzzRuns(300) });
    fc.assert(
      fc.property(
        fc.nat({ max: base.byteLength - 1 }),
        fc.integer({ min: 0, max: 255 }),
        (at, v) => {
          const b = base.slice();
          b[at] = v;
          check(b);
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });
});

describe('keras_metadata.pb', () => {
  it('decodes SavedObjects and their JSON metadata; is sniffed by content', () => {
    const bytes = fixture('tensorflow', 'evil', 'keras_metadata.pb');
    assert.equal(
      sniffFormat(bytes, bytes.byteLength, () => false),
      'tf-savedmodel',
    );
    const objects = parseKerasSavedMetadata(bytes, DEFAULT_LIMITS);
    assert.deepEqual(
      objects.map((o) => [
        o.nodePath,
        o.identifier,
        (o.metadata as { class_name: string }).class_name,
      ]),
      [
        ['root', '_tf_keras_sequential', 'Sequential'],
        ['root.layer-0', '_tf_keras_layer', 'Dense'],
        ['root.layer-1', '_tf_keras_layer', 'Lambda'],
      ],
    );
  });

  it('malformed input', () => {
    const full = fixture('tensorflow', 'ok', 'keras_metadata.pb');
    const kcode = (b: Uint8Array, limits = DEFAULT_LIMITS): string => {
      try {
        parseKerasSavedMetadata(b, limits);
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'OK';
    };
    for (let n = 1; n < full.byteLength; n++) {
      const c = kcode(full.subarray(0, n));
      assert.ok(c === 'BAD_STRUCTURE' || c === 'OK', `cut at ${n}: ${c}`);
    }
    assert.equal(kcode(new Uint8Array(0)), 'BAD_STRUCTURE');
    assert.equal(kcode(full, makeLimits({ maxTextBytes: 5 })), 'LIMIT_EXCEEDED');
    assert.equal(kcode(Uint8Array.from([0x0a, 0x03, 0x2a, 0x01, 0x7b])), 'BAD_JSON');
  });
});
