import type { Confidence, Span } from '../../../core/finding.js';
import type { RunnerInventory } from '../../../workflows/audit-input.js';
import { matchGlob } from '../../../workflows/glob.js';
import { resolveCandidates } from '../../../workflows/resolve.js';
import type { ResolveScope } from '../../../workflows/resolve.js';
import type { YNode, YPath } from '../../../workflows/yaml-tree.js';

// Which runners keep state between jobs: the judgement the persistent-runner rules share.

/** How a job's runner is classified. */
export type RunnerKind = 'github-hosted' | 'ephemeral' | 'persistent' | 'unresolved' | 'none';

/** Why it was classified so; `unknown-label` means "not recognised, assumed persistent". */
export type RunnerReason =
  | 'config'
  | 'scale-config'
  | 'github-hosted'
  | 'third-party-ephemeral'
  | 'name-hint'
  | 'actionlint'
  | 'self-hosted'
  | 'unknown-label'
  | 'larger-runner'
  | 'arc'
  | 'group'
  | 'expression'
  | 'no-runner';

/** A job's runner classification and where its `runs-on` is. */
export interface RunnerClass {
  readonly kind: RunnerKind;
  readonly reason: RunnerReason;
  /** The label set that decided the classification, joined with ', '. */
  readonly labels: string;
  readonly span: Span;
  readonly path: YPath;
}

// GitHub-hosted images (ubuntu-24.04, ubuntu-24.04-arm, ubuntu-slim, macos-15-xlarge,
// windows-11-arm), the larger-runner names GitHub's docs use (ubuntu-latest-16-cores), and the
// `github-` prefix some orgs give larger runners. Exact shapes, so a self-hosted `macos-m1-stable`
// is not mistaken for a GitHub image. No nested quantifiers: matching is linear.
const GITHUB_HOSTED =
  /^(?:ubuntu-(?:latest|slim|\d\d\.\d\d)(?:-arm)?(?:-\d+-cores)?|macos-(?:latest|\d\d)(?:-large|-xlarge|-arm64|-intel)?|windows-(?:latest|\d{4}|11-arm)(?:-\d+-cores)?)$|^github-[\w.-]+$/;

// Names organisations give GitHub-hosted larger runners (`ubuntu-22.04-8core`, `linux-x64-16-cores`,
// `windows-2022-4core`) and PyTorch's (`linux.20_04.4x`). Matched as names, so medium confidence.
const LARGER_RUNNER =
  /^(?:(?:ubuntu|linux|windows|macos)[\w.-]*?[-_]\d+[-_]?cores?(?:[-_][\w.]+)?|linux\.\d\d_\d\d\.\d+x)$/;

// Actions Runner Controller scale sets: `runs-on` names the scale set's installation, whose pods
// are ephemeral by default (`arc-runner-set`, `gha-runner-scale-set-linux`, `arc-linux-gpu`).
const ARC =
  /(?:^|[-_.])arc(?:$|[-_.])|runner[-_]?scale[-_]?set|(?:^|[-_.])runner[-_]set(?:$|[-_.])/;

// Third-party services that give every job a fresh VM (astral-sh/uv uses depot and namespace):
// the false-positive trap of "any non-GitHub label is a persistent self-hosted runner".
const THIRD_PARTY_EPHEMERAL =
  /^(?:depot-|namespace-profile-|nscloud-|buildjet-|warp-|blacksmith-|ubicloud-|runs-on[=/,]|cirrus-)/;

const RANK: Record<RunnerKind, number> = {
  none: 0,
  'github-hosted': 1,
  ephemeral: 2,
  unresolved: 3,
  persistent: 4,
};

/** Classifies one label set (all labels of one `runs-on` value; a runner must carry them all). */
export function classifyLabels(
  labels: readonly string[],
  inventory: RunnerInventory,
): { kind: RunnerKind; reason: RunnerReason } {
  // Memoised per inventory (one per audited repository, so a WeakMap with few, long-lived
  // keys): the same few label sets recur in every job.
  let known = CLASSIFIED.get(inventory);
  if (known === undefined) {
    known = new Map();
    CLASSIFIED.set(inventory, known);
  }
  const key = labels.join('\u0000');
  let verdict = known.get(key);
  if (verdict === undefined) {
    if (known.size >= MAX_CLASSIFIED) known.clear();
    verdict = classify(labels, inventory);
    known.set(key, verdict);
  }
  return verdict;
}

const CLASSIFIED = new WeakMap<
  RunnerInventory,
  Map<string, { kind: RunnerKind; reason: RunnerReason }>
>();
const MAX_CLASSIFIED = 4096;

