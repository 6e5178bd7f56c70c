import { defineRule } from '../define-rule.js';
import type { RepositoryFile } from './input.js';

/** Python files shipped beside model weights: code that a loader or a user may run. */
export default defineRule<RepositoryFile, 'python'>({
  id: 'repository/python-file',
  title: 'Python file shipped in a model repository',
  target: 'repository',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward model-repository review',
  messages: {
    python:
      'Python file in the model repository: it runs with trust_remote_code or when imported; review it',
  },
  check(ctx, file) {
    if (!file.rel.endsWith('.py')) return;
    ctx.report({ messageId: 'python', at: { span: { start: 0, end: 0 }, path: [file.rel] } });
  },
});
