import type { Rule } from './define-rule.js';

/**
 * Which torchward `ci/*` rules answer to a zizmor audit, so a `# zizmor: ignore[audit]` comment
 * already in a repository suppresses the torchward finding that reports the same problem.
 *
 * Source of truth: a rule's own metadata, `equivalents: { zizmor: [...] }`, when the rule declares
 * it (the field rules gain in issue #21 item 1). Until every rule declares it, FALLBACK holds the
 * mapping for the rules that existed before; a rule's own declaration always wins over FALLBACK
 * for that rule. Call zizmorEquivalents(rules) once per rule set.
 */
export function zizmorEquivalents(rules: readonly Rule[]): ReadonlyMap<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (audit: string, ruleId: string): void => {
    const list = out.get(audit) ?? [];
    if (!list.includes(ruleId)) list.push(ruleId);
    out.set(audit, list);
  };
  const declared = new Set<string>();
  for (const rule of rules) {
    const own = (rule as { equivalents?: { zizmor?: readonly string[] } }).equivalents?.zizmor;
    if (own === undefined) continue;
    declared.add(rule.id);
    for (const audit of own) add(audit, rule.id);
  }
  const ids = new Set(rules.map((r) => r.id));
  for (const [audit, ruleIds] of Object.entries(FALLBACK)) {
    for (const ruleId of ruleIds) if (ids.has(ruleId) && !declared.has(ruleId)) add(audit, ruleId);
  }
  return out;
}

// zizmor audit → torchward rules that report the same problem (zizmor v1.30 audit names).
const FALLBACK: Readonly<Record<string, readonly string[]>> = {
  'template-injection': ['ci/script-injection'],
  'dangerous-triggers': ['ci/dangerous-trigger'],
  'excessive-permissions': ['ci/excessive-permissions'],
  'unpinned-uses': ['ci/unpinned-action'],
  'cache-poisoning': ['ci/release-build-cache', 'ci/artifact-poisoning'],
  artipacked: ['ci/persist-credentials'],
  'github-env': ['ci/github-env'],
  'self-hosted-runner': [
    'ci/pr-on-persistent-runner',
    'ci/secrets-on-persistent-runner',
    'ci/release-on-persistent-runner',
  ],
  'secrets-inherit': ['ci/secrets-inherit'],
  'overprovisioned-secrets': ['ci/secrets-inherit'],
  'unredacted-secrets': ['ci/secrets-inherit'],
  'unpinned-images': ['ci/mutable-image-tag'],
  'hardcoded-container-credentials': ['ci/hardcoded-container-credentials'],
  'use-trusted-publishing': ['ci/use-trusted-publishing'],
  'insecure-commands': ['ci/insecure-commands'],
  'bot-conditions': ['ci/bot-conditions'],
  'unsound-condition': ['ci/unsound-condition'],
  'unsound-contains': ['ci/unsound-condition'],
  'secrets-outside-env': ['ci/publish-without-environment'],
};

/** zizmor's audit names (v1.30), so an ignore comment naming none of them can be flagged as a typo. */
export const ZIZMOR_AUDITS: ReadonlySet<string> = new Set([
  'adhoc-packages',
  'anonymous-definition',
  'archived-uses',
  'artipacked',
  'bot-conditions',
  'cache-poisoning',
  'concurrency-limits',
  'dangerous-triggers',
  'dependabot-cooldown',
  'dependabot-execution',
  'excessive-permissions',
  'forbidden-uses',
  'github-app',
  'github-env',
  'hardcoded-container-credentials',
  'impostor-commit',
  'insecure-commands',
  'insecure-url-scheme',
  'known-vulnerable-actions',
  'misfeature',
  'obfuscation',
  'overprovisioned-secrets',
  'ref-confusion',
  'ref-version-mismatch',
  'secrets-inherit',
  'secrets-outside-env',
  'self-hosted-runner',
  'self-repository',
  'stale-action-refs',
  'superfluous-actions',
  'template-injection',
  'typosquat-uses',
  'undocumented-permissions',
  'unpinned-images',
  'unpinned-tools',
  'unpinned-uses',
  'unredacted-secrets',
  'unsound-condition',
  'unsound-contains',
  'unsound-ternary',
  'use-trusted-publishing',
]);
