import type { Span } from '../../../core/finding.js';
import { mayRun } from '../../../workflows/conditions.js';
import { Memo } from '../../../workflows/memo.js';
import type { Job, Step, WorkflowModel } from '../../../workflows/model.js';
import { stepAction, stepInput, stepsDeep } from '../../../workflows/steps.js';
import type { DeepStep } from '../../../workflows/steps.js';
import type { YPath } from '../../../workflows/yaml-tree.js';

import { executesCheckout } from './execution.js';
import { releaseContexts } from './triggers.js';

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
