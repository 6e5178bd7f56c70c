import type { SignatureCheck } from '../../core/signature-check.js';
import { defineRule } from '../define-rule.js';

/** Reports a model that the signature policy requires to be signed but that has no signature. */
export default defineRule<SignatureCheck, 'missing'>({
  id: 'provenance/missing-signature',
  title: 'Model has no signature although the policy requires one',
  target: 'provenance',
  severity: 'high',
  confidence: 'high',
  policy: 'OpenSSF Model Signing (OMS) v1.0; SLSA provenance',
  verdict: 'suspicious',
  messages: {
    missing: 'No model signature at `{{signature}}`; the policy requires a signed model.',
  },
  check(ctx, input) {
    if (input.status !== 'missing') return;
    ctx.report({
      messageId: 'missing',
      data: { signature: input.signaturePath },
      at: { span: { start: 0, end: 0 }, path: ['signature'] },
    });
  },
});
