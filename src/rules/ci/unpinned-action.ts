import { secretRefs } from './judge/secrets.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { isFullSha, parseUses } from '../../workflows/uses.js';
import type { YMap, YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// GitHub's own actions are still mutable tags, but a takeover needs GitHub's org: lower impact.
const FIRST_PARTY = /^(?:actions|github)\//;

export default defineRule<WorkflowAuditInput, 'unpinned' | 'unpinnedWithSecrets'>({
  id: 'ci/unpinned-action',
  title: 'Action or reusable workflow not pinned to a full commit SHA',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['unpinned-uses'] },
  policy:
    'OpenSSF Scorecard Pinned-Dependencies; CWE-829; supply chain (tj-actions/changed-files, CVE-2025-30066)',
  messages: {
    unpinned:
      '`{{uses}}` follows a tag or branch that its owner (or whoever compromises them) can move; pin it to a 40-character commit SHA and keep the version in a comment.',
    unpinnedWithSecrets:
      '`{{uses}}` follows a movable tag or branch and receives secret `{{secret}}`; a re-pointed tag (as in tj-actions/changed-files) would run with it. Pin it to a 40-character commit SHA.',
  },
  check(ctx, { workflow }) {
    const check = (uses: YScalar, inputs: YMap | undefined): void => {
      const ref = parseUses(uses.text);
      if (ref.kind !== 'remote' || isFullSha(ref.version)) return;
      const secret = secretRefs(inputs, workflow.text)[0];
      if (secret !== undefined) {
        ctx.report({
          messageId: 'unpinnedWithSecrets',
          data: { uses: uses.text, secret: secret.name },
          at: at(uses),
          severity: 'critical',
        });
        return;
      }
      ctx.report({
        messageId: 'unpinned',
        data: { uses: uses.text },
        at: at(uses),
        ...(FIRST_PARTY.test(ref.repo) ? { severity: 'medium' as const } : {}),
      });
    };
    for (const job of workflow.jobs) {
      if (job.uses !== undefined) {
        const secrets = job.secrets?.kind === 'map' ? job.secrets : undefined;
        check(job.uses, secrets);
      }
      for (const step of job.steps) {
        if (step.uses === undefined) continue;
        const inputs = step.with;
        const secret = secretRefs(step.env, workflow.text).length > 0 ? step.env : inputs;
        check(step.uses, secret);
      }
    }
  },
});
