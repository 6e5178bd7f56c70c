import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { findExpressions } from '../../workflows/expressions.js';
import { resolveCandidates } from '../../workflows/resolve.js';
import { isDigestImage, parseUses } from '../../workflows/uses.js';
import { getScalar } from '../../workflows/yaml-tree.js';
import type { YNode, YScalar } from '../../workflows/yaml-tree.js';
import type { Job } from '../../workflows/model.js';
import { defineRule } from '../define-rule.js';

/** `latest` when the image has no tag or the tag `latest`, `tag` for other tags, else undefined. */
function mutability(image: string): 'latest' | 'tag' | undefined {
  const trimmed = image.trim();
  if (trimmed === '' || isDigestImage(trimmed)) return undefined;
  const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  if (colon < 0 || name.slice(colon + 1) === 'latest') return 'latest';
  return 'tag';
}

function imageOf(node: YNode | undefined): YScalar | undefined {
  if (node?.kind === 'scalar') return node;
  return getScalar(node, 'image');
}

export default defineRule<WorkflowAuditInput, 'tag' | 'latest'>({
  id: 'ci/mutable-image-tag',
  title: 'Container image referenced by a mutable tag',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  policy: 'PyTorch P5 (Docker images by immutable reference); SLSA build L3 hermeticity',
  messages: {
    tag: 'Image `{{image}}` is referenced by a tag, which the registry owner can re-point; reference it by digest (`image@sha256:…`).',
    latest:
      'Image `{{image}}` has no tag or `latest`, so every run may get different software; reference it by digest (`image@sha256:…`).',
  },
  check(ctx, { workflow }) {
    const check = (scalar: YScalar | undefined, job: Job, image?: string): void => {
      if (scalar === undefined) return;
      const text = image ?? scalar.text;
      const values =
        findExpressions(text).length === 0 ? [text] : resolveCandidates(text, { job, workflow });
      for (const value of values ?? []) {
        if (findExpressions(value).length > 0) continue;
        const kind = mutability(value);
        if (kind === undefined) continue;
        ctx.report({
          messageId: kind,
          data: { image: value },
          at: { span: scalar.span, path: scalar.path },
          ...(kind === 'latest' ? { severity: 'high' as const } : {}),
        });
        return;
      }
    };
    for (const job of workflow.jobs) {
      check(imageOf(job.container), job);
      for (const entry of job.services?.entries.values() ?? []) check(imageOf(entry.value), job);
      for (const step of job.steps) {
        if (step.uses === undefined) continue;
        const ref = parseUses(step.uses.text);
        if (ref.kind === 'docker') check(step.uses, job, ref.image);
      }
      if (job.pseudo) {
        const image = getScalar(job.node, 'image');
        if (image?.text.startsWith('docker://') === true) {
          check(image, job, image.text.slice(9));
        }
      }
    }
  },
});
