import type { SignatureCheck } from '../../core/signature-check.js';
import { defineRule } from '../define-rule.js';

/** Reports each reason a model's signature failed verification against the policy. */
export default defineRule<SignatureCheck, 'invalid'>({
  id: 'provenance/invalid-signature',
  title: 'Model signature does not verify against the trusted signer',
  target: 'provenance',
  severity: 'high',
  confidence: 'high',
  policy: 'OpenSSF Model Signing (OMS) v1.0; SLSA provenance',
  verdict: 'suspicious',
  messages: {
    invalid: 'Model signature `{{signature}}` does not verify: {{problem}}',
  },
  check(ctx, input) {
    if (input.status !== 'invalid') return;
    input.problems.forEach((problem, i) => {
      ctx.report({
        messageId: 'invalid',
        data: { signature: input.signaturePath, problem },
        at: { span: { start: 0, end: 0 }, path: ['signature', 'problems', i] },
      });
    });
  },
});