function classify(
  labels: readonly string[],
  inventory: RunnerInventory,
): { kind: RunnerKind; reason: RunnerReason } {
  const lower = labels.map((l) => l.trim().toLowerCase()).filter((l) => l !== '');
  if (lower.length === 0) return { kind: 'none', reason: 'no-runner' };
  const matches = (globs: readonly string[]): boolean =>
    lower.some((label) => globs.some((glob) => matchGlob(glob.toLowerCase(), label)));
  if (matches(inventory.persistent)) return { kind: 'persistent', reason: 'config' };
  if (matches(inventory.ephemeral)) return { kind: 'ephemeral', reason: 'config' };
  const listed = (labels: readonly string[] | undefined): boolean =>
    labels !== undefined && lower.some((label) => labels.some((l) => l.toLowerCase() === label));
  if (listed(inventory.scalePersistent)) return { kind: 'persistent', reason: 'scale-config' };
  if (listed(inventory.scaleEphemeral)) return { kind: 'ephemeral', reason: 'scale-config' };
  if (lower.some((l) => l.includes('nonephemeral') || l.includes('non-ephemeral'))) {
    return { kind: 'persistent', reason: 'name-hint' };
  }
  if (lower.some((l) => l.includes('ephemeral'))) return { kind: 'ephemeral', reason: 'name-hint' };
  const rest = lower.filter((l) => l !== 'self-hosted');
  if (rest.length === lower.length && rest.every((l) => GITHUB_HOSTED.test(l))) {
    return { kind: 'github-hosted', reason: 'github-hosted' };
  }
  if (rest.some((l) => THIRD_PARTY_EPHEMERAL.test(l))) {
    return { kind: 'ephemeral', reason: 'third-party-ephemeral' };
  }
  if (matches(inventory.selfHosted)) return { kind: 'persistent', reason: 'actionlint' };
  if (rest.length < lower.length) return { kind: 'persistent', reason: 'self-hosted' };
  if (rest.some((l) => ARC.test(l))) return { kind: 'ephemeral', reason: 'arc' };
  if (rest.every((l) => GITHUB_HOSTED.test(l) || LARGER_RUNNER.test(l))) {
    return { kind: 'github-hosted', reason: 'larger-runner' };
  }
  // A runner group alone may hold GitHub-hosted larger runners or self-hosted machines.
  if (rest.every((l) => l.startsWith('group:'))) return { kind: 'persistent', reason: 'group' };
  return { kind: 'persistent', reason: 'unknown-label' };
}

/**
 * How sure a persistent-runner classification is: declared (torchward.yml, scale-config,
 * actionlint) is high; a `self-hosted` label or a name hint is medium (ephemerality is a
 * registration flag the workflow does not show); an unrecognised label or a bare runner group
 * is low.
 */
export function runnerConfidence(runner: { readonly reason: RunnerReason }): Confidence {
  switch (runner.reason) {
    case 'config':
    case 'scale-config':
    case 'actionlint':
    case 'github-hosted':
      return 'high';
    case 'self-hosted':
    case 'name-hint':
    case 'larger-runner':
    case 'arc':
    case 'third-party-ephemeral':
      return 'medium';
    case 'unknown-label':
    case 'group':
    case 'expression':
    case 'no-runner':
      return 'low';
  }
}

/**
 * Classifies the runner of a job from its `runs-on` node, resolving matrix values, inputs and
 * literal prefixes. When several values are possible the worst one wins
 * (persistent > unresolved > ephemeral > github-hosted).
 */
export function classifyRunsOn(
  runsOn: YNode | undefined,
  scope: ResolveScope,
  inventory: RunnerInventory,
): RunnerClass {
  if (runsOn === undefined) {
    return { kind: 'none', reason: 'no-runner', labels: '', span: { start: 0, end: 0 }, path: [] };
  }
  const sets = labelSets(runsOn, scope);
  let best: RunnerClass | undefined;
  for (const set of sets) {
    const verdict =
      set === undefined
        ? { kind: 'unresolved' as const, reason: 'expression' as const }
        : classifyLabels(set, inventory);
    const current: RunnerClass = {
      ...verdict,
      labels: set?.join(', ') ?? '',
      span: runsOn.span,
      path: runsOn.path,
    };
    if (best === undefined || RANK[current.kind] > RANK[best.kind]) best = current;
  }
  return (
    best ?? {
      kind: 'unresolved',
      reason: 'expression',
      labels: '',
      span: runsOn.span,
      path: runsOn.path,
    }
  );
}

/** The possible label sets of a `runs-on` node; `undefined` marks an unresolvable one. */
function labelSets(node: YNode, scope: ResolveScope): (string[] | undefined)[] {
  if (node.kind === 'scalar') {
    const values = resolveCandidates(node.text, scope, true);
    if (values === undefined) return [undefined];
    return values.map((v) => v.split(',').map((l) => l.trim()));
  }
  if (node.kind === 'seq') {
    const labels: string[] = [];
    for (const item of node.items) {
      if (item.kind !== 'scalar') continue;
      const values = resolveCandidates(item.text, scope, true);
      if (values === undefined) return [undefined];
      labels.push(...values);
    }
    return [labels];
  }
  const group = node.entries.get('group')?.value;
  const labels = node.entries.get('labels')?.value;
  const out: string[] = [];
  if (labels !== undefined) {
    for (const set of labelSets(labels, scope)) {
      if (set === undefined) return [undefined];
      out.push(...set);
    }
  }
  if (group?.kind === 'scalar') out.push(`group:${group.text}`);
  return [out];
}
