import type { Span } from '../../../core/finding.js';
import { contextRefs, findExpressions } from '../../../workflows/expressions.js';
import { Memo } from '../../../workflows/memo.js';
import type { Job } from '../../../workflows/model.js';
import { scalarsUnder } from '../../../workflows/yaml-tree.js';
import type { YNode, YScalar } from '../../../workflows/yaml-tree.js';

/** A `secrets.NAME` reference in a scalar, located in the source text. */
export interface SecretRef {
  /** Upper-cased secret name, `toJSON(secrets)` or `secrets[…]` for whole or computed access. */
  readonly name: string;
  readonly scalar: YScalar;
  readonly span: Span;
}

/**
 * Repository or organisation secret references under `node` (GITHUB_TOKEN excluded: it is minted
 * per run). Spans are the `${{ … }}` expression in the file text.
 */
export function secretRefs(node: YNode | undefined, text: string): readonly SecretRef[] {
  return node === undefined ? [] : findSecretRefs(node, text);
}

/** secretRefs of a whole job, memoised per job: several rules ask about the same one. */
export function jobSecretRefs(job: Job, text: string): readonly SecretRef[] {
  const known = JOB_SECRET_REFS.get(job);
  if (known?.text === text) return known.refs;
  const refs = findSecretRefs(job.node, text);
  JOB_SECRET_REFS.set(job, { text, refs });
  return refs;
}

const SECRETS_WORD = /secrets/i;

/**
 * Whether `text` may reference secrets: the word in any case (expressions are case-insensitive,
 * `SECRETS.X` is the same secret). A cheap pre-filter before the expression scanner.
 */
export function mentionsSecrets(text: string): boolean {
  return SECRETS_WORD.test(text);
}

const JOB_SECRET_REFS = new Memo<Job, { text: string; refs: readonly SecretRef[] }>(
  'jobSecretRefs',
);

function findSecretRefs(node: YNode, text: string): SecretRef[] {
  const out: SecretRef[] = [];
  for (const scalar of scalarsUnder(node)) {
    if (!mentionsSecrets(scalar.text)) continue;
    const raw = text.slice(scalar.span.start, scalar.span.end);
    for (const expression of findExpressions(raw)) {
      for (const ref of contextRefs(expression.body)) {
        const [head, name] = ref.path.split('.');
        if (head !== 'secrets') continue;
        if (name === 'github_token') continue;
        out.push({
          // `toJSON(secrets)` and `secrets[expr]` hand over every secret or an unknown one.
          name:
            name === undefined
              ? 'toJSON(secrets)'
              : name === '*'
                ? 'secrets[…]'
                : name.toUpperCase(),
          scalar,
          span: {
            start: scalar.span.start + expression.start,
            end: scalar.span.start + expression.end,
          },
        });
      }
    }
  }
  return out;
}
