import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { refsIn } from '../../workflows/audit-input.js';
import { isAttackerControlled } from '../../workflows/expressions.js';
import { stepAction } from '../../workflows/job-roles.js';
import type { YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'run' | 'script' | 'actionInput'>({
  id: 'ci/script-injection',
  title: 'Attacker-controlled context expanded into a script',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  policy: 'PyTorch P1, P6; CWE-78 (OS command injection)',
  messages: {
    actionInput:
      '`${{ {{context}} }}` is whatever the calling workflow passes (in PR workflows often a branch name or title) and is pasted into this shell script; pass it through `env:` and quote "$VAR".',
    run: '`${{ {{context}} }}` is text anyone can choose (a title, body or branch name) and is pasted into this shell script before it runs; pass it through `env:` and quote "$VAR" instead.',
    script:
      '`${{ {{context}} }}` is text anyone can choose and is pasted into this github-script code; read it from `context.payload` or `process.env` instead.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        const sinks: { scalar: YScalar; messageId: 'run' | 'script' }[] = [];
        if (step.run !== undefined) sinks.push({ scalar: step.run, messageId: 'run' });
        const script = step.with?.entries.get('script')?.value;
        if (stepAction(step) === 'actions/github-script' && script?.kind === 'scalar') {
          sinks.push({ scalar: script, messageId: 'script' });
        }
        for (const { scalar, messageId } of sinks) {
          for (const ref of refsIn(workflow.text, scalar.span)) {
            if (isAttackerControlled(ref.path)) {
              ctx.report({
                messageId,
                data: { context: ref.path },
                at: { span: ref.expression, path: scalar.path },
              });
            } else if (workflow.kind === 'action' && ref.path.startsWith('inputs.')) {
              // A composite action cannot know who fills its inputs (ultralytics/actions, 2024).
              ctx.report({
                messageId: 'actionInput',
                data: { context: ref.path },
                at: { span: ref.expression, path: scalar.path },
                severity: 'medium',
                // Whether a caller passes outsider text is unknown here: most pass constants.
                confidence: 'low',
              });
            }
          }
        }
      }
    }
  },
});
