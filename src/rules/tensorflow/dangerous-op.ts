import { defineRule } from '../define-rule.js';
import type { TfGraph } from '../../formats/tensorflow/index.js';
import { DANGEROUS_OPS, type OpRisk } from './op-catalogue.js';

type MessageId = 'python' | 'fileWrite' | 'fileRead' | 'network' | 'output';

const MESSAGE: Readonly<Record<OpRisk, MessageId>> = {
  python: 'python',
  'file-write': 'fileWrite',
  'file-read': 'fileRead',
  network: 'network',
  output: 'output',
};

/** Ops that run Python, touch the file system or the network when the graph runs. */
export default defineRule<TfGraph, MessageId>({
  id: 'tensorflow/dangerous-op',
  title: 'TensorFlow graph uses a file-system, network or Python op',
  target: 'tensorflow',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-94',
  verdict: 'malicious',
  messages: {
    python: 'node `{{node}}` runs op `{{op}}`, which calls a Python function{{detail}}',
    fileWrite: 'node `{{node}}` runs op `{{op}}`, which writes files{{detail}}',
    fileRead: 'node `{{node}}` runs op `{{op}}`, which reads or lists files{{detail}}',
    network: 'node `{{node}}` runs op `{{op}}`, which opens network connections{{detail}}',
    output:
      'node `{{node}}` runs op `{{op}}`, which can write to a stream or URL named in the graph{{detail}}',
  },
  check(ctx, graph) {
    for (const n of graph.nodes) {
      const risk = DANGEROUS_OPS.get(n.op);
      if (risk === undefined) continue;
      const attrs = n.stringAttrs.filter(([k]) => k !== 'T' && k !== 'Tin' && k !== 'Tout');
      const detail =
        attrs.length === 0
          ? ''
          : ` (${attrs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
      // Stream and debug outputs are often left in by accident: suspicious, not malicious.
      const mild = risk === 'output' || risk === 'network';
      ctx.report({
        messageId: MESSAGE[risk],
        data: { node: n.name, op: n.op, detail },
        at: { span: { start: 0, end: 0 }, path: n.path },
        ...(mild ? { severity: 'high' as const, verdict: 'suspicious' as const } : {}),
      });
    }
  },
});
