import type { Span } from '../core/finding.js';
import { contextFor, evaluate, mayRun, UNKNOWN } from './conditions.js';
import type { EventContext } from './conditions.js';
import { contextRefs, findExpressions } from './expressions.js';
import { Memo } from './memo.js';
import type { Job, Step, WorkflowModel } from './model.js';
import { shellCommands, trailingComment } from './uses-sites.js';
import { actionName, parseUses } from './uses.js';
import { getScalar, scalarsUnder } from './yaml-tree.js';
import type { YMap, YNode, YPath, YScalar } from './yaml-tree.js';

/** A step reached from a job, and the step of the job itself that leads to it (for reports). */
export interface DeepStep {
  readonly step: Step;
  /** The step in the audited file: `step` itself, or the `uses: ./action` step that contains it. */
  readonly at: Step;
}

// Composite actions may call composite actions; three levels cover real repositories, and the
// loader only attaches models it parsed within limits.
const MAX_ACTION_DEPTH = 3;
// Expanded steps per job: real jobs have dozens; a crafted file whose every step calls one huge
// action would otherwise grow quadratically.
const MAX_DEEP_STEPS = 4096;

const DEEP_STEPS = new Memo<Job, readonly DeepStep[]>('stepsDeep');

/** The job's steps with the steps of local composite actions expanded in place (memoised). */
export function stepsDeep(job: Job): readonly DeepStep[] {
  return DEEP_STEPS.cached(job, expandSteps);
}

function expandSteps(job: Job): readonly DeepStep[] {
  const out: DeepStep[] = [];
  const visit = (steps: readonly Step[], at: Step | undefined, depth: number): void => {
    for (const step of steps) {
      const top = at ?? step;
      out.push({ step, at: top });
      const inner = step.action?.jobs[0];
      // Every step may call the same large composite action: cap the expansion, not the file.
      if (inner !== undefined && depth < MAX_ACTION_DEPTH && out.length < MAX_DEEP_STEPS) {
        visit(inner.steps, top, depth + 1);
      }
    }
  };
  visit(job.steps, undefined, 0);
  return out;
}

const ACTION_NAMES = new Memo<Step, string | undefined>('stepAction');

/** Lower-cased action name of a step (`actions/checkout`), or undefined for run/local steps. */
export function stepAction(step: Step): string | undefined {
  return ACTION_NAMES.cached(step, usesAction);
}

function usesAction(step: Step): string | undefined {
  return step.uses === undefined ? undefined : actionName(step.uses.text);
}

/** A scalar `with:` input of a step. */
export function stepInput(step: Step, name: string): YScalar | undefined {
  return getScalar(step.with, name);
}

/** Whether a step is `actions/checkout`. */
export function isCheckout(step: Step): boolean {
  return stepAction(step) === 'actions/checkout';
}

// Triggers whose runs carry write tokens and secrets while acting on outside contributions, or
// that are not gated by the fork-PR approval setting (P1).
const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment'];
const PR_TRIGGERS = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
];
// Triggers that anyone can fire without the approval gate for first-time contributors.
const APPROVAL_BYPASS_TRIGGERS = [
  'issue_comment',
  'workflow_run',
  'issues',
  'discussion',
  'discussion_comment',
];

/** The privileged triggers of a workflow present in `on:`. */
export function privilegedTriggers(workflow: WorkflowModel): YScalar[] {
  return PRIVILEGED_TRIGGERS.flatMap((t) => {
    const node = workflow.triggers.get(t);
    return node === undefined ? [] : [node];
  });
}

/** Triggers that run code for outside contributors: PR events and approval-bypassing events. */
export function untrustedTriggers(workflow: WorkflowModel): { name: string; node: YScalar }[] {
  const out = [...PR_TRIGGERS, ...APPROVAL_BYPASS_TRIGGERS].flatMap((name) => {
    const node = workflow.triggers.get(name);
    return node === undefined ? [] : [{ name, node }];
  });
  const ciflow = ciflowTags(workflow)[0];
  if (ciflow !== undefined) out.push({ name: `push to ${ciflow.text} tags`, node: ciflow });
  return out;
}

