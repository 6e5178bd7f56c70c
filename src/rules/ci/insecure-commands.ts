import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { YMap } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'enabled'>({
  id: 'ci/insecure-commands',
  title: 'Deprecated set-env / add-path workflow commands re-enabled',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['insecure-commands'] },
  policy: 'PyTorch P4, P6; GitHub advisory GHSA-mfwh-5m23-j46w (CVE-2020-15228)',
  messages: {
    enabled:
      '`ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables `::set-env` and `::add-path`, so anything a step prints (a log line, a file, a PR title) can set variables such as LD_PRELOAD for later steps. Use GITHUB_ENV/GITHUB_PATH files instead.',
  },
  check(ctx, { workflow }) {
    const check = (env: YMap | undefined): void => {
      const entry = env?.entries.get('ACTIONS_ALLOW_UNSECURE_COMMANDS');
      if (entry === undefined) return;
      const value = entry.value.kind === 'scalar' ? entry.value.text.trim().toLowerCase() : '';
      // The runner parses the value as a C# boolean: only `true` (any case, trimmed) enables the
      // commands; `1`, `yes` or `on` leave them off. An expression may evaluate to `true`.
      if (value === 'true') ctx.report({ messageId: 'enabled', at: at(entry.key) });
      else if (value.includes('${{')) {
        ctx.report({ messageId: 'enabled', at: at(entry.key), confidence: 'low' });
      }
    };
    check(workflow.env);
    for (const job of workflow.jobs) {
      check(job.env);
      for (const step of job.steps) check(step.env);
    }
  },
});
