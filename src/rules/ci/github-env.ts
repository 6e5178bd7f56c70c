import { writesGithubEnv } from './judge/execution.js';
import { privilegedTriggerContexts } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { mayRun } from '../../workflows/conditions.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'write'>({
  id: 'ci/github-env',
  title: 'GITHUB_ENV or GITHUB_PATH written in a privileged workflow',
  target: 'workflow',
  severity: 'medium',
  confidence: 'low',
  equivalents: { zizmor: ['github-env'] },
  policy: 'PyTorch P4, P6; CWE-94',
  messages: {
    write:
      'Under `{{trigger}}` this step writes GITHUB_ENV/GITHUB_PATH; if any part of the value comes from the PR (files, artifacts, titles), the PR sets variables such as LD_PRELOAD or PATH for every later step. Pass values through step outputs instead.',
  },
  check(ctx, { workflow }) {
    const triggers = privilegedTriggerContexts(workflow);
    if (triggers.length === 0) return;
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        if (step.run === undefined || !writesGithubEnv(step.run.text)) continue;
        // Only under a privileged trigger the job and step actually run for.
        const trigger = triggers.find((t) => mayRun(job.if, t.ctx) && mayRun(step.if, t.ctx));
        if (trigger === undefined) continue;
        // Constant text (`echo "FOO=1" >> "$GITHUB_ENV"`) carries nothing from the PR: pedantic.
        const constant = !writesGithubEnv(step.run.text, false);
        ctx.report({
          messageId: 'write',
          data: { trigger: trigger.name },
          at: at(step.run),
          ...(constant ? { pedantic: true } : {}),
        });
      }
    }
  },
});
