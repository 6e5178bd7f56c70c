import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { getMap, getNode, getScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Compromised releases are usually found and pulled within days; a week of cooldown lets that
// happen before Dependabot proposes them (zizmor's default minimum, also 7).
const MINIMUM_DAYS = 7;
// Dependabot's own default when `cooldown.default-days` is not set.
const DEFAULT_DAYS = 3;

export default defineRule<WorkflowAuditInput, 'missing' | 'tooShort'>({
  id: 'ci/dependabot-cooldown',
  title: 'Dependabot proposes releases the day they appear',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['dependabot-cooldown'] },
  policy: 'Supply chain: dependency cooldown against short-lived malicious releases',
  messages: {
    missing: `This \`{{ecosystem}}\` update has no \`cooldown.default-days\`, so Dependabot waits only ${DEFAULT_DAYS} days before proposing a new release; set \`cooldown: {default-days: ${MINIMUM_DAYS}}\` so compromised releases are usually pulled before they reach you.`,
    tooShort: `\`default-days: {{days}}\` lets Dependabot propose a release within {{days}} days of publication; use at least ${MINIMUM_DAYS}.`,
  },
  check(ctx, { workflow }) {
    if (workflow.kind !== 'dependabot') return;
    const updates = getNode(workflow.root, 'updates');
    if (updates?.kind !== 'seq') return;
    for (const update of updates.items) {
      if (update.kind !== 'map') continue;
      const ecosystem = getScalar(update, 'package-ecosystem');
      const cooldown = update.entries.get('cooldown');
      const days = getScalar(getMap(update, 'cooldown'), 'default-days');
      if (days !== undefined) {
        const value = Number(days.text);
        // An expression or junk is Dependabot's error to report, not a cooldown.
        if (Number.isFinite(value) && value < MINIMUM_DAYS) {
          ctx.report({ messageId: 'tooShort', data: { days: days.text }, at: at(days) });
        }
        continue;
      }
      ctx.report({
        messageId: 'missing',
        data: { ecosystem: ecosystem?.text ?? 'unnamed' },
        at: at(cooldown?.key ?? update.entries.get('package-ecosystem')?.key ?? update),
      });
    }
  },
});
