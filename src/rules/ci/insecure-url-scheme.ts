import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { getNode, getScalar } from '../../workflows/yaml-tree.js';
import type { YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Plain-text transports: anyone on the path can swap the code or packages fetched over them.
const INSECURE = /^(http|git|ftp):\/\//i;

export default defineRule<WorkflowAuditInput, 'insecure'>({
  id: 'ci/insecure-url-scheme',
  title: 'Code or packages fetched over a plain-text URL',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['insecure-url-scheme'] },
  policy: 'CWE-319 (cleartext transmission), CWE-494 (download of code without integrity check)',
  messages: {
    insecure:
      '`{{url}}` uses `{{scheme}}://`, which has no encryption or integrity: anyone on the network path can replace what is fetched; use `https://` (or `ssh://` for git).',
  },
  check(ctx, { workflow }) {
    const urls: YScalar[] = [];
    if (workflow.kind === 'pre-commit') {
      // pre-commit clones each hook repository named in `repos[].repo` and runs its code.
      const repos = getNode(workflow.root, 'repos');
      if (repos?.kind === 'seq') {
        for (const item of repos.items) {
          const repo = getScalar(item, 'repo');
          if (repo !== undefined) urls.push(repo);
        }
      }
    } else if (workflow.kind === 'dependabot') {
      // Private registries Dependabot resolves from (`registries.<name>.url`).
      const registries = getNode(workflow.root, 'registries');
      if (registries?.kind === 'map') {
        for (const entry of registries.entries.values()) {
          const url = getScalar(entry.value, 'url');
          if (url !== undefined) urls.push(url);
        }
      }
    }
    for (const url of urls) {
      const m = INSECURE.exec(url.text.trim());
      if (m === null) continue;
      ctx.report({
        messageId: 'insecure',
        data: { url: url.text.trim(), scheme: (m[1] ?? '').toLowerCase() },
        at: at(url),
      });
    }
  },
});
