import type { RepoSnapshot } from '../../github/snapshot.js';
import { arr, bool, itemsOf, str } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

export default defineRule<RepoSnapshot, 'persistent' | 'ephemeral'>({
  id: 'repo/self-hosted-runners',
  title: 'Self-hosted runner registered to a public repository',
  target: 'github',
  severity: 'high',
  confidence: 'high',
  policy:
    'PyTorch P6, P7 (non-ephemeral runners can be taken over); GitHub: self-hosted runners are not for public repositories',
  messages: {
    persistent:
      "Self-hosted runner `{{name}}` ({{labels}}) serves this public repository and is not ephemeral: a fork pull request that reaches it can persist on the machine and read later jobs' tokens and secrets (the 2023 PyTorch runner attack). Remove it or make it ephemeral (Settings → Actions → Runners), and require approval for outside contributors.",
    ephemeral:
      'Ephemeral self-hosted runner `{{name}}` ({{labels}}) serves this public repository: fork pull requests still run inside your network. Prefer GitHub-hosted runners for untrusted code (Settings → Actions → Runners).',
  },
  check(ctx, snapshot) {
    if (snapshot.isPublic !== true) return;
    itemsOf(snapshot.runners).forEach((runner, index) => {
      const name = str(runner, 'name') ?? `#${index}`;
      const labels = arr(runner, 'labels')
        .flatMap((l) => str(l, 'name') ?? [])
        .join(', ');
      const ephemeral = bool(runner, 'ephemeral') === true;
      ctx.report({
        messageId: ephemeral ? 'ephemeral' : 'persistent',
        data: { name, labels: labels === '' ? 'no labels' : labels },
        at: atRead(snapshot.runners, [index]),
        ...(ephemeral ? { severity: 'medium' as const } : {}),
      });
    });
  },
});
