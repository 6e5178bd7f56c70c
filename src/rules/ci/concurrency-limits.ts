import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { getNode } from '../../workflows/yaml-tree.js';
import type { YNode } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

/** 'ok' when `concurrency:` sets `cancel-in-progress` (any value: false is a choice). */
function concurrencyState(node: YNode | undefined): 'missing' | 'noCancel' | 'ok' {
  if (node === undefined) return 'missing';
  if (node.kind === 'map' && node.entries.has('cancel-in-progress')) return 'ok';
  return 'noCancel';
}

export default defineRule<WorkflowAuditInput, 'missing' | 'noCancel'>({
  id: 'ci/concurrency-limits',
  title: 'Workflow runs pile up without a concurrency limit',
  target: 'workflow',
  severity: 'info',
  confidence: 'high',
  equivalents: { zizmor: ['concurrency-limits'] },
  pedantic: true,
  policy: 'Resource abuse on billed and self-hosted runners (CWE-770); artifact races',
  messages: {
    missing:
      'Neither the workflow nor job `{{job}}` sets `concurrency:`, so every push or PR update starts another run beside the old ones (runner time anyone can spend, and artifact lookups by name can race); add `concurrency: {group: ..., cancel-in-progress: true}`.',
    noCancel:
      '`concurrency:` without `cancel-in-progress` queues superseded runs instead of cancelling them; add `cancel-in-progress: true` (or `false` if queuing is intended).',
  },
  check(ctx, { workflow }) {
    if (workflow.kind !== 'workflow' || workflow.root === undefined) return;
    // A reusable workflow's caller decides its concurrency.
    if (workflow.triggers.has('workflow_call')) return;
    const top = getNode(workflow.root, 'concurrency');
    const state = concurrencyState(top);
    if (state === 'ok') return;
    if (state === 'noCancel' && top !== undefined) {
      ctx.report({ messageId: 'noCancel', at: at(top) });
      return;
    }
    for (const job of workflow.jobs) {
      // A job that only calls a reusable workflow inherits that workflow's settings.
      if (job.uses !== undefined) continue;
      const own = getNode(job.node, 'concurrency');
      const jobState = concurrencyState(own);
      if (jobState === 'missing') {
        ctx.report({ messageId: 'missing', data: { job: job.id }, at: at(job.key) });
      } else if (jobState === 'noCancel' && own !== undefined) {
        ctx.report({ messageId: 'noCancel', at: at(own) });
      }
    }
  },
});
