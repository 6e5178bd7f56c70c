import { Memo } from './memo.js';
import type { Job, Step } from './model.js';
import { shellCommands } from './uses-sites.js';
import { actionName } from './uses.js';
import { getScalar } from './yaml-tree.js';
import type { YScalar } from './yaml-tree.js';

// Facts of the workflow model about jobs and steps: composite actions expanded, a step's action
// name and inputs, its shell commands. What a step or job *is for* (publishing, building a
// release, running checked-out code) is the ci rules' judgement: src/rules/ci/judge/.

/** A step reached from a job, and the step of the job itself that leads to it (for reports). */
export interface DeepStep {
  readonly step: Step;
  /** The step in the audited file: `step` itself, or the `uses: ./action` step that contains it. */
  readonly at: Step;
}

// Composite actions may call composite actions; three levels cover real repositories, and the
// loader only attaches models it parsed within limits.
const MAX_ACTION_DEPTH = 3;
// Expanded steps per job: real jobs have dozens; a crafted file whose every step calls one huge
// action would otherwise grow quadratically.
const MAX_DEEP_STEPS = 4096;

const DEEP_STEPS = new Memo<Job, readonly DeepStep[]>('stepsDeep');

/** The job's steps with the steps of local composite actions expanded in place (memoised). */
export function stepsDeep(job: Job): readonly DeepStep[] {
  return DEEP_STEPS.cached(job, expandSteps);
}

function expandSteps(job: Job): readonly DeepStep[] {
  const out: DeepStep[] = [];
  const visit = (steps: readonly Step[], at: Step | undefined, depth: number): void => {
    for (const step of steps) {
      const top = at ?? step;
      out.push({ step, at: top });
      const inner = step.action?.jobs[0];
      // Every step may call the same large composite action: cap the expansion, not the file.
      if (inner !== undefined && depth < MAX_ACTION_DEPTH && out.length < MAX_DEEP_STEPS) {
        visit(inner.steps, top, depth + 1);
      }
    }
  };
  visit(job.steps, undefined, 0);
  return out;
}

const ACTION_NAMES = new Memo<Step, string | undefined>('stepAction');

/** Lower-cased action name of a step (`actions/checkout`), or undefined for run/local steps. */
export function stepAction(step: Step): string | undefined {
  return ACTION_NAMES.cached(step, usesAction);
}

function usesAction(step: Step): string | undefined {
  return step.uses === undefined ? undefined : actionName(step.uses.text);
}

/** A scalar `with:` input of a step. */
export function stepInput(step: Step, name: string): YScalar | undefined {
  return getScalar(step.with, name);
}

/** Whether a step is `actions/checkout`. */
export function isCheckout(step: Step): boolean {
  return stepAction(step) === 'actions/checkout';
}

/** Whether the job passes `secrets: inherit` to a reusable workflow. */
export function inheritsSecrets(job: Job): YScalar | undefined {
  return job.secrets?.kind === 'scalar' && job.secrets.text === 'inherit' ? job.secrets : undefined;
}

const STEP_COMMANDS = new Memo<Step, readonly (readonly string[])[]>('stepCommands');

/**
 * The words of each shell command of a step's `run:` script (shellCommands), memoised per step:
 * several rules read them, and splitting every script is a measurable share of an audit.
 */
export function stepCommands(step: Step): readonly (readonly string[])[] {
  return STEP_COMMANDS.cached(step, (s) => (s.run === undefined ? [] : shellCommands(s.run.text)));
}

/** Whether the job has a non-empty `environment:` (a name, a mapping with a name, or an expression). */
export function hasEnvironment(job: Job): boolean {
  const env = job.environment;
  if (env === undefined) return false;
  if (env.kind === 'scalar') return env.text.trim() !== '';
  if (env.kind === 'map') return (getScalar(env, 'name')?.text.trim() ?? '') !== '';
  return false;
}
