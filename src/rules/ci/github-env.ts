import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { at } from '../../workflows/audit-input.js';
import { privilegedTriggers, writesGithubEnv } from '../../workflows/job-roles.js';
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
    const trigger = privilegedTriggers(workflow)[0];
    if (trigger === undefined) return;
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        if (step.run !== undefined && writesGithubEnv(step.run.text)) {
          ctx.report({ messageId: 'write', data: { trigger: trigger.text }, at: at(step.run) });
        }
      }
    }
  },
});
