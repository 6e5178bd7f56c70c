import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { Rule } from '../define-rule.js';
import adhocPackages from './adhoc-packages.js';
import anonymousDefinition from './anonymous-definition.js';
import archivedUses from './archived-uses.js';
import artifactPoisoning from './artifact-poisoning.js';
import botConditions from './bot-conditions.js';
import concurrencyLimits from './concurrency-limits.js';
import dangerousTrigger from './dangerous-trigger.js';
import dependabotCooldown from './dependabot-cooldown.js';
import dependabotExecution from './dependabot-execution.js';
import excessivePermissions from './excessive-permissions.js';
import forbiddenUses from './forbidden-uses.js';
import githubApp from './github-app.js';
import githubEnv from './github-env.js';
import githubReleaseBinaries from './github-release-binaries.js';
import hardcodedContainerCredentials from './hardcoded-container-credentials.js';
import insecureCommands from './insecure-commands.js';
import insecureUrlScheme from './insecure-url-scheme.js';
import knownVulnerableActions from './known-vulnerable-actions.js';
import malformedInput from './malformed-input.js';
import mergeJobHardening from './merge-job-hardening.js';
import misfeature from './misfeature.js';
import mutableImageTag from './mutable-image-tag.js';
import obfuscation from './obfuscation.js';
import persistCredentials from './persist-credentials.js';
import prOnPersistentRunner from './pr-on-persistent-runner.js';
import publishWithoutEnvironment from './publish-without-environment.js';
import refVersionMismatch from './ref-version-mismatch.js';
import releaseBuildCache from './release-build-cache.js';
import releaseOnPersistentRunner from './release-on-persistent-runner.js';
import scriptInjection from './script-injection.js';
import secretsInherit from './secrets-inherit.js';
import secretsOnPersistentRunner from './secrets-on-persistent-runner.js';
import selfHostedRunner from './self-hosted-runner.js';
import selfRepository from './self-repository.js';
import superfluousActions from './superfluous-actions.js';
import typosquatUses from './typosquat-uses.js';
import undocumentedPermissions from './undocumented-permissions.js';
import unpinnedAction from './unpinned-action.js';
import unpinnedTools from './unpinned-tools.js';
import unsoundCondition from './unsound-condition.js';
import unsoundTernary from './unsound-ternary.js';
import untrustedCheckoutExec from './untrusted-checkout-exec.js';
import unverifiedScriptExec from './unverified-script-exec.js';
import useTrustedPublishing from './use-trusted-publishing.js';

/** Every `ci/*` rule, sorted by id (listed by hand, STYLE §3). */
export const ciRules: readonly Rule<WorkflowAuditInput>[] = [
  adhocPackages,
  anonymousDefinition,
  archivedUses,
  artifactPoisoning,
  botConditions,
  concurrencyLimits,
  dangerousTrigger,
  dependabotCooldown,
  dependabotExecution,
  excessivePermissions,
  forbiddenUses,
  githubApp,
  githubEnv,
  githubReleaseBinaries,
  hardcodedContainerCredentials,
  insecureCommands,
  insecureUrlScheme,
  knownVulnerableActions,
  malformedInput,
  mergeJobHardening,
  misfeature,
  mutableImageTag,
  obfuscation,
  persistCredentials,
  prOnPersistentRunner,
  publishWithoutEnvironment,
  refVersionMismatch,
  releaseBuildCache,
  releaseOnPersistentRunner,
  scriptInjection,
  secretsInherit,
  secretsOnPersistentRunner,
  selfHostedRunner,
  selfRepository,
  superfluousActions,
  typosquatUses,
  undocumentedPermissions,
  unpinnedAction,
  unpinnedTools,
  unsoundCondition,
  unsoundTernary,
  untrustedCheckoutExec,
  unverifiedScriptExec,
  useTrustedPublishing,
];

/**
 * The rules that read configuration files (`.github/dependabot.yml`, `.pre-commit-config.yaml`)
 * rather than workflows; the workflow audit runs only these on those files, and only the others on
 * workflows and actions.
 */
export const configFileRules: readonly Rule<WorkflowAuditInput>[] = [
  dependabotCooldown,
  dependabotExecution,
  insecureUrlScheme,
];
