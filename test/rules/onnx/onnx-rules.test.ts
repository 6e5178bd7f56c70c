import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  OnnxExternalTensor,
  OnnxModel,
  OnnxNodeInfo,
} from '../../../src/formats/onnx/index.js';
import customOpDomain from '../../../src/rules/onnx/custom-op-domain.js';
import externalDataMissing from '../../../src/rules/onnx/external-data-missing.js';
import externalDataTraversal from '../../../src/rules/onnx/external-data-traversal.js';
import type { ExternalFileState, OnnxInput } from '../../../src/rules/onnx/input.js';
import { runRule, summary } from '../../helpers/issue4-rules.js';

const model = (nodes: OnnxNodeInfo[], externalTensors: OnnxExternalTensor[] = []): OnnxModel => ({
  irVersion: 8,
  producerName: 'p',
  producerVersion: '',
  opsetImports: [],
  nodes,
  externalTensors,
  functions: [{ name: 'Twice', domain: 'local', path: ['functions', 0] }],
  metadata: [],
});
const ext = (location: string, offset = '0', length = '8'): OnnxExternalTensor => ({
  name: 'w',
  entries: [
    ['location', location],
    ['offset', offset],
    ['length', length],
  ],
  path: ['graph', 'initializer', 0],
});
const input = (m: OnnxModel, files: [string, ExternalFileState][] = []): OnnxInput => ({
  model: m,
  files: new Map(files),
});
const node = (opType: string, domain: string): OnnxNodeInfo => ({
  opType,
  domain,
  name: '',
  path: ['graph', 'node', 0],
});

describe('onnx/external-data-traversal', () => {
  it('valid: plain relative locations', () => {
    for (const loc of ['weights.bin', 'data/w.bin', 'a..b.bin']) {
      assert.deepEqual(
        runRule(
          externalDataTraversal,
          input(model([], [ext(loc)]), [[loc, { kind: 'present', size: 8 }]]),
        ),
        [],
        loc,
      );
    }
  });

  it('invalid: absolute, .. components, links out of the folder, empty', () => {
    const ids = (loc: string, state?: ExternalFileState): string[] =>
      runRule(
        externalDataTraversal,
        input(model([], [ext(loc)]), state === undefined ? [] : [[loc, state]]),
      ).map((f) => f.messageId);
    assert.deepEqual(ids('/etc/passwd'), ['absolute']);
    assert.deepEqual(ids('C:\\Windows\\win.ini'), ['absolute']);
    assert.deepEqual(ids('\\\\server\\share\\x'), ['absolute']);
    assert.deepEqual(ids('file:///etc/passwd'), ['absolute']);
    assert.deepEqual(ids('../../etc/passwd'), ['traversal']);
    assert.deepEqual(ids('sub\\..\\..\\x'), ['traversal']);
    assert.deepEqual(ids('w.bin\0.txt'), ['traversal']);
    assert.deepEqual(ids('w.bin', { kind: 'escapes', target: '/etc/shadow' }), ['escapes']);
    assert.deepEqual(ids(''), ['empty']);
    const [f] = runRule(externalDataTraversal, input(model([], [ext('/etc/passwd')])));
    assert.equal(f?.verdict, 'malicious');
    assert.deepEqual(f?.primary.path, ['graph', 'initializer', 0]);
  });
});

describe('onnx/external-data-missing', () => {
  it('valid: present and long enough, or not looked up', () => {
    assert.deepEqual(
      runRule(
        externalDataMissing,
        input(model([], [ext('w.bin')]), [['w.bin', { kind: 'present', size: 8 }]]),
      ),
      [],
    );
    assert.deepEqual(
      runRule(
        externalDataMissing,
        input(model([], [ext('w.bin')]), [['w.bin', { kind: 'unchecked' }]]),
      ),
      [],
    );
  });

  it('invalid: missing, or range past the end', () => {
    assert.deepEqual(
      summary(
        runRule(
          externalDataMissing,
          input(model([], [ext('w.bin')]), [['w.bin', { kind: 'missing' }]]),
        ),
      ),
      [['missing', 'tensor `w` needs the external file `w.bin`, which is not beside the model']],
    );
    assert.deepEqual(
      summary(
        runRule(
          externalDataMissing,
          input(model([], [ext('w.bin', '4')]), [['w.bin', { kind: 'present', size: 8 }]]),
        ),
      ),
      [['outOfRange', 'tensor `w` reads bytes 4+8 of `w.bin`, which has only 8 bytes']],
    );
  });
});

describe('onnx/custom-op-domain', () => {
  it('valid: standard domains and model-local functions', () => {
    const nodes = ['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'ai.onnx.preview.training'].map(
      (d) => node('Add', d),
    );
    assert.deepEqual(runRule(customOpDomain, input(model([...nodes, node('Twice', 'local')]))), []);
  });

  it('invalid: other domains, once per operator', () => {
    assert.deepEqual(
      summary(
        runRule(customOpDomain, input(model([node('Exec', 'com.evil'), node('Exec', 'com.evil')]))),
      ),
      [
        [
          'custom',
          'node `Exec` runs operator `Exec` from domain `com.evil`, which needs a custom operator library (native code) to load',
        ],
      ],
    );
  });
});
