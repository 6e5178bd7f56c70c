import type { Rule } from './define-rule.js';

/**
 * Which torchward `ci/*` rules answer to a zizmor audit, so a `# zizmor: ignore[audit]` comment
 * already in a repository suppresses the torchward finding that reports the same problem.
 *
 * The one source is each rule's own metadata, `equivalents: { zizmor: [...] }` (an empty list
 * when zizmor has no such audit); every ci rule declares it (test/rules/zizmor-equivalents.test.ts).
 * Call zizmorEquivalents(rules) once per rule set.
 */
export function zizmorEquivalents(rules: readonly Rule[]): ReadonlyMap<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rule of rules) {
    for (const audit of rule.equivalents?.zizmor ?? []) {
      const list = out.get(audit) ?? [];
      if (!list.includes(rule.id)) list.push(rule.id);
      out.set(audit, list);
    }
  }
  return out;
}

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
