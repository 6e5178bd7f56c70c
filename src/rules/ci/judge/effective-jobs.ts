import type { Span } from '../../../core/finding.js';
import { at } from '../../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../../workflows/audit-input.js';
import { mayRun } from '../../../workflows/conditions.js';
import type { EventContext } from '../../../workflows/conditions.js';
import { Memo } from '../../../workflows/memo.js';
import type { Job, WorkflowModel } from '../../../workflows/model.js';
import { stepsDeep } from '../../../workflows/steps.js';
import type { YMap, YPath } from '../../../workflows/yaml-tree.js';

import { classifyRunsOn } from './runners.js';
import type { RunnerClass } from './runners.js';

/** A job as it runs: either a job of this file, or a job of a local reusable workflow it calls. */
export interface EffectiveJob {
  readonly job: Job;
  readonly workflow: WorkflowModel;
  /** The calling job in the audited file when `job` belongs to a reusable workflow. */
  readonly via: Job | undefined;
  readonly callerWith: YMap | undefined;
  readonly runner: RunnerClass;
}

// Work on expanded reusable workflows per audited file, counted in callee jobs plus their steps:
// thousands of callers of one large reusable workflow would otherwise multiply the work; past
// the cap a caller is judged as itself (its `uses:` only).
const MAX_EXPANDED_WORK = 20_000;

const EFFECTIVE = new Memo<WorkflowAuditInput, readonly EffectiveJob[]>('effectiveJobs');

/**
 * The jobs of a workflow with local reusable workflows expanded one level, runners classified.
 * Memoised per input: several rules ask, and the model does not change while rules run.
 */
export function effectiveJobs(input: WorkflowAuditInput): readonly EffectiveJob[] {
  return EFFECTIVE.cached(input, expandJobs);
}

function expandJobs(input: WorkflowAuditInput): readonly EffectiveJob[] {
  const out: EffectiveJob[] = [];
  let expanded = 0;
  for (const job of input.workflow.jobs) {
    if (job.pseudo) continue;
    const callee = job.callee;
    const cost = callee === undefined ? 0 : calleeCost(callee);
    if (callee !== undefined && expanded + cost <= MAX_EXPANDED_WORK) {
      expanded += cost;
      for (const inner of callee.jobs) {
        const runner = classifyRunsOn(
          inner.runsOn,
          { job: inner, workflow: callee, callerWith: job.with },
          input.runners,
        );
        out.push({ job: inner, workflow: callee, via: job, callerWith: job.with, runner });
      }
      continue;
    }
    const runner = classifyRunsOn(job.runsOn, { job, workflow: input.workflow }, input.runners);
    out.push({ job, workflow: input.workflow, via: undefined, callerWith: undefined, runner });
  }
  return out;
}

function calleeCost(callee: WorkflowModel): number {
  return callee.jobs.reduce((n, job) => n + 1 + stepsDeep(job).length, 0);
}

/** Where to report something about an effective job: its key, or the calling job's `uses:`. */
export function jobAnchor(effective: EffectiveJob): { span: Span; path: YPath } {
  const via = effective.via;
  if (via?.uses !== undefined) return at(via.uses);
  return at(effective.job.key);
}

/** Where to report its runner: `runs-on:`, or the calling job's `uses:` for a reusable workflow. */
export function runnerAnchor(effective: EffectiveJob): { span: Span; path: YPath } {
  if (effective.via !== undefined) return jobAnchor(effective);
  const runsOn = effective.job.runsOn;
  return runsOn === undefined ? at(effective.job.key) : at(runsOn);
}

/** A human description of a runner class, for messages. */
export function describeRunner(runner: RunnerClass): string {
  switch (runner.reason) {
    case 'config':
      return `\`${runner.labels}\` (declared persistent in torchward.yml)`;
    case 'name-hint':
      return `\`${runner.labels}\` (non-ephemeral by its name)`;
    case 'scale-config':
      return `\`${runner.labels}\` (is_ephemeral: false in .github/scale-config.yml)`;
    case 'actionlint':
      return `\`${runner.labels}\` (a self-hosted label in .github/actionlint.yaml)`;
    case 'self-hosted':
      return `\`${runner.labels}\` (self-hosted)`;
    case 'unknown-label':
      return `\`${runner.labels}\` (an unrecognised label: it may be a persistent self-hosted runner; declare it in torchward.yml \`runners:\`)`;
    case 'group':
      return `\`${runner.labels}\` (a runner group: GitHub-hosted larger runners or self-hosted machines; declare it in torchward.yml \`runners:\`)`;
    case 'github-hosted':
    case 'larger-runner':
    case 'arc':
    case 'third-party-ephemeral':
    case 'expression':
    case 'no-runner':
      return `\`${runner.labels}\``;
  }
}

/** Whether an effective job's `if:` (and its caller's) may hold under `ctx`. */
export function jobMayRunUnder(
  effective: Pick<EffectiveJob, 'job' | 'via'>,
  ctx: EventContext,
): boolean {
  return mayRun(effective.via?.if, ctx) && mayRun(effective.job.if, ctx);
}
