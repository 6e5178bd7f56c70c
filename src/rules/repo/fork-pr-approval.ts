import type { RepoSnapshot } from '../../github/snapshot.js';
import { dataOf, str } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

const PAGE =
  'Settings → Actions → General → "Approval for running fork pull request workflows from contributors"';

export default defineRule<RepoSnapshot, 'newToGithub' | 'unknown'>({
  id: 'repo/fork-pr-approval',
  title: 'Fork pull request workflows run without approval',
  target: 'github',
  severity: 'high',
  confidence: 'high',
  policy: 'PyTorch P1 (PR runs from non-members need approval)',
  messages: {
    newToGithub: `Workflows from fork pull requests need approval only for accounts new to GitHub; any other outside contributor runs CI code at once. Choose "Require approval for first-time contributors" or, better, "Require approval for all external contributors" in ${PAGE}.`,
    unknown: `The fork pull request approval policy is \`{{policy}}\`, which torchward does not know; check it in ${PAGE}.`,
  },
  check(ctx, snapshot) {
    if (snapshot.isPublic !== true) return;
    const read = snapshot.forkPrApproval;
    const policy = str(dataOf(read), 'approval_policy');
    if (read.state !== 'ok') return;
    if (policy === 'first_time_contributors' || policy === 'all_external_contributors') return;
    if (policy === 'first_time_contributors_new_to_github') {
      ctx.report({ messageId: 'newToGithub', at: atRead(read, ['approval_policy']) });
    } else {
      ctx.report({
        messageId: 'unknown',
        data: { policy: policy ?? 'missing' },
        at: atRead(read, ['approval_policy']),
      });
    }
  },
});
