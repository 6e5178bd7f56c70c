import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { at } from '../../workflows/audit-input.js';
import {
  privilegedTriggers,
  secretRefs,
  stepAction,
  stepInput,
  stepsDeep,
  writesGithubEnv,
} from '../../workflows/job-roles.js';
import type { Step } from '../../workflows/model.js';
import { defineRule } from '../define-rule.js';

/** Whether a step downloads artifacts produced by another workflow run. */
function crossRunDownload(step: Step): boolean {
  const name = stepAction(step);
  if (name === 'dawidd6/action-download-artifact') return true;
  if (name === 'actions/download-artifact') return stepInput(step, 'run-id') !== undefined;
  return step.run !== undefined && /\bgh\s+run\s+download\b/.test(step.run.text);
}

export default defineRule<WorkflowAuditInput, 'envFromArtifact' | 'privilegedConsumer'>({
  id: 'ci/artifact-poisoning',
  title: 'Artifacts of an untrusted run consumed by a privileged job',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  policy: 'PyTorch P4 (CI artifacts must not run where secrets are, nor be published)',
  messages: {
    envFromArtifact:
      'This job downloads artifacts of another run under `{{trigger}}` and writes to GITHUB_ENV/GITHUB_PATH; a PR that controls the artifact controls the environment of every later step. Treat artifact content as data: validate it and never export it.',
    privilegedConsumer:
      'This job downloads artifacts of another run under `{{trigger}}` and holds {{what}}; a PR run can plant files that this job then trusts. Consume untrusted artifacts only in jobs without secrets or write permissions.',
  },
  check(ctx, input) {
    const trigger = privilegedTriggers(input.workflow)[0];
    if (trigger === undefined) return;
    for (const job of input.workflow.jobs) {
      const steps = stepsDeep(job);
      const download = steps.find((d) => crossRunDownload(d.step));
      if (download === undefined) continue;
      const later = steps.slice(steps.indexOf(download) + 1);
      const envWrite = later.find(
        (d) => d.step.run !== undefined && writesGithubEnv(d.step.run.text),
      );
      const where = at(download.at.uses ?? download.at.node);
      if (envWrite !== undefined) {
        ctx.report({
          messageId: 'envFromArtifact',
          data: { trigger: trigger.text },
          at: where,
          related: [at(envWrite.at.run ?? envWrite.at.node, 'environment written here')],
        });
        continue;
      }
      const secret = secretRefs(job.node, input.workflow.text)[0];
      if (secret !== undefined) {
        ctx.report({
          messageId: 'privilegedConsumer',
          data: { trigger: trigger.text, what: `secret \`${secret.name.toUpperCase()}\`` },
          at: where,
          related: [{ span: secret.span, path: secret.scalar.path, label: 'secret' }],
        });
      }
    }
  },
});
