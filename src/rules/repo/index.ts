import type { RepoSnapshot } from '../../github/snapshot.js';
import type { Rule } from '../define-rule.js';
import branchProtection from './branch-protection.js';
import defaultTokenPermissions from './default-token-permissions.js';
import forkPrApproval from './fork-pr-approval.js';
import publishEnvironment from './publish-environment.js';
import releaseBinaryAssets from './release-binary-assets.js';
import secretsOnPersistentRunner from './secrets-on-persistent-runner.js';
import securityPolicy from './security-policy.js';
import selfHostedRunners from './self-hosted-runners.js';
import unreadableEndpoint from './unreadable-endpoint.js';
import uploadCredentialsInSecrets from './upload-credentials-in-secrets.js';

/** Every `repo/*` rule (GitHub repository settings), sorted by id (listed by hand, STYLE §3). */
export const repoRules: readonly Rule<RepoSnapshot>[] = [
  branchProtection,
  defaultTokenPermissions,
  forkPrApproval,
  publishEnvironment,
  releaseBinaryAssets,
  secretsOnPersistentRunner,
  securityPolicy,
  selfHostedRunners,
  unreadableEndpoint,
  uploadCredentialsInSecrets,
];
