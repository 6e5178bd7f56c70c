import type { ApiRead, RepoSnapshot } from '../../github/snapshot.js';
import { itemsOf, str } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

// Secret names that hold upload credentials for services that accept OIDC instead (trusted
// publishing or federated identity). Anchored alternatives of literal words: linear matching.
const CREDENTIALS: readonly [RegExp, string][] = [
  [/PYPI|TWINE_(?:PASSWORD|TOKEN)/, 'PyPI (trusted publishing)'],
  [/^NPM_(?:TOKEN|AUTH_TOKEN|PUBLISH_TOKEN)$|^NODE_AUTH_TOKEN$/, 'npm (trusted publishing)'],
  [/CARGO_REGISTRY_TOKEN|CRATES_IO/, 'crates.io (trusted publishing)'],
  [/RUBYGEMS|GEM_HOST_API_KEY/, 'RubyGems (trusted publishing)'],
  [/NUGET_(?:API_)?KEY/, 'NuGet (trusted publishing)'],
  [/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/, 'AWS (an OIDC role)'],
  [
    /GCP_SA_KEY|GCP_CREDENTIALS|GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS/,
    'Google Cloud (workload identity federation)',
  ],
  [/AZURE_CREDENTIALS|AZURE_CLIENT_SECRET/, 'Azure (OIDC federated credentials)'],
];

function service(name: string): string | undefined {
  const upper = name.toUpperCase();
  return CREDENTIALS.find(([pattern]) => pattern.test(upper))?.[1];
}

export default defineRule<RepoSnapshot, 'repoSecret' | 'environmentSecret'>({
  id: 'repo/upload-credentials-in-secrets',
  title: 'Upload credential stored as a secret where OIDC publishing exists',
  target: 'github',
  severity: 'high',
  confidence: 'medium',
  policy: 'PyTorch P10 (upload credentials are never repository secrets)',
  messages: {
    repoSecret:
      'Repository secret `{{name}}` looks like an upload credential for {{service}}: every workflow on every branch can read it. Delete it (Settings → Secrets and variables → Actions) and publish through OIDC from a branch-restricted environment.',
    environmentSecret:
      'Environment `{{env}}` stores `{{name}}`, an upload credential for {{service}}, which accepts OIDC instead: a long-lived token can leak and outlive the job. Switch to OIDC and delete the secret (Settings → Environments → {{env}} → Environment secrets).',
  },
  check(ctx, snapshot) {
    const scan = (
      read: ApiRead,
      report: (name: string, svc: string, index: number) => void,
    ): void => {
      itemsOf(read).forEach((item, index) => {
        const name = str(item, 'name');
        const svc = name === undefined ? undefined : service(name);
        if (name !== undefined && svc !== undefined) report(name, svc, index);
      });
    };
    scan(snapshot.secrets, (name, svc, index) => {
      ctx.report({
        messageId: 'repoSecret',
        data: { name, service: svc },
        at: atRead(snapshot.secrets, [index, 'name']),
      });
    });
    for (const env of snapshot.environmentDetails) {
      scan(env.secrets, (name, svc, index) => {
        ctx.report({
          messageId: 'environmentSecret',
          data: { name, service: svc, env: env.name },
          at: atRead(env.secrets, [index, 'name']),
        });
      });
    }
  },
});
