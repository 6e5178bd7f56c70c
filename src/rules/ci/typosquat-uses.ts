import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { POPULAR_ACTIONS } from '../../workflows/known/popular-actions.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { parseUses } from '../../workflows/uses.js';
import { defineRule } from '../define-rule.js';

/**
 * Whether `a` is one edit from `b`: a character omitted, repeated or added, two neighbours
 * swapped, or one substituted. Linear in the length; no general edit-distance table needed.
 */
function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a.charAt(i) === b.charAt(i)) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return (
      a.charAt(i) === b.charAt(i + 1) &&
      a.charAt(i + 1) === b.charAt(i) &&
      a.slice(i + 2) === b.slice(i + 2)
    );
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i);
}

const POPULAR = new Set(POPULAR_ACTIONS);

// The same few hundred repositories recur across a repository's workflows: each is compared with
// the popular list once (bounded, cleared when full).
const LOOKALIKE = new Map<string, string | undefined>();
const MAX_LOOKALIKE = 4096;

function lookalikeOf(repo: string): string | undefined {
  if (LOOKALIKE.has(repo)) return LOOKALIKE.get(repo);
  const owner = repo.split('/')[0];
  const popular = POPULAR_ACTIONS.find((p) => p.split('/')[0] !== owner && oneEditApart(repo, p));
  if (LOOKALIKE.size >= MAX_LOOKALIKE) LOOKALIKE.clear();
  LOOKALIKE.set(repo, popular);
  return popular;
}

export default defineRule<WorkflowAuditInput, 'lookalike'>({
  id: 'ci/typosquat-uses',
  title: 'Action name one typo away from a popular action',
  target: 'workflow',
  severity: 'high',
  confidence: 'low',
  equivalents: { zizmor: ['typosquat-uses'] },
  policy: 'Supply chain: typosquatting (CWE-1357, MITRE ATT&CK T1195.001)',
  messages: {
    lookalike:
      '`{{repo}}` is one character away from the popular `{{popular}}` but has a different owner; if it is a typo, whoever registers that name runs code in this workflow. Check the name (offline, torchward cannot tell whether the repository exists).',
  },
  check(ctx, { workflow }) {
    for (const { scalar } of usesSites(workflow)) {
      const ref = parseUses(scalar.text);
      if (ref.kind !== 'remote' || POPULAR.has(ref.repo)) continue;
      const popular = lookalikeOf(ref.repo);
      if (popular === undefined) continue;
      ctx.report({ messageId: 'lookalike', data: { repo: ref.repo, popular }, at: at(scalar) });
    }
  },
});
