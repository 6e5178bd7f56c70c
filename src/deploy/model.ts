import type { Span } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import {
  getMap,
  getNode,
  getScalar,
  parseYamlDocuments,
  type YamlProblem,
  type YNode,
} from '../workflows/yaml-tree.js';
import {
  dockerInstructions,
  shellCommands,
  type Command,
  type DockerInstruction,
} from './shell-words.js';

import type { DeployKind } from './kind.js';

export type { DeployKind } from './kind.js';

/** A NetworkPolicy seen anywhere in the scanned files: its namespace and pod selector. */
export interface NetworkPolicySelector {
  readonly namespace: string;
  /** 'all' for an empty podSelector; 'expressions' when it uses matchExpressions. */
  readonly selector: ReadonlyMap<string, string> | 'all' | 'expressions';
}

/** One deployment file as the `deploy/*` rules see it. */
export interface DeployFile {
  readonly uri: string;
  readonly kind: DeployKind;
  readonly text: string;
  /** The YAML documents (kubernetes, compose, helm-values); empty for other kinds. */
  readonly documents: readonly YNode[];
  /** Dockerfile instructions; empty for other kinds. */
  readonly instructions: readonly DockerInstruction[];
  /** Shell commands: a script's own, or a Dockerfile's RUN, CMD and ENTRYPOINT commands. */
  readonly commands: readonly Command[];
  /** Every NetworkPolicy of the scan (all files), for the no-network-policy rule. */
  readonly networkPolicies: readonly NetworkPolicySelector[];
}

/** A deployment file that could not be read as its kind: the parser's first complaint. */
export interface DeployParseProblem {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
}

/**
 * Parses a deployment file of `kind`. Returns the file model, or the first parse problem of a
 * YAML kind. Throws FormatError `LIMIT_EXCEEDED` past the YAML limits (see parseYamlDocuments).
 */
export function parseDeployFile(
  uri: string,
  kind: DeployKind,
  text: string,
  limits: Limits,
): DeployFile | DeployParseProblem {
  const empty = {
    uri,
    kind,
    text,
    documents: [],
    instructions: [],
    commands: [],
    networkPolicies: [],
  };
  switch (kind) {
    case 'dockerfile': {
      const instructions = dockerInstructions(text);
      const commands = instructions
        .filter((i) => i.keyword === 'RUN' || i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')
        .flatMap((i) => i.commands);
      return { ...empty, instructions, commands };
    }
    case 'shell':
      return { ...empty, commands: shellCommands(text) };
    case 'kubernetes':
    case 'compose':
    case 'helm-values': {
      const trees = parseYamlDocuments(text, limits);
      const problem: YamlProblem | undefined = trees.flatMap((t) => t.problems)[0];
      if (problem !== undefined) return problem;
      return { ...empty, documents: trees.flatMap((t) => (t.root === undefined ? [] : [t.root])) };
    }
  }
}

/** Whether a parse result is a problem rather than a file. */
export function isParseProblem(
  result: DeployFile | DeployParseProblem,
): result is DeployParseProblem {
  return 'code' in result;
}

/** The NetworkPolicies of a file's documents. */
export function networkPoliciesOf(documents: readonly YNode[]): NetworkPolicySelector[] {
  const out: NetworkPolicySelector[] = [];
  for (const root of documents) {
    if (getScalar(root, 'kind')?.text !== 'NetworkPolicy') continue;
    const namespace = getScalar(getMap(root, 'metadata'), 'namespace')?.text ?? 'default';
    const selector = getNode(getMap(root, 'spec'), 'podSelector');
    if (selector?.kind !== 'map') {
      out.push({ namespace, selector: 'all' });
      continue;
    }
    if (selector.entries.has('matchExpressions')) {
      out.push({ namespace, selector: 'expressions' });
      continue;
    }
    const labels = new Map<string, string>();
    for (const [key, entry] of getMap(selector, 'matchLabels')?.entries ?? []) {
      if (entry.value.kind === 'scalar') labels.set(key, entry.value.text);
    }
    out.push({ namespace, selector: labels.size === 0 ? 'all' : labels });
  }
  return out;
}
