import { effectiveJobs, jobAnchor, jobMayRunUnder } from './judge/effective-jobs.js';
import { executesCheckout } from './judge/execution.js';
import { privilegedTriggerContexts } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { isCheckout, stepInput, stepsDeep } from '../../workflows/steps.js';
import type { DeepStep } from '../../workflows/steps.js';
import { contextRefs, findExpressions } from '../../workflows/expressions.js';
import type { Step } from '../../workflows/model.js';
import type { YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// References that name the base repository's own code even in privileged triggers.
const SAFE_REFS = new Set([
  'github.sha',
  'github.ref',
  'github.ref_name',
  'github.base_ref',
  'github.repository',
  'github.event.repository.default_branch',
  'github.event.repository.full_name',
  'github.event.pull_request.base.sha',
  'github.event.pull_request.base.ref',
  'github.event.pull_request.base.repo.full_name',
]);

// Shell ways to fetch PR code: gh pr checkout, refs/pull/N, a git checkout of an expression.
const GH_PR_CHECKOUT = /\bgh\s+pr\s+checkout\b/;
const GIT_FETCH = /\bgit\s+(?:fetch|checkout|switch|pull)\b/;

/** Line by line, each searched once from the git command on (linear on hostile lines). */
function shellChecksOutPr(script: string): boolean {
  if (!script.includes('gh') && !script.includes('git')) return false;
  for (const line of script.split('\n')) {
    if (GH_PR_CHECKOUT.test(line)) return true;
    const git = GIT_FETCH.exec(line);
    if (git !== null && (line.includes('pull/', git.index) || line.includes('${{', git.index))) {
      return true;
    }
  }
  return false;
}

/** The scalar that makes a step fetch PR code, or undefined. */
function untrustedCheckout(step: Step): YScalar | undefined {
  if (isCheckout(step)) {
    for (const input of ['ref', 'repository']) {
      const value = stepInput(step, input);
      if (value === undefined) continue;
      for (const expression of findExpressions(value.text)) {
        // poutine's rule: any computed ref is suspect (a step output can carry refs/pull/N/merge,
        // which Scorecard's literal-text match misses), except references to the base repository.
        const refs = contextRefs(expression.body);
        if (refs.length === 0 || refs.some((r) => !SAFE_REFS.has(r.path))) return value;
      }
      if (value.text.trim().startsWith('refs/pull/')) return value;
    }
    return undefined;
  }
  if (step.run !== undefined && shellChecksOutPr(step.run.text)) return step.run;
  return undefined;
}

export default defineRule<WorkflowAuditInput, 'checkoutExec'>({
  id: 'ci/untrusted-checkout-exec',
  title: 'Pull-request code checked out and run in a privileged workflow',
  target: 'workflow',
  severity: 'critical',
  confidence: 'high',
  equivalents: { zizmor: [] },
  policy: 'PyTorch P1, P6, P4; CWE-829 ("pwn request")',
  messages: {
    checkoutExec:
      "Under `{{trigger}}` this job checks out pull-request code (`{{ref}}`) and then builds or runs it (step {{exec}}) with the base repository's secrets and write token; run PR code only in `pull_request` workflows without secrets.",
  },
  check(ctx, input) {
    const triggers = privilegedTriggerContexts(input.workflow);
    if (triggers.length === 0) return;
    for (const effective of effectiveJobs(input)) {
      // The first privileged trigger this job runs under (its `if:` may exclude them all).
      const trigger = triggers.find((t) => jobMayRunUnder(effective, t.ctx))?.node;
      if (trigger === undefined) continue;
      const steps = stepsDeep(effective.job);
      let checkout: { deep: DeepStep; scalar: YScalar } | undefined;
      for (const deep of steps) {
        if (checkout === undefined) {
          const scalar = untrustedCheckout(deep.step);
          if (scalar !== undefined) checkout = { deep, scalar };
          continue;
        }
        if (!executesCheckout(deep.step)) continue;
        const local = effective.via === undefined && checkout.deep.step === checkout.deep.at;
        const primary = local
          ? at(checkout.scalar)
          : effective.via === undefined
            ? at(checkout.deep.at.node)
            : jobAnchor(effective);
        const execAt = effective.via === undefined ? deep.at.node : undefined;
        const execName = deep.step.name?.text ?? String(deep.step.index + 1);
        ctx.report({
          messageId: 'checkoutExec',
          data: {
            trigger: trigger.text,
            ref: checkout.scalar.text.trim(),
            exec: `\`${execName}\``,
          },
          at: primary,
          // A ref named after the PR head is PR code for certain; another computed ref may be.
          confidence: /pull_request\.head|refs\/pull|head_ref|head_sha|head\.sha|pr checkout/i.test(
            checkout.scalar.text,
          )
            ? 'high'
            : 'medium',
          related: [
            at(trigger, 'privileged trigger'),
            ...(execAt === undefined ? [] : [at(execAt, 'PR code executed here')]),
          ],
        });
        break;
      }
    }
  },
});
