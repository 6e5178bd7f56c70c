import type { Span } from '../core/finding.js';
import { contextRefs, findExpressions } from './expressions.js';
import type { MEMO, MemoStore } from './memo.js';
import type { WorkflowModel } from './model.js';
import type { ForbiddenUsesPolicy } from './forbidden-uses.js';
import type { YPath } from './yaml-tree.js';

// The input model of the `ci/*` rules and the locating helpers they share. Judgement (runner
// classes, trigger roles, publishing, releases, secrets) is the rules' own: src/rules/ci/judge/.

/** What every `ci/*` rule receives: the located file and the runner inventory. */
export interface WorkflowAuditInput {
  readonly workflow: WorkflowModel;
  readonly runners: RunnerInventory;
  /** The configured `forbidden-uses` allow or deny list, when there is one. */
  readonly forbiddenUses?: ForbiddenUsesPolicy;
  /** Memoised facts (workflows/memo.ts); created on first use when absent. */
  readonly [MEMO]?: MemoStore;
}

/** A report target for a located node. */
export function at(
  node: { readonly span: Span; readonly path: YPath },
  label?: string,
): {
  span: Span;
  path: YPath;
  label?: string;
} {
  return label === undefined
    ? { span: node.span, path: node.path }
    : { span: node.span, path: node.path, label };
}

/** What the audit knows about runner labels, from configuration and repository hints. */
export interface RunnerInventory {
  /** Label globs declared ephemeral (torchward.yml `runners.ephemeral`). */
  readonly ephemeral: readonly string[];
  /** Label globs declared persistent (torchward.yml `runners.persistent`). */
  readonly persistent: readonly string[];
  /** Self-hosted labels listed in `.github/actionlint.yaml` (hints, globs). */
  readonly selfHosted: readonly string[];
  /** Labels `.github/scale-config.yml` marks `is_ephemeral: true` / `false` (exact names). */
  readonly scaleEphemeral?: readonly string[];
  readonly scalePersistent?: readonly string[];
}

/** An inventory with nothing configured. */
export const EMPTY_INVENTORY: RunnerInventory = Object.freeze({
  ephemeral: [],
  persistent: [],
  selfHosted: [],
});

/** A context reference and the `${{ }}` expression holding it. */
export interface ContextSpan {
  readonly path: string;
  readonly expression: Span;
  readonly body: string;
}

/** Context references (with absolute spans) in every `${{ }}` of a source range. */
export function refsIn(text: string, span: Span): ContextSpan[] {
  const raw = text.slice(span.start, span.end);
  const out: ContextSpan[] = [];
  for (const expression of findExpressions(raw)) {
    for (const ref of contextRefs(expression.body)) {
      out.push({
        path: ref.path,
        body: expression.body,
        expression: { start: span.start + expression.start, end: span.start + expression.end },
      });
    }
  }
  return out;
}
