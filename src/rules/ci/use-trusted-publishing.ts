import { secretRefs } from './judge/secrets.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction, stepCommands, stepInput } from '../../workflows/steps.js';
import type { Job, WorkflowModel } from '../../workflows/model.js';
import type { YNode } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

const PUBLISH_VERBS = /\b(?:publish|upload|push)\b/;

const DRY_RUN = new Set(['--dry-run', '--dryrun']);

/**
 * Whether one shell command publishes to a package index that supports trusted publishing:
 * `cargo|uv|poetry|hatch|pdm|npm|pnpm|bun publish`, `yarn [npm] publish`, `bunx npm publish`,
 * `twine upload` (also through `python -m`, `uv run`, `uvx`, `pipx run`), `gem push`
 * (`bundle exec gem push`), `nuget push`, `dotnet nuget push`. Rehearsals (`--dry-run`, cargo
 * and yarn `-n`) do not publish.
 */
export function publishCommand(words: readonly string[]): boolean {
  const [program = '', ...args] = words;
  const cmd = program.split('/').pop() ?? '';
  const has = (w: string): boolean => args.includes(w);
  const dry = args.some((a) => DRY_RUN.has(a));
  const twine = args.some(
    (a) => a === 'twine' || a.startsWith('twine==') || a.startsWith('twine@'),
  );
  switch (cmd) {
    case 'cargo':
      return has('publish') && !dry && !has('-n');
    case 'uv':
      return (has('publish') && !dry) || (twine && has('upload'));
    case 'uvx':
      return twine && has('upload');
    case 'hatch':
    case 'pdm':
    case 'poetry':
      return has('publish') && !dry;
    case 'twine':
      return has('upload');
    case 'pipx':
      return has('run') && twine && has('upload');
    case 'gem':
      return has('push');
    case 'bundle':
      return has('exec') && has('gem') && has('push');
    case 'npm':
    case 'pnpm':
    case 'bun':
      return has('publish') && !dry;
    case 'yarn':
      return has('publish') && !dry && !has('-n');
    case 'bunx':
      return args.some((a) => a === 'npm' || a.startsWith('npm@')) && has('publish') && !dry;
    case 'nuget':
    case 'nuget.exe':
      return has('push');
    case 'dotnet':
      return has('nuget') && has('push');
    default:
      // `python -m twine upload`, `python3.12 -m twine upload`.
      return (
        /^python(?:\d+(?:\.\d+)?)?(?:\.exe)?$/.test(cmd) && has('-m') && twine && has('upload')
      );
  }
}

/** Whether a `permissions:` value grants `id-token: write` (`write-all` included). */
function grantsIdToken(permissions: YNode | undefined): boolean {
  if (permissions === undefined) return false;
  if (permissions.kind === 'scalar') return permissions.text.trim() === 'write-all';
  if (permissions.kind !== 'map') return false;
  const value = permissions.entries.get('id-token')?.value;
  return value?.kind === 'scalar' && value.text.trim() === 'write';
}

/** The job's effective `id-token` grant: its own `permissions:`, else the workflow's. */
function hasIdToken(job: Job, workflow: WorkflowModel): boolean {
  return grantsIdToken(job.permissions ?? workflow.permissions);
}

// Package indexes that accept OIDC trusted publishing, and how a token-based upload looks.
const TOKEN_COMMANDS =
  /\btwine\s+upload\b|\b(?:uv|poetry|hatch|pdm|flit)\s+publish\b|\bcargo\s+publish\b|\bgem\s+push\b|\bnpm\s+publish\b/;

/** Every TOKEN_COMMANDS match holds one of these words; substring tests are cheaper. */
function mayHoldTokenCommand(text: string): boolean {
  return text.includes('upload') || text.includes('publish') || text.includes('push');
}

export default defineRule<WorkflowAuditInput, 'token' | 'noIdToken'>({
  id: 'ci/use-trusted-publishing',
  title: 'Package published with a stored token instead of trusted publishing',
  target: 'workflow',
  severity: 'info',
  confidence: 'medium',
  equivalents: { zizmor: ['use-trusted-publishing'] },
  policy: 'PyTorch P10 (upload credentials are never repository secrets)',
  messages: {
    token:
      'This upload uses a stored token (`{{secret}}`); the index supports OIDC trusted publishing, which needs no long-lived credential (`permissions: id-token: write` and no password).',
    noIdToken:
      '`{{command}}` publishes from a job without `permissions: id-token: write`, so it cannot use OIDC trusted publishing and must hold a long-lived credential; the index supports trusted publishing.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        const name = stepAction(step);
        if (name === 'pypa/gh-action-pypi-publish' && step.uses !== undefined) {
          const password = stepInput(step, 'password');
          const secret =
            password === undefined ? undefined : secretRefs(password, workflow.text)[0];
          if (secret !== undefined) {
            ctx.report({
              messageId: 'token',
              data: { secret: secret.name },
              at: at(step.uses),
            });
          }
          continue;
        }
        if (step.run === undefined) continue;
        const secret =
          mayHoldTokenCommand(step.run.text) && TOKEN_COMMANDS.test(step.run.text)
            ? (secretRefs(step.node, workflow.text)[0] ?? secretRefs(job.env, workflow.text)[0])
            : undefined;
        if (secret !== undefined) {
          ctx.report({
            messageId: 'token',
            data: { secret: secret.name },
            at: at(step.run),
          });
          continue;
        }
        // A composite action cannot see its caller's permissions: workflows only, as zizmor.
        if (workflow.kind !== 'workflow' || hasIdToken(job, workflow)) continue;
        // Every publishing command has one of these words: most scripts need no splitting.
        if (!PUBLISH_VERBS.test(step.run.text)) continue;
        const command = stepCommands(step).find(publishCommand);
        if (command !== undefined) {
          ctx.report({
            messageId: 'noIdToken',
            data: { command: command.join(' ').slice(0, 80) },
            at: at(step.run),
            confidence: 'high',
          });
        }
      }
    }
  },
});
