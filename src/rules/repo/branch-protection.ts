import type { BranchSnapshot, RepoSnapshot } from '../../github/snapshot.js';
import { arr, bool, dataOf, field, isObject, itemsOf, num, str } from '../../github/snapshot.js';
import type { ReportAt } from '../define-rule.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

type Message =
  | 'unprotected'
  | 'noReviews'
  | 'staleReviews'
  | 'forcePushes'
  | 'deletions'
  | 'adminsExempt'
  | 'pushesOpen';

const PAGE = 'Settings → Branches → Branch protection rules (or Settings → Rules → Rulesets)';

/** What the classic protection and the rulesets of one branch enforce together. */
interface Enforced {
  readonly any: boolean;
  readonly reviews: boolean;
  readonly staleDismissed: boolean;
  readonly forcePushBlocked: boolean;
  readonly deletionBlocked: boolean;
  readonly adminsIncluded: boolean;
  readonly pushesRestricted: boolean;
}

// GitHub's built-in repository role id of "admin" in ruleset bypass lists.
const ADMIN_ROLE_ID = 5;

function enforced(branch: BranchSnapshot): Enforced {
  const classic = dataOf(branch.protection);
  const hasClassic = isObject(classic);
  const rules = itemsOf(branch.rules).filter(isObject);
  const ruleOf = (type: string): unknown => rules.find((r) => str(r, 'type') === type);
  const pr = ruleOf('pull_request');
  const prParams = field(pr, 'parameters');
  const reviewsClassic = field(classic, 'required_pull_request_reviews');
  const classicCount = num(reviewsClassic, 'required_approving_review_count') ?? 0;
  const rulesetCount = num(prParams, 'required_approving_review_count') ?? 0;
  // A ruleset applies to administrators unless its bypass list names the admin role (or org admins).
  const adminBypass = branch.rulesets.some((read) =>
    arr(dataOf(read), 'bypass_actors').some(
      (actor) =>
        str(actor, 'bypass_mode') !== 'pull_request' &&
        (str(actor, 'actor_type') === 'OrganizationAdmin' ||
          (str(actor, 'actor_type') === 'RepositoryRole' &&
            num(actor, 'actor_id') === ADMIN_ROLE_ID)),
    ),
  );
  return {
    any: hasClassic || rules.length > 0,
    reviews: (isObject(reviewsClassic) && classicCount >= 1) || rulesetCount >= 1,
    staleDismissed:
      bool(reviewsClassic, 'dismiss_stale_reviews') === true ||
      bool(prParams, 'dismiss_stale_reviews_on_push') === true,
    forcePushBlocked:
      (hasClassic && bool(field(classic, 'allow_force_pushes'), 'enabled') !== true) ||
      ruleOf('non_fast_forward') !== undefined,
    deletionBlocked:
      (hasClassic && bool(field(classic, 'allow_deletions'), 'enabled') !== true) ||
      ruleOf('deletion') !== undefined,
    adminsIncluded:
      bool(field(classic, 'enforce_admins'), 'enabled') === true ||
      (rules.length > 0 && !adminBypass),
    pushesRestricted: isObject(field(classic, 'restrictions')) || ruleOf('update') !== undefined,
  };
}

export default defineRule<RepoSnapshot, Message>({
  id: 'repo/branch-protection',
  title: 'Default or release branch is not fully protected',
  target: 'github',
  severity: 'high',
  confidence: 'high',
  policy: 'PyTorch P2 (protected branches; merges only by administrators and the merge bot)',
  messages: {
    unprotected: `Branch \`{{branch}}\` ({{role}}) has no branch protection and no ruleset: anyone with write access can push, force-push or delete it. Protect it in ${PAGE}.`,
    noReviews: `Branch \`{{branch}}\` ({{role}}) does not require an approving review before merging. Turn on "Require a pull request before merging" with at least one approval in ${PAGE}.`,
    staleReviews: `Branch \`{{branch}}\` ({{role}}) keeps approvals after new commits are pushed, so an approved PR can be changed before merging. Turn on "Dismiss stale pull request approvals when new commits are pushed" in ${PAGE}.`,
    forcePushes: `Branch \`{{branch}}\` ({{role}}) allows force pushes, which rewrite reviewed history. Turn off "Allow force pushes" (or add "Block force pushes") in ${PAGE}.`,
    deletions: `Branch \`{{branch}}\` ({{role}}) may be deleted. Turn off "Allow deletions" (or add "Restrict deletions") in ${PAGE}.`,
    adminsExempt: `Branch \`{{branch}}\` ({{role}}) protection does not apply to administrators, so one stolen admin token bypasses every review. Turn on "Do not allow bypassing the above settings" (or remove the admin role from the ruleset bypass list) in ${PAGE}.`,
    pushesOpen: `Branch \`{{branch}}\` ({{role}}): anyone with write access can push or merge. Restrict who can push to the administrators and the merge bot ("Restrict who can push to matching branches", or a ruleset "Restrict updates" with the bot as bypass actor) in ${PAGE}.`,
  },
  check(ctx, snapshot) {
    for (const branch of snapshot.branches) {
      // Unreadable protection and rules: repo/unreadable-endpoint says so; nothing is known here.
      if (branch.protection.state === 'failed' && branch.rules.state !== 'ok') continue;
      const e = enforced(branch);
      const data = {
        branch: branch.name,
        role:
          branch.role === 'default'
            ? 'default branch'
            : branch.role === 'release'
              ? 'release branch'
              : 'audited branch',
      };
      const classic = branch.protection.state === 'ok' ? branch.protection : undefined;
      const where = (path: readonly (string | number)[]): ReportAt =>
        classic !== undefined
          ? atRead(classic, path)
          : branch.rules.state === 'ok'
            ? atRead(branch.rules)
            : atRead(branch.protection);
      if (!e.any) {
        // Absent protection with unreadable rulesets may still be a ruleset we could not see.
        if (branch.rules.state === 'ok') {
          ctx.report({ messageId: 'unprotected', data, at: atRead(branch.protection) });
        }
        continue;
      }
      if (!e.reviews) {
        ctx.report({ messageId: 'noReviews', data, at: where(['required_pull_request_reviews']) });
      } else if (!e.staleDismissed) {
        ctx.report({
          messageId: 'staleReviews',
          data,
          at: where(['required_pull_request_reviews', 'dismiss_stale_reviews']),
        });
      }
      if (!e.forcePushBlocked) {
        ctx.report({ messageId: 'forcePushes', data, at: where(['allow_force_pushes']) });
      }
      if (!e.deletionBlocked) {
        ctx.report({ messageId: 'deletions', data, at: where(['allow_deletions']) });
      }
      if (!e.adminsIncluded) {
        ctx.report({ messageId: 'adminsExempt', data, at: where(['enforce_admins']) });
      }
      if (!e.pushesRestricted) {
        ctx.report({ messageId: 'pushesOpen', data, at: where(['restrictions']) });
      }
    }
  },
});
