import type { Span } from '../../core/finding.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction } from '../../workflows/steps.js';
import { CODE_SINK_INPUTS, DOCKER_STEP_CODE_INPUTS } from '../../workflows/code-sinks.js';
import { flowingContexts } from '../../workflows/expression-ast.js';
import {
  contextRefs,
  findExpressions,
  isAttackerControlled,
  isAttackerObject,
} from '../../workflows/expressions.js';
import type { Job, Step, WorkflowModel } from '../../workflows/model.js';
import { parseUses } from '../../workflows/uses.js';
import { expressionAst } from '../../workflows/workflow-scans.js';
import { scalarsUnder } from '../../workflows/yaml-tree.js';
import type { YMap, YNode, YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

type MessageId = 'run' | 'script' | 'codeInput' | 'actionInput' | 'smell';

interface Sink {
  readonly scalar: YScalar;
  readonly messageId: 'run' | 'script' | 'codeInput';
  readonly input?: string;
  readonly action?: string;
}

/** The step's text that runs as shell or code: `run:`, and code inputs of known actions. */
function sinksOf(step: Step): Sink[] {
  const out: Sink[] = [];
  if (step.run !== undefined) out.push({ scalar: step.run, messageId: 'run' });
  if (step.uses === undefined || step.with === undefined) return out;
  const action = stepAction(step);
  let inputs: readonly string[] | undefined;
  if (action !== undefined) {
    // `owner/repo/sub/path` actions match their own entry first, then the repository's.
    inputs =
      CODE_SINK_INPUTS.get(action) ?? CODE_SINK_INPUTS.get(action.split('/').slice(0, 2).join('/'));
  } else if (parseUses(step.uses.text).kind === 'docker') {
    inputs = DOCKER_STEP_CODE_INPUTS;
  }
  for (const input of inputs ?? []) {
    // Inputs are matched as the action spells them, and case-insensitively as the runner does.
    const entry = [...step.with.entries].find(([key]) => key.toLowerCase() === input.toLowerCase());
    const value = entry?.[1].value;
    if (value?.kind !== 'scalar') continue;
    out.push({
      scalar: value,
      messageId: action === 'actions/github-script' ? 'script' : 'codeInput',
      input: entry?.[0] ?? input,
      action: action ?? step.uses.text,
    });
  }
  return out;
}

/**
 * The context paths of one expression whose text can reach its value: parsed when possible
 * (so comparisons, `contains()` and literal-only ternary arms drop out), otherwise every
 * reference (the conservative reading).
 */
function flowing(workflow: WorkflowModel, body: string): { path: string; viaToJson: boolean }[] {
  const ast = expressionAst(workflow, body);
  if (ast !== undefined) return flowingContexts(ast);
  return contextRefs(body).map((r) => ({ path: r.path, viaToJson: /\btojson\s*\(/i.test(body) }));
}

/** The attacker-controlled contexts among `flows`, as they appear in the expression. */
function attackerPaths(flows: readonly { path: string; viaToJson: boolean }[]): string[] {
  return flows
    .filter((f) => isAttackerControlled(f.path) || (f.viaToJson && isAttackerObject(f.path)))
    .map((f) => f.path);
}

/** Attacker-controlled contexts inside the expressions of a scalar's text. */
function attackerIn(workflow: WorkflowModel, scalar: YScalar): string[] {
  const out: string[] = [];
  for (const expression of findExpressions(scalar.text)) {
    out.push(...attackerPaths(flowing(workflow, expression.body)));
  }
  return out;
}

/**
 * What an `env.NAME` or `matrix.KEY` reference carries from attacker-controlled contexts: the
 * nearest `env:` that defines NAME (step, then job, then workflow), or every value the matrix
 * gives KEY (its list and `include:` entries). `env.X (from github.event.issue.title)`.
 */
function indirect(path: string, step: Step, job: Job, workflow: WorkflowModel): string[] {
  const [root, name] = path.split('.');
  if (name === undefined) return [];
  let values: YScalar[] = [];
  if (root === 'env') {
    const scopes: (YMap | undefined)[] = [step.env, job.env, workflow.env];
    for (const env of scopes) {
      // Expression property names are case-insensitive (and arrive lower-cased).
      const entry = [...(env?.entries.entries() ?? [])].find(
        ([k]) => k.toLowerCase() === name,
      )?.[1];
      if (entry === undefined) continue;
      values = scalarsUnder(entry.value);
      break;
    }
  } else if (root === 'matrix' && job.matrix?.kind === 'map') {
    const get = (map: YMap): YNode | undefined =>
      [...map.entries.entries()].find(([k]) => k.toLowerCase() === name)?.[1].value;
    values = scalarsUnder(get(job.matrix));
    const include = job.matrix.entries.get('include')?.value;
    if (include?.kind === 'seq') {
      for (const item of include.items) {
        if (item.kind === 'map') values.push(...scalarsUnder(get(item)));
      }
    }
  }
  const sources = [...new Set(values.flatMap((v) => attackerIn(workflow, v)))];
  return sources.length === 0 ? [] : [`${root}.${name}\u0000${sources.join(', ')}`];
}

export default defineRule<WorkflowAuditInput, MessageId>({
  id: 'ci/script-injection',
  title: 'Attacker-controlled context expanded into a script',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['template-injection'] },
  policy: 'PyTorch P1, P6; CWE-78 (OS command injection), CWE-94 (code injection)',
  messages: {
    actionInput:
      '`${{ {{context}} }}` is whatever the calling workflow passes (in PR workflows often a branch name or title) and is pasted into this shell script; pass it through `env:` and quote "$VAR".',
    run: '`${{ {{context}} }}`{{via}} is text anyone can choose (a title, body or branch name) and is pasted into this shell script before it runs; pass it through `env:` and quote "$VAR" instead.',
    script:
      '`${{ {{context}} }}`{{via}} is text anyone can choose and is pasted into this github-script code; read it from `context.payload` or `process.env` instead.',
    codeInput:
      '`${{ {{context}} }}`{{via}} is text anyone can choose and is pasted into input `{{input}}` of `{{action}}`, which runs it as code or shell; pass it through `env:` and read the variable there instead.',
    smell:
      '`${{ {{expression}} }}` is pasted into code before it runs; nothing in it looks attacker-controlled, but any expression in a script is one refactor away from an injection. Pass it through `env:` and use the variable.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        for (const sink of sinksOf(step)) {
          const { scalar } = sink;
          const raw = workflow.text.slice(scalar.span.start, scalar.span.end);
          for (const expression of findExpressions(raw)) {
            const span: Span = {
              start: scalar.span.start + expression.start,
              end: scalar.span.start + expression.end,
            };
            const flows = flowing(workflow, expression.body);
            // One finding per expression, naming every attacker-controlled context in it, also
            // through an `env:` variable or matrix value that holds one.
            // (Collected into the set by loops: spreading the helpers' arrays made V8 throw away
            // this function's optimised code once per run, on an array shape it had not seen.)
            const attackerSet = new Set(attackerPaths(flows));
            for (const f of flows) {
              if (!f.path.startsWith('env.') && !f.path.startsWith('matrix.')) continue;
              for (const source of indirect(f.path, step, job, workflow)) attackerSet.add(source);
            }
            const attacker = [...attackerSet];
            const data = {
              input: sink.input ?? '',
              action: sink.action ?? '',
            };
            if (attacker.length > 0) {
              // An `env.`/`matrix.` reference names where its value comes from.
              const sources = attacker.flatMap((a) => a.split('\u0000').slice(1));
              ctx.report({
                messageId: sink.messageId,
                data: {
                  ...data,
                  context: attacker.map((a) => a.split('\u0000')[0]).join(', '),
                  via: sources.length === 0 ? '' : ` (set from \`${sources.join(', ')}\`)`,
                },
                at: { span, path: scalar.path },
              });
              continue;
            }
            const inputs = flows.filter((f) => f.path.startsWith('inputs.')).map((f) => f.path);
            if (workflow.kind === 'action' && inputs.length > 0) {
              // A composite action cannot know who fills its inputs (ultralytics/actions, 2024).
              ctx.report({
                messageId: 'actionInput',
                data: { context: [...new Set(inputs)].join(', ') },
                at: { span, path: scalar.path },
                severity: 'medium',
                // Whether a caller passes outsider text is unknown here: most pass constants.
                confidence: 'low',
              });
              continue;
            }
            if (ctx.options.pedantic === true) {
              // zizmor's pedantic persona: any expression in code is a code smell.
              ctx.report({
                messageId: 'smell',
                data: { expression: expression.body.trim().replace(/\s+/g, ' ').slice(0, 80) },
                at: { span, path: scalar.path },
                severity: 'low',
                pedantic: true,
              });
            }
          }
        }
      }
    }
  },
});
