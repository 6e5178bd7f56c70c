import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TfGraph, TfNode } from '../../../src/formats/tensorflow/index.js';
import dangerousOp from '../../../src/rules/tensorflow/dangerous-op.js';
import { runRule, summary } from '../../helpers/issue4-rules.js';

const node = (op: string, stringAttrs: [string, string][] = []): TfNode => ({
  op,
  name: op.toLowerCase(),
  stringAttrs,
  path: ['node', 0],
});
const graph = (...nodes: TfNode[]): TfGraph => ({ kind: 'graph-def', nodes, functions: [] });

describe('tensorflow/dangerous-op', () => {
  it('valid: math, variables and saver ops', () => {
    assert.deepEqual(
      runRule(
        dangerousOp,
        graph(
          node('MatMul'),
          node('VarHandleOp'),
          node('SaveV2'),
          node('RestoreV2'),
          node('MergeV2Checkpoints'),
        ),
      ),
      [],
    );
  });

  it('invalid: python, file, network and output ops', () => {
    assert.deepEqual(
      summary(
        runRule(
          dangerousOp,
          graph(
            node('PyFunc', [['token', 'pyfunc_0']]),
            node('WriteFile'),
            node('ReadFile'),
            node('MatchingFiles'),
          ),
        ),
      ),
      [
        [
          'python',
          'node `pyfunc` runs op `PyFunc`, which calls a Python function (token="pyfunc_0")',
        ],
        ['fileWrite', 'node `writefile` runs op `WriteFile`, which writes files'],
        ['fileRead', 'node `readfile` runs op `ReadFile`, which reads or lists files'],
        ['fileRead', 'node `matchingfiles` runs op `MatchingFiles`, which reads or lists files'],
      ],
    );
    const [p] = runRule(dangerousOp, graph(node('PrintV2', [['output_stream', 'file:///tmp/x']])));
    assert.equal(p?.verdict, 'suspicious');
    assert.equal(p?.severity, 'high');
    assert.equal(runRule(dangerousOp, graph(node('EagerPyFunc')))[0]?.verdict, 'malicious');
    // tf.data sources and sinks that open files named in the graph (adversary pass: these were
    // called safe in a SavedModel's function library).
    for (const [op, messageId] of [
      ['TextLineDataset', 'fileRead'],
      ['TFRecordDatasetV2', 'fileRead'],
      ['FixedLengthRecordDataset', 'fileRead'],
      ['CSVDatasetV2', 'fileRead'],
      ['SqlDataset', 'fileRead'],
      ['LMDBDataset', 'fileRead'],
      ['SnapshotDatasetV2', 'fileWrite'],
      ['CreateSummaryDbWriter', 'fileWrite'],
    ] as const) {
      const found = runRule(dangerousOp, graph(node(op)));
      assert.deepEqual(
        found.map((f) => [f.messageId, f.verdict]),
        [[messageId, 'malicious']],
        op,
      );
    }
  });
});
