import type { RepoSnapshot } from '../../github/snapshot.js';
import { arr, bool, field, itemsOf, str } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { fileLine, publishJobs } from './jobs.js';
import { atRead } from './locate.js';

type Message = 'missing' | 'anyBranch' | 'wildcardPolicy' | 'noReviewers';

// A custom deployment policy made only of wildcards lets every branch deploy.
const WILDCARD_ONLY = /^[*/]+$/;

export default defineRule<RepoSnapshot, Message>({
  id: 'repo/publish-environment',
  title: 'Publishing environment not restricted to protected branches or without reviewers',
  target: 'github',
  severity: 'high',
  confidence: 'medium',
  policy:
    'PyTorch P9 (upload jobs run in deployment environments restricted to protected branches)',
  messages: {
    missing:
      'Job `{{job}}` ({{where}}) publishes ({{what}}) in environment `{{env}}`, which does not exist: GitHub creates it on first use with no branch restriction and no reviewers. Create it under Settings → Environments with "Protected branches only" and required reviewers.',
    anyBranch:
      'Environment `{{env}}` is used by publishing job `{{job}}` ({{where}}) but any branch can deploy to it, so a pushed branch reaches its secrets. Set "Deployment branches and tags" to "Protected branches only" in Settings → Environments → {{env}}.',
    wildcardPolicy:
      'Environment `{{env}}` is used by publishing job `{{job}}` ({{where}}) but its deployment policy `{{pattern}}` matches every branch. Restrict it to protected branches in Settings → Environments → {{env}} → Deployment branches and tags.',
    noReviewers:
      'Environment `{{env}}` is used by publishing job `{{job}}` ({{where}}) and has no required reviewers, so any run on an allowed branch uploads at once. Add required reviewers in Settings → Environments → {{env}}.',
  },
  check(ctx, snapshot) {
    if (snapshot.environments.state !== 'ok') return;
    const environments = itemsOf(snapshot.environments);
    const reported = new Set<string>();
    for (const p of publishJobs(snapshot)) {
      if (p.environment === undefined) continue;
      const where = fileLine(p.workflow, p.job.key.span.start);
      const data = { job: p.job.id, where, what: p.what, env: p.environment };
      const index = environments.findIndex(
        (e) => str(e, 'name')?.toLowerCase() === p.environment?.toLowerCase(),
      );
      if (index < 0) {
        ctx.report({ messageId: 'missing', data, at: atRead(snapshot.environments) });
        continue;
      }
      // One report per environment and problem, even when several jobs use it.
      const once = (key: string): boolean => {
        if (reported.has(`${index}:${key}`)) return false;
        reported.add(`${index}:${key}`);
        return true;
      };
      const env = environments[index];
      const policy = field(env, 'deployment_branch_policy');
      if (policy === null || policy === undefined) {
        if (once('branch')) {
          ctx.report({
            messageId: 'anyBranch',
            data,
            at: atRead(snapshot.environments, [index, 'deployment_branch_policy']),
          });
        }
      } else if (
        bool(policy, 'protected_branches') !== true &&
        bool(policy, 'custom_branch_policies') === true
      ) {
        const details = snapshot.environmentDetails.find((d) => d.index === index);
        const policies = details?.branchPolicies;
        itemsOf(policies).forEach((item, i) => {
          const pattern = str(item, 'name') ?? '';
          if (
            policies !== undefined &&
            WILDCARD_ONLY.test(pattern) &&
            str(item, 'type') !== 'tag' &&
            once(`policy:${i}`)
          ) {
            ctx.report({
              messageId: 'wildcardPolicy',
              data: { ...data, pattern },
              at: atRead(policies, [i, 'name']),
            });
          }
        });
      }
      const reviewers = arr(env, 'protection_rules').some(
        (rule) => str(rule, 'type') === 'required_reviewers' && arr(rule, 'reviewers').length > 0,
      );
      if (!reviewers && once('reviewers')) {
        ctx.report({
          messageId: 'noReviewers',
          data,
          at: atRead(snapshot.environments, [index, 'protection_rules']),
        });
      }
    }
  },
});
