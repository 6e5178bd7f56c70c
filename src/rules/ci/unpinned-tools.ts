import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction } from '../../workflows/steps.js';
import { getScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Actions that download their tool at run time and take `latest` when `version` is not given
// (each action's documented default), without checking it against a hash shipped in the action.
const TOOL_INSTALLERS: ReadonlyMap<string, string> = new Map([
  ['aquasecurity/setup-trivy', 'trivy'],
  ['1password/load-secrets-action', 'the 1Password CLI'],
]);

export default defineRule<WorkflowAuditInput, 'noVersion' | 'latest'>({
  id: 'ci/unpinned-tools',
  title: 'Pinned action installs an unpinned tool',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['unpinned-tools'] },
  policy: 'OpenSSF Scorecard Pinned-Dependencies; supply chain (trivy-action, 2026)',
  messages: {
    noVersion:
      '`{{action}}` installs {{tool}} at its latest release when `version` is not set, so a compromised release runs here the day it is published; set `with.version` to an exact version.',
    latest:
      '`version: latest` makes `{{action}}` install whatever {{tool}} release is newest when the job runs; set an exact version.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        const action = stepAction(step);
        const tool = action === undefined ? undefined : TOOL_INSTALLERS.get(action);
        if (tool === undefined || action === undefined || step.uses === undefined) continue;
        const version = getScalar(step.with, 'version');
        if (version === undefined) {
          ctx.report({ messageId: 'noVersion', data: { action, tool }, at: at(step.uses) });
        } else if (version.text.trim().toLowerCase() === 'latest') {
          ctx.report({ messageId: 'latest', data: { action, tool }, at: at(version) });
        }
      }
    }
  },
});
