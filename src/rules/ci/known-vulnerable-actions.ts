import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import {
  VULNERABLE_ACTIONS,
  VULNERABLE_ACTIONS_AS_OF,
} from '../../workflows/known/vulnerable-actions.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { isFullSha, parseUses } from '../../workflows/uses.js';
import { defineRule } from '../define-rule.js';

/** `v45.0.7` → [45, 0, 7]; undefined for branches and other non-version refs. */
function versionParts(ref: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+){0,2})$/i.exec(ref.trim());
  return m === null ? undefined : (m[1] ?? '').split('.').map(Number);
}

/** Compares versions; a shorter tag (`v45`) stands for its newest release (45.∞.∞). */
function compareTag(tag: readonly number[], bound: readonly number[]): number {
  for (let i = 0; i < bound.length; i++) {
    const t = tag[i];
    if (t === undefined) return 1;
    const b = bound[i] ?? 0;
    if (t !== b) return t - b;
  }
  return 0;
}

export default defineRule<WorkflowAuditInput, 'compromised' | 'vulnerable'>({
  id: 'ci/known-vulnerable-actions',
  title: 'Action version known to be compromised or vulnerable',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['known-vulnerable-actions'] },
  policy:
    'Supply chain: known-bad dependencies (tj-actions/changed-files, CVE-2025-30066; reviewdog, CVE-2025-30154)',
  messages: {
    compromised: `\`{{uses}}\` pins a commit an attacker pushed ({{advisory}}): {{summary}}. Rotate every secret this workflow could read and pin a clean release. (List of ${VULNERABLE_ACTIONS_AS_OF}.)`,
    vulnerable: `\`{{uses}}\` is affected by {{advisory}}: {{summary}}. Move to a fixed release, pinned by SHA. (List of ${VULNERABLE_ACTIONS_AS_OF}.)`,
  },
  check(ctx, { workflow }) {
    for (const { scalar } of usesSites(workflow)) {
      const ref = parseUses(scalar.text);
      if (ref.kind !== 'remote') continue;
      const sha = isFullSha(ref.version) ? ref.version.toLowerCase() : undefined;
      const version = sha === undefined ? versionParts(ref.version) : undefined;
      for (const entry of VULNERABLE_ACTIONS) {
        if (entry.repo !== ref.repo) continue;
        const data = { uses: scalar.text, advisory: entry.advisory, summary: entry.summary };
        if (sha !== undefined && entry.commits?.includes(sha) === true) {
          ctx.report({ messageId: 'compromised', data, at: at(scalar), severity: entry.severity });
          break;
        }
        const below = entry.below === undefined ? undefined : versionParts(entry.below);
        const from = entry.from === undefined ? undefined : versionParts(entry.from);
        if (version === undefined || below === undefined) continue;
        if (compareTag(version, below) >= 0) continue;
        if (from !== undefined && compareTag(version, from) < 0) continue;
        // One finding per `uses:`: the first (most severe, listed first) advisory that applies.
        ctx.report({ messageId: 'vulnerable', data, at: at(scalar), severity: entry.severity });
        break;
      }
    }
  },
});
