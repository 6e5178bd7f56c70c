import type { TorchZipModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/**
 * A TorchScript archive (`<dir>/constants.pkl`, `code/`, `bytecode.pkl`): executable code on
 * every torch version, and torch ≤ 2.5.1 runs it through torch.jit.load even with
 * weights_only=True (CVE-2025-32434).
 */
export default defineRule<TorchZipModel, 'torchscript'>({
  id: 'torch/torchscript-archive',
  title: 'TorchScript archive: executable code',
  target: 'torch',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-94',
  verdict: 'suspicious',
  messages: {
    torchscript:
      'TorchScript archive ({{count}} code records, first `{{first}}`): it carries executable code, and torch ≤ 2.5.1 loads it with torch.jit.load even under weights_only=True (CVE-2025-32434)',
  },
  check(ctx, model) {
    const [first] = model.codeRecords;
    if (first === undefined) return;
    ctx.report({
      messageId: 'torchscript',
      data: { count: model.codeRecords.length, first: first.name },
      at: {
        span: { start: first.centralOffset, end: first.centralOffset + 4 },
        path: [first.name],
      },
    });
  },
});