/**
 * `push: tags: ciflow/...` patterns: PyTorch's bot pushes these tags for pull requests, so the
 * run builds PR code with push-event privileges.
 */
export function ciflowTags(workflow: WorkflowModel): YScalar[] {
  const push = workflow.on?.kind === 'map' ? workflow.on.entries.get('push')?.value : undefined;
  const tags = push?.kind === 'map' ? push.entries.get('tags')?.value : undefined;
  return scalarsUnder(tags).filter((tag) => tag.text.trim().startsWith('ciflow/'));
}

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

/** Whether the job passes `secrets: inherit` to a reusable workflow. */
export function inheritsSecrets(job: Job): YScalar | undefined {
  return job.secrets?.kind === 'scalar' && job.secrets.text === 'inherit' ? job.secrets : undefined;
}

/** Evidence that a step publishes something; `kind` names what. */
export interface Evidence {
  readonly what: string;
  readonly span: Span;
  readonly path: YPath;
}

// Actions that upload packages, images or release assets.
const PUBLISH_ACTIONS: Record<string, string> = {
  'pypa/gh-action-pypi-publish': 'PyPI upload',
  'softprops/action-gh-release': 'GitHub Release upload',
  'svenstaro/upload-release-action': 'GitHub Release upload',
  'ncipollo/release-action': 'GitHub Release upload',
  'actions/upload-release-asset': 'GitHub Release upload',
  'js-devtools/npm-publish': 'npm publish',
  'rubygems/release-gem': 'RubyGems push',
  'goreleaser/goreleaser-action': 'GoReleaser release',
  'docker/build-push-action': 'container image push',
  'jakejarvis/s3-sync-action': 'S3 upload',
  'ryand56/r2-upload-action': 'R2 upload',
  'google-github-actions/upload-cloud-storage': 'GCS upload',
  'azure/webapps-deploy': 'deployment',
  'peaceiris/actions-gh-pages': 'GitHub Pages push',
  'jreleaser/release-action': 'JReleaser release',
};

// Shell commands that upload artifacts somewhere. Each alternative starts with a literal word, so
// the regex scans linearly.
// The middle string is a word every match contains: most lines contain none of them, and a
// substring test is much cheaper than running fourteen regexes over every line of every script.
const PUBLISH_COMMANDS: readonly [RegExp, string, string][] = [
  [/\btwine\s+upload\b/, 'upload', 'twine upload'],
  [/\b(?:npm|pnpm|yarn)\s+publish\b/, 'publish', 'npm publish'],
  [/\bcargo\s+publish\b/, 'publish', 'cargo publish'],
  [/\bgem\s+push\b/, 'push', 'gem push'],
  [/\b(?:uv|poetry|hatch|flit|pdm)\s+publish\b/, 'publish', 'package publish'],
  [/\baws\s+s3(?:api)?\s+(?:cp|sync|mv|put-object)\b/, 's3', 'S3 upload'],
  [/\bgsutil\s+(?:-m\s+)?(?:cp|rsync)\b/, 'gsutil', 'GCS upload'],
  [/\brclone\s+(?:copy|sync)\b/, 'rclone', 'rclone upload'],
  [/\bdocker\s+push\b/, 'push', 'docker push'],
  [/\bgh\s+release\s+(?:upload|create)\b/, 'release', 'GitHub Release upload'],
  [/\bdotnet\s+nuget\s+push\b/, 'push', 'NuGet push'],
  [/\bmvn\s+(?:-\S+\s+)*deploy\b/, 'deploy', 'Maven deploy'],
  [/\banaconda\s+(?:-t\s+\S+\s+)?upload\b/, 'upload', 'Anaconda upload'],
  [/\w*upload\w*\.sh\b/, 'upload', 'upload script'],
];
const PUBLISH_WORDS = [...new Set(PUBLISH_COMMANDS.map(([, word]) => word))];

/** Why a step publishes, or undefined when it does not look like an upload. */
export function publishEvidence(step: Step): Evidence | undefined {
  return PUBLISH_EVIDENCE.cached(step, findPublishEvidence);
}

