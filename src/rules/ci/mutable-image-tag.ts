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

// `docker run` options that take a value (so the token after them is not the image).
const VALUE_FLAGS = new Set([
  '-v',
  '--volume',
  '-e',
  '--env',
  '--env-file',
  '-w',
  '--workdir',
  '--name',
  '--entrypoint',
  '-p',
  '--publish',
  '--network',
  '--net',
  '--platform',
  '-u',
  '--user',
  '--mount',
  '--gpus',
  '--shm-size',
  '--memory',
  '-m',
  '--cpus',
  '--ipc',
  '--cap-add',
  '--cap-drop',
  '--security-opt',
  '--label',
  '-l',
  '--pull',
  '--runtime',
  '--device',
  '--add-host',
  '--hostname',
  '-h',
  '--ulimit',
  '--tmpfs',
  '--cidfile',
  '--log-driver',
  '--restart',
  '--workdir',
  '--group-add',
  '--pid',
]);

const COMMAND_START = new Set(['&&', '||', ';', '|', 'sudo', 'then', 'do', 'exec', 'time', '(']);

/** Images named by `docker pull IMAGE` and `docker run [options] IMAGE` lines of a script. */
function scriptImages(script: string): string[] {
  const out: string[] = [];
  if (!script.includes('docker')) return out;
  for (const raw of script.split('\n')) {
    if (!raw.includes('docker')) continue;
    // `${{ … }}` holds spaces: collapse each expression into one variable-like token first.
    let line = '';
    let last = 0;
    for (const expression of findExpressions(raw)) {
      line += `${raw.slice(last, expression.start)}$EXPR`;
      last = expression.end;
    }
    line += raw.slice(last);
    const tokens = line.trim().split(/\s+/);
    for (let i = 0; i + 1 < tokens.length; i++) {
      // Only `docker` in command position (not `echo docker run …`).
      if (tokens[i] !== 'docker' || (i > 0 && !COMMAND_START.has(tokens[i - 1] ?? ''))) continue;
      const verb = tokens[i + 1];
      if (verb !== 'pull' && verb !== 'run') continue;
      let j = i + 2;
      while (j < tokens.length && (tokens[j] ?? '').startsWith('-')) {
        const flag = tokens[j] ?? '';
        j += VALUE_FLAGS.has(flag) ? 2 : 1;
      }
      const image = tokens[j];
      // Variables and expressions are judged where they are defined, not here.
      if (
        image !== undefined &&
        !image.includes('$') &&
        !image.includes('=') &&
        /^[\w./:@-]+$/.test(image)
      ) {
        out.push(image);
      }
    }
  }
  return out;
}

export default defineRule<WorkflowAuditInput, 'tag' | 'latest' | 'scriptTag'>({
  id: 'ci/mutable-image-tag',
  title: 'Container image referenced by a mutable tag',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['unpinned-images'] },
  policy: 'PyTorch P5 (Docker images by immutable reference); SLSA build L3 hermeticity',
  messages: {
    tag: 'Image `{{image}}` is referenced by a tag, which the registry owner can re-point; reference it by digest (`image@sha256:…`).',
    scriptTag:
      'This script runs image `{{image}}` by a tag the registry owner can re-point; pull it by digest (`image@sha256:…`).',
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
        // `${{ cond && 'img' || '' }}`: the empty result means "no container", not an image.
        if (findExpressions(value).length > 0 || value.trim() === '') continue;
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
        if (step.run !== undefined) {
          const image = scriptImages(step.run.text).find((i) => mutability(i) !== undefined);
          if (image !== undefined) {
            ctx.report({
              messageId: 'scriptTag',
              data: { image },
              at: { span: step.run.span, path: step.run.path },
              severity: 'low',
              // Read from shell text, and a tag pulled in a script is a code smell more than a
              // policy breach: shown in pedantic mode.
              confidence: 'medium',
              pedantic: true,
            });
          }
        }
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
