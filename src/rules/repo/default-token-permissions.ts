import type { RepoSnapshot } from '../../github/snapshot.js';
import { bool, dataOf, str } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

const PAGE = 'Settings → Actions → General → Workflow permissions';

export default defineRule<RepoSnapshot, 'writeToken' | 'canApprove'>({
  id: 'repo/default-token-permissions',
  title: 'Default GITHUB_TOKEN can write, or Actions can approve pull requests',
  target: 'github',
  severity: 'high',
  confidence: 'high',
  policy: 'PyTorch P3, P6 (least-privilege tokens); OpenSSF Scorecard Token-Permissions',
  messages: {
    writeToken: `Workflows get a read-write GITHUB_TOKEN unless they say otherwise, so every job without \`permissions:\` can push code and tags. Choose "Read repository contents and packages permissions" in ${PAGE}.`,
    canApprove: `GitHub Actions may create and approve pull requests, so a workflow can approve its own change and satisfy required reviews. Clear "Allow GitHub Actions to create and approve pull requests" in ${PAGE}.`,
  },
  check(ctx, snapshot) {
    const read = snapshot.workflowPermissions;
    const data = dataOf(read);
    if (str(data, 'default_workflow_permissions') === 'write') {
      ctx.report({ messageId: 'writeToken', at: atRead(read, ['default_workflow_permissions']) });
    }
    if (bool(data, 'can_approve_pull_request_reviews') === true) {
      ctx.report({
        messageId: 'canApprove',
        at: atRead(read, ['can_approve_pull_request_reviews']),
      });
    }
  },
});