const PUBLISH_EVIDENCE = new Memo<Step, Evidence | undefined>('publishEvidence');

// What test, telemetry and report uploads name (`aws s3 cp test-reports/ s3://…/stats`,
// `upload_test_stats.sh`, seemethere/upload-artifact-s3 of `test/test-reports`): data about a
// run, not a release, so they are not publishing evidence.
const REPORT_WORDS =
  /test[-_ ]?(?:report|result|stat|log|time)|telemetry|metric|benchmark|coverage|codecov|\bstats\b|upload[-_]stats|\blogs?\b|sccache[-_]stats|junit|artifacts?[-_]log|usage[-_]log|perf[-_]?(?:data|result)|dashboard|docs?[-_]?previews?/i;

// `--dry-run` (cargo, npm, uv, twine check …), `--dryrun` (aws s3), `--dry_run`.
const DRY_RUN_FLAG = /--dry[-_]?run\b/i;

/** Whether the step is switched to a rehearsal by an input or environment variable. */
function dryRunStep(step: Step): boolean {
  for (const map of [step.with, step.env]) {
    for (const [name, entry] of map?.entries ?? []) {
      if (!/^dry[-_]?run$/i.test(name) || entry.value.kind !== 'scalar') continue;
      const value = entry.value.text.trim().toLowerCase();
      if (value === 'true' || value === '1' || value === 'yes' || value === 'enabled') return true;
    }
  }
  return false;
}

function findPublishEvidence(step: Step): Evidence | undefined {
  if (dryRunStep(step)) return undefined;
  const name = stepAction(step);
  if (name !== undefined && step.uses !== undefined) {
    const what = PUBLISH_ACTIONS[name];
    if (what !== undefined) {
      // build-push-action only publishes with `push: true`.
      if (name === 'docker/build-push-action' && stepInput(step, 'push')?.text !== 'true') {
        return undefined;
      }
      // Bucket uploads of test reports, logs and statistics are not releases.
      if (what.endsWith('upload') && !what.startsWith('GitHub') && uploadsReports(step)) {
        return undefined;
      }
      return { what, span: step.uses.span, path: step.uses.path };
    }
  }
  const script = step.run?.text;
  if (
    step.run !== undefined &&
    script !== undefined &&
    PUBLISH_WORDS.some((w) => script.includes(w))
  ) {
    for (const line of script.split('\n')) {
      // Most lines name no publish word: one pass over the few words rather than the fourteen
      // commands (a command matches only on a line holding its word).
      if (!PUBLISH_WORDS.some((w) => line.includes(w))) continue;
      // `cargo publish --dry-run`, `npm publish --dry-run`: rehearsals upload nothing.
      if (DRY_RUN_FLAG.test(line)) continue;
      for (const [pattern, word, what] of PUBLISH_COMMANDS) {
        if (line.includes(word) && pattern.test(line)) {
          if (REPORT_KINDS.has(what) && REPORT_WORDS.test(line)) continue;
          return { what, span: step.run.span, path: step.run.path };
        }
      }
    }
  }
  return undefined;
}

// Uploads whose target says what they carry; a package publish is a release whatever its name.
const REPORT_KINDS = new Set(['S3 upload', 'GCS upload', 'rclone upload', 'upload script']);

/** Whether a bucket-upload action's inputs name test reports, logs or statistics. */
function uploadsReports(step: Step): boolean {
  for (const entry of step.with?.entries.values() ?? []) {
    if (entry.value.kind === 'scalar' && REPORT_WORDS.test(entry.value.text)) return true;
  }
  return false;
}

/** The first publishing step of a job (composite actions expanded), reported at the job's step. */
export function jobPublishes(job: Job): { evidence: Evidence; deep: DeepStep } | undefined {
  return JOB_PUBLISHES.cached(job, findJobPublishes);
}

const JOB_PUBLISHES = new Memo<Job, { evidence: Evidence; deep: DeepStep } | undefined>(
  'jobPublishes',
);

