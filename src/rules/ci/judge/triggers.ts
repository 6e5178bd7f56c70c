import { contextFor } from '../../../workflows/conditions.js';
import type { EventContext } from '../../../workflows/conditions.js';
import { Memo } from '../../../workflows/memo.js';
import type { WorkflowModel } from '../../../workflows/model.js';
import { scalarsUnder } from '../../../workflows/yaml-tree.js';
import type { YScalar } from '../../../workflows/yaml-tree.js';

// Triggers whose runs carry write tokens and secrets while acting on outside contributions, or
// that are not gated by the fork-PR approval setting (P1).
const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment'];
const PR_TRIGGERS = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
];
// Triggers that anyone can fire without the approval gate for first-time contributors.
const APPROVAL_BYPASS_TRIGGERS = [
  'issue_comment',
  'workflow_run',
  'issues',
  'discussion',
  'discussion_comment',
];

/** The privileged triggers of a workflow present in `on:`. */
export function privilegedTriggers(workflow: WorkflowModel): YScalar[] {
  return PRIVILEGED_TRIGGERS.flatMap((t) => {
    const node = workflow.triggers.get(t);
    return node === undefined ? [] : [node];
  });
}

/** Triggers that run code for outside contributors: PR events and approval-bypassing events. */
export function untrustedTriggers(workflow: WorkflowModel): { name: string; node: YScalar }[] {
  const out = [...PR_TRIGGERS, ...APPROVAL_BYPASS_TRIGGERS].flatMap((name) => {
    const node = workflow.triggers.get(name);
    return node === undefined ? [] : [{ name, node }];
  });
  const ciflow = ciflowTags(workflow)[0];
  if (ciflow !== undefined) out.push({ name: `push to ${ciflow.text} tags`, node: ciflow });
  return out;
}

/**
 * `push: tags: ciflow/...` patterns: PyTorch's bot pushes these tags for pull requests, so the
 * run builds PR code with push-event privileges.
 */
export function ciflowTags(workflow: WorkflowModel): YScalar[] {
  const push = workflow.on?.kind === 'map' ? workflow.on.entries.get('push')?.value : undefined;
  const tags = push?.kind === 'map' ? push.entries.get('tags')?.value : undefined;
  return scalarsUnder(tags).filter((tag) => tag.text.trim().startsWith('ciflow/'));
}

/**
 * The trigger contexts under which a workflow builds a release: `release` events, tag pushes
 * (other than PyTorch's `ciflow/*` PR tags), pushes to release or nightly branches. Empty when
 * the workflow has none.
 */
export function releaseContexts(workflow: WorkflowModel): EventContext[] {
  return RELEASE_CONTEXTS.cached(workflow, findReleaseContexts);
}

const RELEASE_CONTEXTS = new Memo<WorkflowModel, EventContext[]>('releaseContexts');

function findReleaseContexts(workflow: WorkflowModel): EventContext[] {
  const out: EventContext[] = [];
  if (workflow.triggers.has('release')) out.push(contextFor(workflow, 'release'));
  const push = workflow.on?.kind === 'map' ? workflow.on.entries.get('push')?.value : undefined;
  if (push?.kind !== 'map') return out;
  const tags = push.entries.get('tags')?.value;
  if (tags !== undefined) {
    const patterns = scalarsUnder(tags).map((t) => t.text.trim());
    const release = patterns.filter((t) => !t.startsWith('ciflow/'));
    if (patterns.length === 0) out.push({ event: 'push', ref: 'tag' });
    else if (release.length > 0) out.push({ event: 'push', ref: 'tag', tagPatterns: release });
  }
  const branches = push.entries.get('branches')?.value;
  if (scalarsUnder(branches).some((b) => /release|nightly/i.test(b.text))) {
    out.push({ event: 'push', ref: 'branch' });
  }
  return out;
}

/** Whether a workflow runs for releases: `release` events, tag pushes, release/nightly branches. */
export function isReleaseWorkflow(workflow: WorkflowModel): boolean {
  return releaseContexts(workflow).length > 0;
}

/** A trigger of the audited workflow with the context its runs have. */
export interface TriggerContext {
  readonly name: string;
  readonly node: YScalar;
  readonly ctx: EventContext;
}

/** The untrusted triggers (untrustedTriggers above) with their contexts. */
export function untrustedTriggerContexts(workflow: WorkflowModel): TriggerContext[] {
  return untrustedTriggers(workflow).map(({ name, node }) => ({
    name,
    node,
    ctx: name.startsWith('push to ')
      ? {
          event: 'push',
          ref: 'tag',
          tagPatterns: ciflowTags(workflow).map((t) => t.text.trim()),
        }
      : contextFor(workflow, name),
  }));
}

/** The privileged triggers (pull_request_target, workflow_run, issue_comment) with contexts. */
export function privilegedTriggerContexts(workflow: WorkflowModel): TriggerContext[] {
  return privilegedTriggers(workflow).map((node) => ({
    name: node.text,
    node,
    ctx: contextFor(workflow, node.text),
  }));
}
