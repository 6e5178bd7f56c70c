import { LineIndex } from '../../core/line-index.js';
import type { RepoSnapshot } from '../../github/snapshot.js';
import { arr, bool, itemsOf, str } from '../../github/snapshot.js';
import { effectiveJobs } from '../ci/judge/effective-jobs.js';
import type { EffectiveJob } from '../ci/judge/effective-jobs.js';
import { calleePublishes, jobPublishes } from '../ci/judge/publishing.js';
import { EMPTY_INVENTORY } from '../../workflows/audit-input.js';
import type { RunnerInventory, WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { Job, WorkflowModel } from '../../workflows/model.js';
import { getScalar } from '../../workflows/yaml-tree.js';

/**
 * The runner inventory the repository's registered self-hosted runners give: custom labels of
 * ephemeral runners are ephemeral, those of any other runner persistent (a label shared by both
 * kinds may land on the persistent one, so it counts as persistent).
 */
export function apiRunnerInventory(snapshot: RepoSnapshot): RunnerInventory {
  const ephemeral = new Set<string>();
  const persistent = new Set<string>();
  for (const runner of itemsOf(snapshot.runners)) {
    const target = bool(runner, 'ephemeral') === true ? ephemeral : persistent;
    for (const label of arr(runner, 'labels')) {
      const name = str(label, 'name');
      // Read-only labels (self-hosted, Linux, X64) are on every runner and say nothing.
      if (name !== undefined && str(label, 'type') !== 'read-only') target.add(escapeGlob(name));
    }
  }
  for (const label of persistent) ephemeral.delete(label);
  return { ...EMPTY_INVENTORY, ephemeral: [...ephemeral], persistent: [...persistent] };
}

// Runner labels become globs in the inventory: a literal `*` or `?` in a label must not widen it.
function escapeGlob(label: string): string {
  return label.replace(/[*?]/g, '');
}

/** The jobs of every parsed workflow as they run (local reusable workflows expanded). */
export function repoJobs(
  snapshot: RepoSnapshot,
): { workflow: WorkflowModel; effective: EffectiveJob }[] {
  const runners = apiRunnerInventory(snapshot);
  const out: { workflow: WorkflowModel; effective: EffectiveJob }[] = [];
  for (const w of snapshot.workflows) {
    if (w.model === undefined) continue;
    const input: WorkflowAuditInput = { workflow: w.model, runners };
    for (const effective of effectiveJobs(input)) out.push({ workflow: w.model, effective });
  }
  return out;
}

/** A job that publishes, and the literal name of its environment (undefined: none or computed). */
export interface PublishJob {
  readonly workflow: WorkflowModel;
  readonly job: Job;
  readonly what: string;
  readonly environment: string | undefined;
  readonly computed: boolean;
}

/** Publishing jobs of every parsed workflow (the workflow audit's publish detection). */
export function publishJobs(snapshot: RepoSnapshot): PublishJob[] {
  const out: PublishJob[] = [];
  for (const w of snapshot.workflows) {
    if (w.model === undefined) continue;
    for (const job of w.model.jobs) {
      const evidence = jobPublishes(job) ?? calleePublishes(job);
      if (evidence === undefined) continue;
      const env = environmentName(job);
      out.push({ workflow: w.model, job, what: evidence.evidence.what, ...env });
    }
  }
  return out;
}

/** The environment a job names literally; `computed` when it is an expression. */
export function environmentName(job: Job): { environment: string | undefined; computed: boolean } {
  const node = job.environment;
  const scalar =
    node?.kind === 'scalar' ? node : node?.kind === 'map' ? getScalar(node, 'name') : undefined;
  const text = scalar?.text.trim() ?? '';
  if (text === '') return { environment: undefined, computed: false };
  if (text.includes('${{')) return { environment: undefined, computed: true };
  return { environment: text, computed: false };
}

/** `path:line` of an offset in a workflow, for messages that point from an API object to a file. */
export function fileLine(workflow: WorkflowModel, offset: number): string {
  return `${workflow.uri}:${new LineIndex(workflow.text).position(offset).line}`;
}