function findJobPublishes(job: Job): { evidence: Evidence; deep: DeepStep } | undefined {
  for (const deep of stepsDeep(job)) {
    const evidence = publishEvidence(deep.step);
    if (evidence !== undefined) {
      return deep.step === deep.at
        ? { evidence, deep }
        : {
            evidence: { ...evidence, span: deep.at.node.span, path: deep.at.node.path },
            deep,
          };
    }
  }
  return undefined;
}

const MERGE_ACTIONS = new Set([
  'pascalgn/automerge-action',
  'peter-evans/enable-pull-request-automerge',
  'ahmadnassri/action-dependabot-auto-merge',
  'fastify/github-action-merge-dependabot',
  'reitermarkus/automerge',
  'actions-ecosystem/action-merge',
]);
const MERGE_COMMANDS = /\bgh\s+pr\s+merge\b|\btrymerge\b|\bmerge_pr\b/;

/** Why a job is a merge bot (merges PRs or pushes to the default branch for them). */
export function mergeEvidence(job: Job): Evidence | undefined {
  for (const { step, at } of stepsDeep(job)) {
    const name = stepAction(step);
    const target = step === at ? step : at;
    if (name !== undefined && MERGE_ACTIONS.has(name) && target.uses !== undefined) {
      return { what: name, span: target.uses.span, path: target.uses.path };
    }
    // Every merge command contains "merge": a substring test first keeps the regex off most scripts.
    if (step.run?.text.includes('merge') === true && MERGE_COMMANDS.test(step.run.text)) {
      const span = step === at ? step.run.span : at.node.span;
      const path = step === at ? step.run.path : at.node.path;
      return { what: 'merge command', span, path };
    }
  }
  return undefined;
}

// Build tools and script runners: executing them runs code from the checked-out tree
// (poutine's untrusted_checkout_exec list, extended with PyTorch's Python tooling).
const EXEC_WORDS = new Set([
  'yarn',
  'pnpm',
  'npx',
  'node',
  'python',
  'python3',
  'pytest',
  'tox',
  'nox',
  'make',
  'cmake',
  'ninja',
  'bazel',
  'bazelisk',
  'mvn',
  'gradle',
  'rake',
  'msbuild',
  'ant',
  'pre-commit',
  'source',
  'tsc',
  'jest',
  'meson',
  'scons',
  'lintrunner',
]);
const EXEC_PAIRS: Readonly<Record<string, readonly string[]>> = {
  npm: ['ci', 'install', 'i', 'run', 'test', 'start', 'exec'],
  pip: ['install'],
  pip3: ['install'],
  uv: ['sync', 'run', 'pip', 'build'],
  poetry: ['install', 'run', 'build'],
  cargo: ['build', 'test', 'run', 'check', 'clippy', 'install'],
  go: ['build', 'test', 'run', 'generate', 'vet'],
  bundle: ['install', 'exec'],
  composer: ['install'],
  dotnet: ['build', 'test', 'run', 'restore'],
  docker: ['build'],
  chmod: ['+x'],
  git: ['submodule'],
};

