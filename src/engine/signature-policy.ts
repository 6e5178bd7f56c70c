import { isAbsolute, relative, sep } from 'node:path';
import type { Limits } from '../core/limits.js';
import { checkModelSignature, type SignaturePolicy } from '../provenance/policy.js';
import { describeRuleFailure, type RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { loadRulesFor } from '../rules/families.js';
import type { FileResult } from './result.js';
import { worseVerdict, type Verdict } from '../core/finding.js';

/**
 * `scan --require-signature`: checks each model path (file or folder) against the signature
 * policy and returns one result per signature file, carrying `provenance/*` findings when the
 * model is unsigned or badly signed, and the verified signer otherwise.
 */
export async function checkSignatures(
  paths: readonly string[],
  policy: SignaturePolicy,
  limits: Limits,
  cwd: string,
  internalErrors: string[],
): Promise<FileResult[]> {
  const out: FileResult[] = [];
  const rules = await loadRulesFor('provenance');
  for (const path of paths) {
    const check = await checkModelSignature(path, policy, limits);
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
    // A rule that failed did not judge the signature: it is not proven good.
    let verdict: Verdict = failures.length > 0 ? 'invalid' : 'safe';
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
        model: path,
        status: check.status,
        ...(check.signer === undefined ? {} : { signer: check.signer }),
      },
    });
  }
  return out;
}
