import { calleePublishes, jobPublishes } from './judge/publishing.js';
import { jobSecretRefs, secretRefs } from './judge/secrets.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { hasEnvironment, inheritsSecrets } from '../../workflows/steps.js';
import { defineRule } from '../define-rule.js';

const GITHUB_TOKEN_UPLOADS = new Set(['GitHub Release upload', 'GitHub Pages push']);

export default defineRule<WorkflowAuditInput, 'noEnvironment' | 'repoSecrets' | 'callerSecrets'>({
  id: 'ci/publish-without-environment',
  title: 'Upload job without a deployment environment',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: ['secrets-outside-env'] },
  policy:
    'PyTorch P9 (upload jobs run in protected-branch environments), P10 (upload credentials are never repository secrets)',
  messages: {
    noEnvironment:
      'Job `{{job}}` uploads ({{what}}) without `environment:`; any branch that can run this workflow can publish. Run uploads in a deployment environment restricted to protected branches.',
    repoSecrets:
      'Job `{{job}}` uploads ({{what}}) with secret `{{secret}}` but has no `environment:`, so the credential is a repository or organisation secret that every workflow can read. Move it into a branch-restricted environment, or use OIDC trusted publishing.',
    callerSecrets:
      'Job `{{job}}` passes secrets to a reusable workflow that uploads ({{what}}); a caller cannot have an environment, so these are repository or organisation secrets. Let the called upload job read them from its own environment.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      if (job.pseudo) continue;
      if (job.uses !== undefined) {
        const found = calleePublishes(job);
        // A called upload job with its own environment reads its credential from there.
        if (found === undefined || hasEnvironment(found.inner)) continue;
        const passed =
          inheritsSecrets(job) ??
          (secretRefs(job.secrets, workflow.text).length > 0 ? job.secrets : undefined);
        if (passed !== undefined) {
          ctx.report({
            messageId: 'callerSecrets',
            data: { job: job.id, what: found.evidence.what },
            at: at(passed),
            related: [at(job.uses, 'reusable upload workflow')],
          });
        }
        continue;
      }
      if (hasEnvironment(job)) continue;
      const found = jobPublishes(job);
      if (found === undefined) continue;
      const secret = jobSecretRefs(job, workflow.text)[0];
      // Release assets and Pages uploaded with the run's own GITHUB_TOKEN use no stored credential;
      // ci/github-release-binaries judges what is attached. With a stored token (a PAT) they are
      // uploads like any other.
      if (secret === undefined && GITHUB_TOKEN_UPLOADS.has(found.evidence.what)) continue;
      const related = [{ span: found.evidence.span, path: found.evidence.path, label: 'upload' }];
      if (secret !== undefined) {
        ctx.report({
          messageId: 'repoSecrets',
          data: { job: job.id, what: found.evidence.what, secret: secret.name },
          at: at(job.key),
          related: [
            ...related,
            { span: secret.span, path: secret.scalar.path, label: 'secret used here' },
          ],
        });
      } else {
        ctx.report({
          messageId: 'noEnvironment',
          data: { job: job.id, what: found.evidence.what },
          at: at(job.key),
          related,
        });
      }
    }
  },
});
