import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { ACTION_TAGS, ACTION_TAGS_AS_OF } from '../../workflows/known/action-tags.js';
import { trailingComment, usesSites } from '../../workflows/uses-sites.js';
import { actionName, isFullSha, parseUses } from '../../workflows/uses.js';
import { defineRule } from '../define-rule.js';

// A version-looking comment: `v4`, `v4.2.2`, `4.2.2`, `v1.0.0-rc1`, optionally `tag=`-prefixed.
const VERSION_COMMENT = /^(?:tag=)?(v?\d+(?:\.\d+)*(?:[-+][\w.]+)?)\b/i;

export default defineRule<WorkflowAuditInput, 'mismatch' | 'missing'>({
  id: 'ci/ref-version-mismatch',
  title: 'SHA-pinned action with a wrong or missing version comment',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['ref-version-mismatch'] },
  policy: 'Supply chain: reviewable pins (Dependabot/Renovate keep `# vX` comments in sync)',
  messages: {
    mismatch: `\`{{uses}}\` says \`# {{comment}}\`, but {{detail}} (known tags of {{action}}, ${ACTION_TAGS_AS_OF}); fix the comment or the pin so reviewers see which release runs.`,
    missing:
      '`{{uses}}` is pinned to a commit without a `# vX.Y.Z` comment, so reviewers cannot tell which release it is and update bots may not refresh it; add the version as a trailing comment.',
  },
  check(ctx, { workflow }) {
    for (const { scalar } of usesSites(workflow)) {
      const ref = parseUses(scalar.text);
      if (ref.kind !== 'remote' || !isFullSha(ref.version)) continue;
      const comment = trailingComment(workflow.text, scalar);
      const version = comment === undefined ? undefined : VERSION_COMMENT.exec(comment)?.[1];
      if (version === undefined) {
        // A missing comment is a smell, not a mismatch: reported only in pedantic runs.
        if (comment === undefined && ctx.options.pedantic === true) {
          ctx.report({
            messageId: 'missing',
            data: { uses: scalar.text },
            at: at(scalar),
            severity: 'info',
          });
        }
        continue;
      }
      const action = actionName(scalar.text) ?? ref.repo;
      const tags = ACTION_TAGS.get(action);
      if (tags === undefined) continue;
      const sha = ref.version.toLowerCase();
      const withV = version.startsWith('v') ? version : `v${version}`;
      const expected = tags.get(withV);
      const actualTag = [...tags].find(([, s]) => s === sha)?.[0];
      let detail: string | undefined;
      if (expected !== undefined && expected !== sha) {
        detail = `${withV} is commit ${expected}${actualTag === undefined ? '' : ` and this commit is ${actualTag}`}`;
      } else if (
        expected === undefined &&
        actualTag !== undefined &&
        // `# v3` on the commit of v3.8.2 is consistent: a major tag follows its latest release.
        !actualTag.startsWith(`${withV}.`)
      ) {
        detail = `this commit is ${actualTag}`;
      }
      // Judged only against tags the table knows: an unknown tag or commit proves nothing.
      if (detail === undefined) continue;
      ctx.report({
        messageId: 'mismatch',
        data: { uses: scalar.text, comment: version, action, detail },
        at: at(scalar),
      });
    }
  },
});
