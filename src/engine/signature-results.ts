import { isAbsolute, relative, sep } from 'node:path';
import type { SignatureCheck } from '../core/signature-check.js';
import { describeRuleFailure, type RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { loadRulesFor } from '../rules/families.js';
import type { FileResult } from './result.js';
import { worseVerdict, type Verdict } from '../core/finding.js';

/**
 * Judges the signature checks a caller ran (`ScanOptions.signatures`; `scan --require-signature`
 * runs `checkModelSignatures` first) with the `provenance/*` rules: one result per signature
 * file, carrying findings when the model is unsigned or badly signed, and the verified signer
 * otherwise. The engine verifies nothing here: provenance sits beside it, not under it.
 */
export async function judgeSignatures(
  checks: readonly SignatureCheck[],
  cwd: string,
  internalErrors: string[],
): Promise<FileResult[]> {
  const out: FileResult[] = [];
  const rules = await loadRulesFor('provenance');
  for (const check of checks) {
    const rel = relative(cwd, check.signaturePath);
    const display = (rel.startsWith('..') || isAbsolute(rel) ? check.signaturePath : rel)
      .split(sep)
      .join('/');
    const failures: RuleFailure[] = [];
    const findings = runRules(
      'provenance',
      rules,
      check,
      { uri: display, unit: 'byte', options: {} },
      failures,
    );
    internalErrors.push(...failures.map(describeRuleFailure));
    // A rule that failed did not judge the signature: it is not proven good. Neither is a check
    // that says it failed but that no rule reported on (a caller's hand-made result).
    let verdict: Verdict = failures.length > 0 || !check.ok ? 'invalid' : 'safe';
    for (const f of findings)
      if (f.verdict !== undefined) verdict = worseVerdict(verdict, f.verdict);
    out.push({
      path: display,
      format: 'oms-signature',
      verdict,
      findings,
      members: [],
      size: 0,
      provenance: {
        model: check.model,
        status: check.status,
        ...(check.signer === undefined ? {} : { signer: check.signer }),
      },
    });
  }
  return out;
}