/** Whether a shell script runs a build tool or a script from the working tree. */
export function runExecutes(script: string): boolean {
  const tokens = script.split(/[\s;&|()`]+/);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (token.startsWith('./') || token.endsWith('.sh') || token.endsWith('.py')) return true;
    if (EXEC_WORDS.has(token)) return true;
    const second = EXEC_PAIRS[token];
    if (second?.includes(tokens[i + 1] ?? '') === true) return true;
  }
  return false;
}

const EXEC_ACTIONS = new Set([
  'docker/build-push-action',
  'pre-commit/action',
  'golangci/golangci-lint-action',
  'github/codeql-action/autobuild',
  'sonarsource/sonarcloud-github-action',
  'sonarsource/sonarqube-scan-action',
  'pypa/cibuildwheel',
  'pyo3/maturin-action',
  'gradle/gradle-build-action',
  'gradle/actions/setup-gradle',
  'cypress-io/github-action',
  'borales/actions-yarn',
  'actions/setup-node',
]);

/** Whether a step builds or runs code from the working tree (the checked-out repository). */
export function executesCheckout(step: Step): boolean {
  if (step.uses !== undefined) {
    if (step.uses.text.trim().startsWith('./')) return true;
    const name = stepAction(step);
    if (name !== undefined && EXEC_ACTIONS.has(name)) {
      // setup-node executes nothing by itself; only its dependency cache reads the tree.
      return name !== 'actions/setup-node';
    }
  }
  return step.run !== undefined && runExecutes(step.run.text);
}

const STEP_COMMANDS = new Memo<Step, readonly (readonly string[])[]>('stepCommands');

/**
 * The words of each shell command of a step's `run:` script (shellCommands), memoised per step:
 * several rules read them, and splitting every script is a measurable share of an audit.
 */
export function stepCommands(step: Step): readonly (readonly string[])[] {
  return STEP_COMMANDS.cached(step, (s) => (s.run === undefined ? [] : shellCommands(s.run.text)));
}

/** Evidence that a step (or its environment) turns on a build cache. */
export function cacheEvidence(
  step: Step,
  contexts?: readonly EventContext[],
  /** The text of the file the step is in, to read a SHA pin's version comment (`# v6.5.0`). */
  text?: string,
): (Evidence & { toggle?: YScalar }) | undefined {
  // A step whose `if:` is false under every given trigger never runs there.
  if (contexts !== undefined && contexts.length > 0 && !contexts.some((c) => mayRun(step.if, c)))
    return undefined;
  const name = stepAction(step);
  if (name !== undefined && step.uses !== undefined) {
    const at = { span: step.uses.span, path: step.uses.path };
    const on = (input: string, byDefault: boolean): YScalar | boolean => {
      const value = stepInput(step, input);
      if (value === undefined) return byDefault;
      return cacheToggleOn(value, contexts) ? value : false;
    };
    const toggled = (
      input: string,
      byDefault: boolean,
    ): (Evidence & { toggle?: YScalar }) | undefined => {
      const state = on(input, byDefault);
      if (state === false) return undefined;
      return state === true
        ? { what: `${name} (cache on by default)`, ...at }
        : { what: `${name} ${input}: ${state.text}`, ...at, toggle: state };
    };
    // The action's major version: from the ref (`@v5`), else from a SHA pin's comment.
    const major = (): number | undefined => {
      const ref = parseUses(step.uses?.text ?? '');
      const version = ref.kind === 'remote' ? ref.version : '';
      const fromRef = /^v?(\d+)(?:\.|$)/i.exec(version);
      if (fromRef !== null) return Number(fromRef[1]);
      if (text === undefined || step.uses === undefined) return undefined;
      const comment = trailingComment(text, step.uses);
      const fromComment = comment === undefined ? null : /^v?(\d+)(?:\.|\s|$)/i.exec(comment);
      return fromComment === null ? undefined : Number(fromComment[1]);
    };
    switch (name) {
      case 'swatinem/rust-cache': {
        // `lookup-only: true` checks for an entry without restoring it.
        const lookup = stepInput(step, 'lookup-only');
        if (lookup !== undefined && cacheToggleOn(lookup, contexts)) return undefined;
        return { what: `${name} (cache on by default)`, ...at };
      }
      case 'actions/cache':
      case 'actions/cache/restore':
      case 'mozilla-actions/sccache-action':
      case 'hendrikmuhs/ccache-action':
      case 'actions/cache/save':
        return { what: name, ...at };
      case 'actions/setup-node': {
        const value = stepInput(step, 'cache');
        if (value !== undefined && value.text !== '' && value.text !== 'false') {
          return toggled('cache', false);
        }
        // From v5 `package-manager-cache` (default true) caches npm's store without `cache:`.
        const v = major();
        if (v === undefined || v < 5) return undefined;
        return toggled('package-manager-cache', true);
      }
      case 'actions/setup-python':
      case 'actions/setup-java':
      case 'graalvm/setup-graalvm': {
        const value = stepInput(step, 'cache');
        if (value === undefined || value.text === '' || value.text === 'false') return undefined;
        return toggled('cache', false);
      }
      case 'ruby/setup-ruby':
        return toggled('bundler-cache', false);
      case 'mlugg/setup-zig':
        return toggled('use-cache', true);
      case 'determinatesystems/magic-nix-cache-action':
        return toggled('use-gha-cache', true);
      case 'actions-rust-lang/setup-rust-toolchain':
      case 'jdx/mise-action':
        return toggled('cache', true);
      case 'oven-sh/setup-bun': {
        // `no-cache: true` turns its default cache off.
        const off = stepInput(step, 'no-cache');
        if (off !== undefined && cacheToggleOn(off, contexts)) return undefined;
        return { what: `${name} (cache on by default)`, ...at };
      }
      case 'ramsey/composer-install': {
        // `ignore-cache: yes` (or true, 1) turns its default cache off.
        const off = stepInput(step, 'ignore-cache')?.text.trim().toLowerCase();
        if (off === 'yes' || off === 'true' || off === '1') return undefined;
        return { what: `${name} (cache on by default)`, ...at };
      }
      case 'nix-community/cache-nix-action':
      case 'awalsh128/cache-apt-pkgs-action':
        return { what: name, ...at };
      case 'actions/setup-go':
        return toggled('cache', true);
      case 'actions/setup-dotnet':
        return toggled('cache', false);
      case 'astral-sh/setup-uv': {
        // `enable-cache` defaults to `auto` (on for GitHub-hosted runners) before v10; from v10
        // only an explicit `true` turns it on. A SHA pin's version comes from its comment (`# v10.0.0`);
        // without one it is unknown and treated as before.
        const v = major();
        const modern = v !== undefined && v >= 10;
        const value = stepInput(step, 'enable-cache');
        if (modern)
          return value?.text.trim().toLowerCase() === 'true'
            ? toggled('enable-cache', false)
            : undefined;
        return toggled('enable-cache', true);
      }
      case 'docker/setup-buildx-action': {
        // Caches the buildx binary it downloads when a `version` is set (cache-binary defaults on).
        const version = stepInput(step, 'version');
        if (version === undefined || version.text.trim() === '') return undefined;
        return toggled('cache-binary', true);
      }
      case 'docker/bake-action': {
        const set = stepInput(step, 'set');
        return set !== undefined && /cache-from\s*=\s*\S/.test(set.text)
          ? { what: `${name} cache-from`, ...at }
          : undefined;
      }
      case 'pyo3/maturin-action':
        return toggled('sccache', false);
      case 'gradle/actions/setup-gradle':
      case 'gradle/gradle-build-action':
        return stepInput(step, 'cache-disabled')?.text === 'true'
          ? undefined
          : { what: `${name} (cache on by default)`, ...at };
      case 'docker/build-push-action': {
        const from = stepInput(step, 'cache-from');
        return from === undefined || from.text === ''
          ? undefined
          : { what: `${name} cache-from`, ...at };
      }
      default:
        break;
    }
  }
  return envCacheEvidence(step.env);
}

// Environment variables that switch on sccache/ccache or a remote compiler cache (P8): PyTorch's
// own builds enable sccache only through SCCACHE_BUCKET.
const CACHE_ENV =
  /^(?:SCCACHE_[A-Z_]+|CCACHE_[A-Z_]+|RUSTC_WRAPPER|CMAKE_[A-Z_]*COMPILER_LAUNCHER|BAZEL_REMOTE_CACHE)$/;

/** A cache switched on through `env:` (job, step or workflow level). */
export function envCacheEvidence(env: YMap | undefined): Evidence | undefined {
  for (const [name, entry] of env?.entries ?? []) {
    if (!CACHE_ENV.test(name)) continue;
    const value = entry.value.kind === 'scalar' ? entry.value.text.trim().toLowerCase() : 'set';
    if (value === '' || value === 'false' || value === '0') continue;
    if (name === 'RUSTC_WRAPPER' && !value.includes('cache')) continue;
    if (name.endsWith('COMPILER_LAUNCHER') && !value.includes('cache')) continue;
    if (
      name === 'SCCACHE_GHA_ENABLED' ||
      name.startsWith('SCCACHE_') ||
      name.startsWith('CCACHE_')
    ) {
      if (name === 'CCACHE_DISABLE' || name === 'SCCACHE_DISABLE') continue;
    }
    return { what: `${name} in env`, span: entry.key.span, path: entry.key.path };
  }
  return undefined;
}

/**
 * Whether a cache toggle may be on under any of `contexts` (the release triggers; any trigger
 * when not given). An expression is evaluated under each: `${{ !startsWith(github.ref,
 * 'refs/tags/') }}` is off for a tag push, and on for a push to a release branch.
 */
function cacheToggleOn(value: YScalar, contexts?: readonly EventContext[]): boolean {
  const text = value.text.trim();
  const lower = text.toLowerCase();
  if (lower === '' || lower === 'false') return false;
  const expressions = findExpressions(text);
  if (expressions.length === 0) return true;
  const only = expressions[0];
  if (expressions.length !== 1 || only?.start !== 0 || only.end !== text.length) return true;
  const list = contexts === undefined || contexts.length === 0 ? [ANY] : contexts;
  return list.some((ctx) => {
    const result = evaluate(only.body, ctx);
    if (result === UNKNOWN) return true;
    if (typeof result === 'string') return result !== '' && result.toLowerCase() !== 'false';
    return result !== false && result !== null && result !== 0;
  });
}

const ANY: EventContext = { event: undefined, ref: 'any' };

/**
 * The trigger contexts under which a workflow builds a release: `release` events, tag pushes
 * (other than PyTorch's `ciflow/*` PR tags), pushes to release or nightly branches. Empty when
 * the workflow has none.
 */
export function releaseContexts(workflow: WorkflowModel): EventContext[] {
  return RELEASE_CONTEXTS.cached(workflow, findReleaseContexts);
}

const RELEASE_CONTEXTS = new Memo<WorkflowModel, EventContext[]>('releaseContexts');

function findReleaseContexts(workflow: WorkflowModel): EventContext[] {
  const out: EventContext[] = [];
  if (workflow.triggers.has('release')) out.push(contextFor(workflow, 'release'));
  const push = workflow.on?.kind === 'map' ? workflow.on.entries.get('push')?.value : undefined;
  if (push?.kind !== 'map') return out;
  const tags = push.entries.get('tags')?.value;
  if (tags !== undefined) {
    const patterns = scalarsUnder(tags).map((t) => t.text.trim());
    const release = patterns.filter((t) => !t.startsWith('ciflow/'));
    if (patterns.length === 0) out.push({ event: 'push', ref: 'tag' });
    else if (release.length > 0) out.push({ event: 'push', ref: 'tag', tagPatterns: release });
  }
  const branches = push.entries.get('branches')?.value;
  if (scalarsUnder(branches).some((b) => /release|nightly/i.test(b.text))) {
    out.push({ event: 'push', ref: 'branch' });
  }
  return out;
}

/** Whether a workflow runs for releases: `release` events, tag pushes, release/nightly branches. */
export function isReleaseWorkflow(workflow: WorkflowModel): boolean {
  return releaseContexts(workflow).length > 0;
}

/**
 * Jobs that build or publish release artifacts: publishing jobs, the jobs they `needs:`
 * (transitively) when those upload artifacts, and, in a release workflow, every job that builds.
 */
export function releaseJobs(workflow: WorkflowModel): Map<string, string> {
  const byId = new Map(workflow.jobs.map((j) => [j.id, j]));
  const out = new Map<string, string>();
  const contexts = releaseContexts(workflow);
  const queue: Job[] = [];
  for (const job of workflow.jobs) {
    const evidence = jobPublishes(job) ?? calleePublishes(job);
    if (evidence !== undefined) {
      out.set(job.id, `it publishes (${evidence.evidence.what})`);
      queue.push(job);
    } else if (
      // A job whose `if:` excludes every release trigger (`if: github.event_name ==
      // 'pull_request'`) is not part of the release.
      contexts.some((c) => mayRun(job.if, c)) &&
      stepsDeep(job).some((d) => executesCheckout(d.step))
    ) {
      out.set(job.id, 'it builds in a release-triggered workflow');
    }
  }
  // Bounded: every job enters the queue at most once.
  for (let head = 0; head < queue.length; head++) {
    const job = queue[head];
    if (job === undefined) break;
    for (const need of job.needs) {
      const upstream = byId.get(need);
      if (upstream === undefined || out.has(upstream.id)) continue;
      const uploads = stepsDeep(upstream).some((d) => uploadsArtifact(d.step));
      if (uploads || upstream.callee !== undefined) {
        out.set(upstream.id, `it builds artifacts that job \`${job.id}\` publishes`);
        queue.push(upstream);
      }
    }
  }
  return out;
}

// Artifact stores (the run's own, or PyTorch's S3 mirror of it): CI intermediates, not releases.
const ARTIFACT_ACTIONS = new Set(['actions/upload-artifact', 'seemethere/upload-artifact-s3']);

function uploadsArtifact(step: Step): boolean {
  const name = stepAction(step);
  return name !== undefined && ARTIFACT_ACTIONS.has(name);
}

/** Publishing evidence inside a local reusable workflow the job calls. */
export function calleePublishes(
  job: Job,
): { evidence: Evidence; deep: DeepStep; inner: Job } | undefined {
  if (job.callee === undefined || job.uses === undefined) return undefined;
  const found = firstPublishingJob(job.callee);
  if (found === undefined) return undefined;
  return {
    evidence: { what: found.evidence.what, span: job.uses.span, path: job.uses.path },
    deep: found.deep,
    inner: found.inner,
  };
}

// Memoised per called workflow: thousands of callers of one reusable workflow would otherwise
// rescan all of its jobs each.
const PUBLISHING = new Memo<
  WorkflowModel,
  { evidence: Evidence; deep: DeepStep; inner: Job } | undefined
>('firstPublishingJob');

function firstPublishingJob(
  callee: WorkflowModel,
): { evidence: Evidence; deep: DeepStep; inner: Job } | undefined {
  return PUBLISHING.cached(callee, findFirstPublishingJob);
}

function findFirstPublishingJob(
  callee: WorkflowModel,
): { evidence: Evidence; deep: DeepStep; inner: Job } | undefined {
  for (const inner of callee.jobs) {
    const found = jobPublishes(inner);
    if (found !== undefined) return { ...found, inner };
  }
  return undefined;
}

/** Whether the job has a non-empty `environment:` (a name, a mapping with a name, or an expression). */
export function hasEnvironment(job: Job): boolean {
  const env = job.environment;
  if (env === undefined) return false;
  if (env.kind === 'scalar') return env.text.trim() !== '';
  if (env.kind === 'map') return (getScalar(env, 'name')?.text.trim() ?? '') !== '';
  return false;
}

/**
 * Whether a step writes to GITHUB_ENV or GITHUB_PATH (later steps run with those values).
 * `constant` (default true) also counts writes of constant text, such as
 * `echo "FOO=1" >> "$GITHUB_ENV"`; without it only writes whose value may vary do.
 */
export function writesGithubEnv(script: string, constant = true): boolean {
  if (!script.includes('GITHUB_ENV') && !script.includes('GITHUB_PATH')) return false;
  for (const line of script.split('\n')) {
    if (!line.includes('GITHUB_ENV') && !line.includes('GITHUB_PATH')) continue;
    if (
      line.includes('>') ||
      /\btee\b/.test(line) ||
      line.includes('Add-Content') ||
      line.includes('Out-File')
    ) {
      if (constant || !constantWrite(line)) return true;
    }
  }
  return false;
}

/**
 * Whether a GITHUB_ENV/GITHUB_PATH line writes constant text: `echo`/`printf` of text with no
 * shell expansion, command substitution or `${{ }}` once the target file's own name is removed.
 * A heredoc, `tee` or `cat` copies input from elsewhere and is never constant.
 */
function constantWrite(line: string): boolean {
  const trimmed = line.trim();
  if (!/^(?:echo|printf)\s/.test(trimmed)) return false;
  if (trimmed.includes('<<') || /\btee\b/.test(trimmed) || trimmed.includes('|')) return false;
  const rest = trimmed.replace(/"?\$\{?(?:GITHUB_ENV|GITHUB_PATH)\}?"?/g, '');
  return !rest.includes('$') && !rest.includes('`') && !rest.includes('%');
}
