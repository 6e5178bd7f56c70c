import { privilegedTriggers } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { YNode } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<
  WorkflowAuditInput,
  'writeAll' | 'readAll' | 'workflowWrite' | 'missingRisky' | 'missing'
>({
  id: 'ci/excessive-permissions',
  title: 'GITHUB_TOKEN has more permissions than the jobs need',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['excessive-permissions'] },
  policy: 'PyTorch P3, P6 (least privilege); OpenSSF Scorecard Token-Permissions',
  messages: {
    writeAll:
      '`write-all` gives every step write access to code, releases, packages and settings; list only the scopes each job needs.',
    readAll:
      '`read-all` at workflow level lets every job read every scope (code, packages, actions, security events, ...); list only the scopes the jobs need (`contents: read`).',
    workflowWrite:
      '`{{scope}}: write` at workflow level applies to every job, including ones that never need it; grant it on the job that does.',
    missingRisky:
      'No `permissions:` in a `{{trigger}}` workflow: jobs get the repository default token, which may be read-write, while handling outsider events. Add `permissions: {}` at the top and grant per job.',
    missing:
      'No `permissions:` block: jobs get the repository default token, which may be read-write. Add `permissions: {}` (or `contents: read`) at the top and grant per job.',
  },
  check(ctx, { workflow }) {
    if (workflow.kind !== 'workflow') return;
    const writeAll = (node: YNode | undefined): void => {
      if (node?.kind === 'scalar' && node.text === 'write-all') {
        ctx.report({ messageId: 'writeAll', at: at(node), severity: 'high' });
      }
    };
    writeAll(workflow.permissions);
    if (workflow.permissions?.kind === 'scalar' && workflow.permissions.text === 'read-all') {
      ctx.report({ messageId: 'readAll', at: at(workflow.permissions), severity: 'low' });
    }
    if (workflow.permissions?.kind === 'map') {
      for (const [scope, entry] of workflow.permissions.entries) {
        if (entry.value.kind === 'scalar' && entry.value.text === 'write') {
          ctx.report({ messageId: 'workflowWrite', data: { scope }, at: at(entry.key) });
        }
      }
    }
    for (const job of workflow.jobs) writeAll(job.permissions);
    if (workflow.permissions !== undefined) return;
    // A reusable workflow inherits its caller's token; the caller is where to restrict it.
    const triggers = [...workflow.triggers.keys()];
    if (triggers.length === 0 || triggers.every((t) => t === 'workflow_call')) return;
    // A reusable-workflow call passes the default token on; that is restricted only when the
    // called workflow (read, local) sets permissions at its top or on every job.
    const restricted = (job: (typeof workflow.jobs)[number]): boolean => {
      if (job.permissions !== undefined) return true;
      if (job.uses === undefined) return false;
      const callee = job.callee;
      return (
        callee !== undefined &&
        (callee.permissions !== undefined || callee.jobs.every((j) => j.permissions !== undefined))
      );
    };
    if (workflow.jobs.every(restricted)) return;
    // Only calls whose callee could not be read are left: whether it restricts is unknown.
    const onlyCalls = workflow.jobs.every(
      (job) => job.permissions !== undefined || job.uses !== undefined,
    );
    const risky = privilegedTriggers(workflow)[0];
    const anchor = workflow.root?.entries.get('on')?.key ?? workflow.root;
    if (anchor === undefined) return;
    if (risky !== undefined) {
      ctx.report({ messageId: 'missingRisky', data: { trigger: risky.text }, at: at(anchor) });
    } else {
      ctx.report({
        messageId: 'missing',
        at: at(anchor),
        severity: 'low',
        ...(onlyCalls ? { confidence: 'medium' as const } : {}),
      });
    }
  },
});
