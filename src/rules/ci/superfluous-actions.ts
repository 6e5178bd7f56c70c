import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { parseUses } from '../../workflows/uses.js';
import { defineRule } from '../define-rule.js';

// Actions that wrap a tool already on GitHub's runner images (gh, git, docker, jq, rustup), with
// the command that replaces them (facts from the actions' documentation and zizmor's table).
const SUPERFLUOUS: ReadonlyMap<string, string> = new Map([
  ['ncipollo/release-action', '`gh release create`'],
  ['softprops/action-gh-release', '`gh release create`'],
  ['elgohr/github-release-action', '`gh release create`'],
  ['svenstaro/upload-release-action', '`gh release create` / `gh release upload`'],
  ['peter-evans/create-pull-request', '`gh pr create`'],
  ['peter-evans/create-or-update-comment', '`gh pr comment` / `gh issue comment`'],
  ['dacbd/create-issue-action', '`gh issue create`'],
  ['actions-ecosystem/action-add-labels', '`gh issue edit --add-label` / `gh pr edit --add-label`'],
  [
    'actions-ecosystem/action-remove-labels',
    '`gh issue edit --remove-label` / `gh pr edit --remove-label`',
  ],
  ['addnab/docker-run-action', '`docker run`'],
  ['sergeysova/jq-action', '`jq`'],
  ['dtolnay/rust-toolchain', '`rustup`'],
  ['stefanzweifel/git-auto-commit-action', '`git add`, `git commit` and `git push`'],
  ['endbug/add-and-commit', '`git add`, `git commit` and `git push`'],
]);

export default defineRule<WorkflowAuditInput, 'superfluous'>({
  id: 'ci/superfluous-actions',
  title: 'Third-party action doing what a preinstalled tool does',
  target: 'workflow',
  severity: 'info',
  confidence: 'high',
  equivalents: { zizmor: ['superfluous-actions'] },
  policy: 'Supply chain: minimise third-party code in privileged jobs',
  messages: {
    superfluous:
      '`{{repo}}` adds third-party code (and its dependencies) to do what {{replacement}} on the runner already does; use the preinstalled tool in a `run:` step.',
  },
  check(ctx, { workflow }) {
    for (const { scalar, step } of usesSites(workflow)) {
      if (step === undefined) continue;
      const ref = parseUses(scalar.text);
      if (ref.kind !== 'remote') continue;
      const replacement = SUPERFLUOUS.get(ref.repo);
      if (replacement === undefined) continue;
      ctx.report({
        messageId: 'superfluous',
        data: { repo: ref.repo, replacement },
        at: at(scalar),
      });
    }
  },
});
