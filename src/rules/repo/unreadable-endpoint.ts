import type { RepoSnapshot } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

export default defineRule<RepoSnapshot, 'failed' | 'truncated' | 'workflow'>({
  id: 'repo/unreadable-endpoint',
  title: 'A repository setting could not be read',
  target: 'github',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward default-deny: a setting is compliant only when it was read',
  messages: {
    failed:
      'could not read {{endpoint}}: {{status}} ({{reason}}); the settings behind it were not audited. Give the token read access to them (fine-grained: Administration, Actions, Environments, Secrets, Contents; classic: `repo` scope of an administrator).',
    truncated:
      '{{endpoint}} has more than {{pages}} pages; only those were audited (the rest of the list is unread).',
    workflow:
      'could not parse workflow `{{path}}` ({{reason}}); its jobs were not matched against environments, secrets and runners.',
  },
  check(ctx, snapshot) {
    for (const read of snapshot.reads) {
      if (read.state === 'failed') {
        ctx.report({
          messageId: 'failed',
          data: {
            endpoint: `GET ${read.endpoint}`,
            status: read.status === undefined ? read.code : String(read.status),
            reason: read.reason,
          },
          at: atRead(read),
        });
      } else if (read.state === 'ok' && read.truncated) {
        ctx.report({
          messageId: 'truncated',
          data: {
            endpoint: `GET ${read.endpoint}`,
            pages:
              typeof ctx.options.maxPages === 'number'
                ? String(ctx.options.maxPages)
                : 'the cap of',
          },
          at: atRead(read),
        });
      }
    }
    for (const workflow of snapshot.workflows) {
      if (workflow.error === undefined) continue;
      ctx.report({
        messageId: 'workflow',
        data: { path: workflow.path, reason: workflow.error },
        at: atRead(workflow.read),
      });
    }
  },
});
