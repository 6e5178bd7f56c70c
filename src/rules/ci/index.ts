import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { Rule } from '../define-rule.js';
import artifactPoisoning from './artifact-poisoning.js';
import botConditions from './bot-conditions.js';
import dangerousTrigger from './dangerous-trigger.js';
import excessivePermissions from './excessive-permissions.js';
import githubEnv from './github-env.js';
import githubReleaseBinaries from './github-release-binaries.js';
import hardcodedContainerCredentials from './hardcoded-container-credentials.js';
import insecureCommands from './insecure-commands.js';
import malformedInput from './malformed-input.js';
import mergeJobHardening from './merge-job-hardening.js';
import mutableImageTag from './mutable-image-tag.js';
import persistCredentials from './persist-credentials.js';
import prOnPersistentRunner from './pr-on-persistent-runner.js';
import publishWithoutEnvironment from './publish-without-environment.js';
import releaseBuildCache from './release-build-cache.js';
import releaseOnPersistentRunner from './release-on-persistent-runner.js';
import scriptInjection from './script-injection.js';
import secretsInherit from './secrets-inherit.js';
import secretsOnPersistentRunner from './secrets-on-persistent-runner.js';
import unpinnedAction from './unpinned-action.js';
import unsoundCondition from './unsound-condition.js';
import untrustedCheckoutExec from './untrusted-checkout-exec.js';
import unverifiedScriptExec from './unverified-script-exec.js';
import useTrustedPublishing from './use-trusted-publishing.js';

/** Every `ci/*` rule, sorted by id (listed by hand, STYLE §3). */
export const ciRules: readonly Rule<WorkflowAuditInput>[] = [
  artifactPoisoning,
  botConditions,
  dangerousTrigger,
  excessivePermissions,
  githubEnv,
  githubReleaseBinaries,
  hardcodedContainerCredentials,
  insecureCommands,
  malformedInput,
  mergeJobHardening,
  mutableImageTag,
  persistCredentials,
  prOnPersistentRunner,
  publishWithoutEnvironment,
  releaseBuildCache,
  releaseOnPersistentRunner,
  scriptInjection,
  secretsInherit,
  secretsOnPersistentRunner,
  unpinnedAction,
  unsoundCondition,
  untrustedCheckoutExec,
  unverifiedScriptExec,
  useTrustedPublishing,
];
