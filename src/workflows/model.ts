import { FormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { MEMO, newMemoStore } from './memo.js';
import type { MemoStore } from './memo.js';
import { parseUses } from './uses.js';
import { getMap, getNode, getScalar, parseYamlTree } from './yaml-tree.js';
import type { YamlProblem, YMap, YNode, YScalar } from './yaml-tree.js';

/** One step of a job (or of a composite action's `runs.steps`). */
export interface Step {
  /** Index in its `steps:` list. */
  readonly index: number;
  readonly node: YMap;
  readonly uri: string;
  readonly id: string | undefined;
  readonly name: YScalar | undefined;
  readonly uses: YScalar | undefined;
  readonly run: YScalar | undefined;
  readonly with: YMap | undefined;
  readonly env: YMap | undefined;
  readonly if: YScalar | undefined;
  /** The local composite action this step calls, when it was found and parsed. */
  action: WorkflowModel | undefined;
  /** Memoised facts about the step (workflows/memo.ts). */
  readonly [MEMO]: MemoStore;
}

/** One job; for an action file, a single pseudo-job holding `runs.steps`. */
export interface Job {
  readonly id: string;
  /** The job's key (for actions: the `runs` key). */
  readonly key: YScalar;
  readonly node: YMap;
  readonly uri: string;
  readonly pseudo: boolean;
  readonly runsOn: YNode | undefined;
  readonly environment: YNode | undefined;
  readonly permissions: YNode | undefined;
  readonly steps: readonly Step[];
  /** A reusable-workflow call (`jobs.<id>.uses`). */
  readonly uses: YScalar | undefined;
  readonly with: YMap | undefined;
  readonly secrets: YNode | undefined;
  readonly needs: readonly string[];
  readonly matrix: YNode | undefined;
  readonly env: YMap | undefined;
  readonly container: YNode | undefined;
  readonly services: YMap | undefined;
  readonly if: YScalar | undefined;
  /** The local reusable workflow this job calls, when it was found and parsed. */
  callee: WorkflowModel | undefined;
  /** Memoised facts about the job (workflows/memo.ts). */
  readonly [MEMO]: MemoStore;
}

/**
 * What a parsed file is: a workflow, an action's metadata, or a configuration file the workflow
 * audit also reads (`.github/dependabot.yml`, `.pre-commit-config.yaml`), which has no jobs.
 */
export type WorkflowFileKind = 'workflow' | 'action' | 'dependabot' | 'pre-commit';

/** A workflow or action file, located. */
export interface WorkflowModel {
  readonly kind: WorkflowFileKind;
  readonly uri: string;
  readonly text: string;
  readonly root: YMap | undefined;
  /** Trigger name → its key scalar under `on:` (or the `on` value scalar). */
  readonly triggers: ReadonlyMap<string, YScalar>;
  readonly on: YNode | undefined;
  readonly permissions: YNode | undefined;
  readonly env: YMap | undefined;
  readonly jobs: readonly Job[];
  /** Defaults of `workflow_call` / `workflow_dispatch` inputs, or an action's inputs. */
  readonly inputDefaults: ReadonlyMap<string, string>;
  readonly problems: readonly YamlProblem[];
  /**
   * Local `uses: ./…` targets the audit could not read (missing, outside the repository,
   * malformed, nested too deep), filled by the loader: their steps were not audited.
   */
  readonly unresolved: { readonly uses: YScalar; readonly reason: string }[];
  readonly scalarSpans: YamlTreeSpans;
  /** Memoised facts about the model (workflows/memo.ts). */
  readonly [MEMO]: MemoStore;
}

type YamlTreeSpans = readonly { readonly start: number; readonly end: number }[];

/**
 * Parses and locates a workflow (`kind: 'workflow'`) or action metadata file.
 * Throws FormatError for limits (see parseYamlTree) and `BAD_STRUCTURE` when the document is not
 * a mapping; structural oddities below the root are tolerated (those parts are skipped).
 */
export function parseWorkflow(
  text: string,
  uri: string,
  kind: WorkflowFileKind,
  limits: Limits,
): WorkflowModel {
  const tree = parseYamlTree(text, limits);
  const root = tree.root;
  if (root !== undefined && root.kind !== 'map') {
    throw new FormatError('BAD_STRUCTURE', 'the document is not a mapping', root.span.start);
  }
  if (root === undefined && tree.problems.length === 0) {
    throw new FormatError('BAD_STRUCTURE', 'the document is empty', 0);
  }
  const on = getNode(root, 'on');
  const triggers = new Map<string, YScalar>();
  if (on?.kind === 'scalar') triggers.set(on.text, on);
  else if (on?.kind === 'seq') {
    for (const item of on.items) if (item.kind === 'scalar') triggers.set(item.text, item);
  } else if (on?.kind === 'map') {
    for (const [name, entry] of on.entries) triggers.set(name, entry.key);
  }
  const inputDefaults = new Map<string, string>();
  const inputSources =
    kind === 'action'
      ? [getMap(root, 'inputs')]
      : kind !== 'workflow'
        ? []
        : [
            getMap(getNode(on, 'workflow_call'), 'inputs'),
            getMap(getNode(on, 'workflow_dispatch'), 'inputs'),
          ];
  for (const inputs of inputSources) {
    for (const [name, entry] of inputs?.entries ?? []) {
      const value = getScalar(entry.value, 'default');
      if (value !== undefined && !inputDefaults.has(name)) inputDefaults.set(name, value.text);
    }
  }
  const jobs: Job[] = [];
  const problems: YamlProblem[] = [...tree.problems];
  if (kind === 'workflow') {
    for (const [id, entry] of getMap(root, 'jobs')?.entries ?? []) {
      if (entry.value.kind === 'map') jobs.push(readJob(id, entry.key, entry.value, uri));
    }
    if (root !== undefined) problems.push(...shapeProblems(root));
  } else if (kind === 'action') {
    const runs = root?.entries.get('runs');
    if (runs?.value.kind === 'map') jobs.push(readActionJob(runs.key, runs.value, uri));
  }
  return {
    kind,
    uri,
    text,
    root,
    triggers,
    on,
    permissions: getNode(root, 'permissions'),
    env: getMap(root, 'env'),
    jobs,
    inputDefaults,
    problems,
    unresolved: [],
    scalarSpans: tree.scalarSpans,
    [MEMO]: newMemoStore(),
  };
}

/**
 * What GitHub would refuse in a workflow's top level and the audit would otherwise read as "no
 * jobs, nothing to report": a missing or empty `on:` or `jobs:`, or one that is not a mapping.
 */
function shapeProblems(root: YMap): YamlProblem[] {
  const out: YamlProblem[] = [];
  const on = root.entries.get('on');
  if (on === undefined) {
    out.push({
      code: 'MISSING_ON',
      message: 'the workflow has no `on:` triggers',
      span: at0(root),
    });
  } else if (on.value.kind === 'scalar' && on.value.text.trim() === '') {
    out.push({ code: 'EMPTY_ON', message: '`on:` is empty', span: on.key.span });
  }
  const jobs = root.entries.get('jobs');
  if (jobs === undefined) {
    out.push({ code: 'MISSING_JOBS', message: 'the workflow has no `jobs:`', span: at0(root) });
  } else if (jobs.value.kind !== 'map') {
    const empty = jobs.value.kind === 'scalar' && jobs.value.text.trim() === '';
    out.push({
      code: 'BAD_JOBS',
      message: empty ? '`jobs:` is empty (null)' : '`jobs:` is not a mapping of job ids',
      span: jobs.key.span,
    });
  } else if (jobs.value.entries.size === 0) {
    out.push({ code: 'BAD_JOBS', message: '`jobs:` has no jobs', span: jobs.key.span });
  } else {
    for (const entry of jobs.value.entries.values()) {
      if (entry.value.kind !== 'map') {
        out.push({
          code: 'BAD_JOB',
          message: `job \`${entry.key.text.slice(0, 80)}\` is not a mapping`,
          span: entry.key.span,
        });
      }
    }
  }
  return out;
}

function at0(root: YMap): { start: number; end: number } {
  return { start: root.span.start, end: root.span.start };
}

function readSteps(list: YNode | undefined, uri: string): Step[] {
  if (list?.kind !== 'seq') return [];
  const steps: Step[] = [];
  list.items.forEach((node, index) => {
    if (node.kind !== 'map') return;
    steps.push({
      index,
      node,
      uri,
      id: getScalar(node, 'id')?.text,
      name: getScalar(node, 'name'),
      uses: getScalar(node, 'uses'),
      run: getScalar(node, 'run'),
      with: getMap(node, 'with'),
      env: getMap(node, 'env'),
      if: getScalar(node, 'if'),
      action: undefined,
      [MEMO]: newMemoStore(),
    });
  });
  return steps;
}

function readJob(id: string, key: YScalar, node: YMap, uri: string): Job {
  const needsNode = getNode(node, 'needs');
  const needs =
    needsNode?.kind === 'scalar'
      ? [needsNode.text]
      : needsNode?.kind === 'seq'
        ? needsNode.items.flatMap((n) => (n.kind === 'scalar' ? [n.text] : []))
        : [];
  return {
    id,
    key,
    node,
    uri,
    pseudo: false,
    runsOn: getNode(node, 'runs-on'),
    environment: getNode(node, 'environment'),
    permissions: getNode(node, 'permissions'),
    steps: readSteps(getNode(node, 'steps'), uri),
    uses: getScalar(node, 'uses'),
    with: getMap(node, 'with'),
    secrets: getNode(node, 'secrets'),
    needs,
    matrix: getNode(getMap(node, 'strategy'), 'matrix'),
    env: getMap(node, 'env'),
    container: getNode(node, 'container'),
    services: getMap(node, 'services'),
    if: getScalar(node, 'if'),
    callee: undefined,
    [MEMO]: newMemoStore(),
  };
}

function readActionJob(key: YScalar, runs: YMap, uri: string): Job {
  return {
    id: 'runs',
    key,
    node: runs,
    uri,
    pseudo: true,
    runsOn: undefined,
    environment: undefined,
    permissions: undefined,
    steps: readSteps(getNode(runs, 'steps'), uri),
    uses: undefined,
    with: undefined,
    secrets: undefined,
    needs: [],
    matrix: undefined,
    env: getMap(runs, 'env'),
    container: undefined,
    services: undefined,
    if: undefined,
    callee: undefined,
    [MEMO]: newMemoStore(),
  };
}

/** A local reusable workflow or composite action a model refers to. */
export interface LocalReference {
  readonly kind: 'workflow' | 'action';
  /** Repository-relative path (for actions: the directory). */
  readonly path: string;
  readonly uses: YScalar;
  readonly attach: (m: WorkflowModel) => void;
}

/** Local targets a model refers to: reusable workflows of jobs and composite actions of steps. */
export function localReferences(model: WorkflowModel): LocalReference[] {
  const out: LocalReference[] = [];
  for (const job of model.jobs) {
    if (job.uses !== undefined) {
      const ref = parseUses(job.uses.text);
      if (ref.kind === 'local') {
        out.push({
          kind: 'workflow',
          path: ref.path.split('@')[0] ?? ref.path,
          uses: job.uses,
          attach: (m) => (job.callee = m),
        });
      }
    }
    for (const step of job.steps) {
      if (step.uses === undefined) continue;
      const ref = parseUses(step.uses.text);
      if (ref.kind === 'local') {
        const uses = step.uses;
        out.push({ kind: 'action', path: ref.path, uses, attach: (m) => (step.action = m) });
      }
    }
  }
  return out;
}
