import { makeLimits } from '../core/limits.js';
import { localReferences, parseWorkflow } from '../workflows/model.js';
import type { WorkflowModel } from '../workflows/model.js';
import type { ApiResult, GitHubClient } from './client.js';
import { locateJson } from './located-json.js';
import type {
  ApiRead,
  BranchSnapshot,
  EnvironmentSnapshot,
  FileSnapshot,
  RepoSnapshot,
  WorkflowSnapshot,
} from './snapshot.js';
import { bool, dataOf, field, isObject, num, str } from './snapshot.js';

/** What to read besides the default branch. */
export interface CollectOptions {
  /** Branches to check; when empty, release-like branches are found in the branch list. */
  readonly branches?: readonly string[];
}

/** Files read through the contents API (besides workflows). */
export const REPO_FILES = [
  'SECURITY.md',
  '.github/SECURITY.md',
  'docs/SECURITY.md',
  'CODEOWNERS',
  '.github/CODEOWNERS',
  '.github/merge_rules.yaml',
] as const;

// Bounds on what one audit reads: real repositories have a handful of environments and a few
// dozen workflows; a hostile or huge one must not turn the audit into thousands of requests.
const MAX_RELEASE_BRANCHES = 10;
const MAX_ENVIRONMENTS = 50;
const MAX_RULESETS = 20;
const MAX_WORKFLOWS = 100;
// The contents API returns file content inline only up to 1 MB.
const MAX_FILE_BYTES = 1024 * 1024;
const WORKFLOW_LIMITS = makeLimits({ maxTextBytes: MAX_FILE_BYTES });

// Branch names that carry releases (PyTorch: release/2.5; others: releases/x, v1.2, release-1.2).
const RELEASE_BRANCH = /^(?:release|releases)\/|^release-|^v?\d+\.\d+(?:\.\d+)?$/;

/**
 * Reads everything `repo audit` needs about `owner/repo`. Never throws for what the server
 * answers: each endpoint's outcome is an ApiRead. When the repository itself cannot be read,
 * nothing else is requested.
 */
export async function collectRepoSnapshot(
  client: GitHubClient,
  owner: string,
  repo: string,
  options: CollectOptions = {},
): Promise<RepoSnapshot> {
  const reads: ApiRead[] = [];
  const base = { owner, repo };
  const prefix = `repos/${owner}/${repo}`;
  const get = async (
    endpoint: string,
    path: string,
    params: Record<string, unknown> = {},
    absentWhen?: (reason: string) => boolean,
  ): Promise<ApiRead> => {
    const read = toRead(
      endpoint,
      `${prefix}${path}`,
      await client.get(endpoint, { ...base, ...params }),
      absentWhen,
    );
    reads.push(read);
    return read;
  };
  const list = async (
    endpoint: string,
    path: string,
    params: Record<string, unknown> = {},
  ): Promise<ApiRead> => {
    const read = toRead(
      endpoint,
      `${prefix}${path}`,
      await client.list(endpoint, { ...base, ...params }),
    );
    reads.push(read);
    return read;
  };

  const repository = await get('/repos/{owner}/{repo}', '');
  const repoData = dataOf(repository);
  if (repository.state !== 'ok' || !isObject(repoData)) {
    const skipped = (endpoint: string, path: string): ApiRead => ({
      state: 'failed',
      endpoint,
      uri: `${prefix}${path}`,
      code: 'HTTP',
      status: undefined,
      reason: 'not read: the repository itself could not be read',
    });
    return {
      owner,
      repo,
      repository,
      defaultBranch: undefined,
      isPublic: undefined,
      branches: [],
      actionsPermissions: skipped(
        '/repos/{owner}/{repo}/actions/permissions',
        '/actions/permissions',
      ),
      workflowPermissions: skipped(
        '/repos/{owner}/{repo}/actions/permissions/workflow',
        '/actions/permissions/workflow',
      ),
      forkPrApproval: skipped(
        '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval',
        '/actions/permissions/fork-pr-contributor-approval',
      ),
      runners: skipped('/repos/{owner}/{repo}/actions/runners', '/actions/runners'),
      environments: skipped('/repos/{owner}/{repo}/environments', '/environments'),
      environmentDetails: [],
      secrets: skipped('/repos/{owner}/{repo}/actions/secrets', '/actions/secrets'),
      releases: skipped('/repos/{owner}/{repo}/releases', '/releases'),
      files: [],
      workflowList: skipped('/repos/{owner}/{repo}/contents/{path}', '/contents/.github/workflows'),
      workflows: [],
      privateVulnerabilityReporting: skipped(
        '/repos/{owner}/{repo}/private-vulnerability-reporting',
        '/private-vulnerability-reporting',
      ),
      reads,
    };
  }
  const defaultBranch = str(repoData, 'default_branch');
  const visibility = str(repoData, 'visibility');
  const isPublic =
    visibility === undefined ? bool(repoData, 'private') === false : visibility === 'public';

  // Branches: the default one, then those asked for or, failing that, release-like ones.
  const wanted: { name: string; role: BranchSnapshot['role'] }[] = [];
  if (defaultBranch !== undefined) wanted.push({ name: defaultBranch, role: 'default' });
  if (options.branches !== undefined && options.branches.length > 0) {
    for (const name of options.branches) {
      if (!wanted.some((w) => w.name === name)) wanted.push({ name, role: 'requested' });
    }
  } else {
    const branchList = await list('/repos/{owner}/{repo}/branches', '/branches');
    for (const item of branchList.state === 'ok' && Array.isArray(branchList.doc.value)
      ? branchList.doc.value
      : []) {
      const name = str(item, 'name');
      if (name === undefined || !RELEASE_BRANCH.test(name) || wanted.some((w) => w.name === name))
        continue;
      wanted.push({ name, role: 'release' });
      if (wanted.length > MAX_RELEASE_BRANCHES) break;
    }
  }
  const branches: BranchSnapshot[] = [];
  for (const { name, role } of wanted) {
    const enc = encodeURIComponent(name);
    // 404 "Branch not protected" is GitHub's answer for an unprotected branch, not a failure.
    const protection = await get(
      '/repos/{owner}/{repo}/branches/{branch}/protection',
      `/branches/${enc}/protection`,
      { branch: name },
      (reason) => /not protected/i.test(reason),
    );
    const rules = await list(
      '/repos/{owner}/{repo}/rules/branches/{branch}',
      `/rules/branches/${enc}`,
      {
        branch: name,
      },
    );
    const ids = new Set<number>();
    for (const rule of rules.state === 'ok' && Array.isArray(rules.doc.value)
      ? rules.doc.value
      : []) {
      const id = num(rule, 'ruleset_id');
      if (id !== undefined && Number.isSafeInteger(id) && id > 0) ids.add(id);
      if (ids.size >= MAX_RULESETS) break;
    }
    const rulesets: ApiRead[] = [];
    for (const id of ids) {
      rulesets.push(
        await get('/repos/{owner}/{repo}/rulesets/{ruleset_id}', `/rulesets/${id}`, {
          ruleset_id: id,
          includes_parents: true,
        }),
      );
    }
    branches.push({ name, role, protection, rules, rulesets });
  }

  const actionsPermissions = await get(
    '/repos/{owner}/{repo}/actions/permissions',
    '/actions/permissions',
  );
  const workflowPermissions = await get(
    '/repos/{owner}/{repo}/actions/permissions/workflow',
    '/actions/permissions/workflow',
  );
  const forkPrApproval = await get(
    '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval',
    '/actions/permissions/fork-pr-contributor-approval',
  );
  const runners = await list('/repos/{owner}/{repo}/actions/runners', '/actions/runners');
  const environments = await list('/repos/{owner}/{repo}/environments', '/environments');
  const environmentDetails: EnvironmentSnapshot[] = [];
  const envList =
    environments.state === 'ok' && Array.isArray(environments.doc.value)
      ? (environments.doc.value as unknown[])
      : [];
  for (let index = 0; index < envList.length && index < MAX_ENVIRONMENTS; index++) {
    const env = envList[index];
    const name = str(env, 'name');
    if (name === undefined || name.length > 255) continue;
    const enc = encodeURIComponent(name);
    const policy = field(env, 'deployment_branch_policy');
    const branchPolicies =
      bool(policy, 'custom_branch_policies') === true
        ? await list(
            '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
            `/environments/${enc}/deployment-branch-policies`,
            { environment_name: name },
          )
        : undefined;
    const secrets = await list(
      '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
      `/environments/${enc}/secrets`,
      { environment_name: name },
    );
    environmentDetails.push({ name, index, branchPolicies, secrets });
  }
  const secrets = await list('/repos/{owner}/{repo}/actions/secrets', '/actions/secrets');
  const releases = await list('/repos/{owner}/{repo}/releases', '/releases');

  const readFile = async (path: string): Promise<FileSnapshot> => {
    const raw = await client.get('/repos/{owner}/{repo}/contents/{path}', { ...base, path });
    const endpoint = '/repos/{owner}/{repo}/contents/{path}';
    const uri = `${prefix}/contents/${path}`;
    if (!raw.ok) {
      const read = toRead(endpoint, uri, raw, () => raw.status === 404);
      reads.push(read);
      return { path, read, text: undefined };
    }
    const decoded = decodeContent(raw.data);
    const read: ApiRead =
      typeof decoded === 'string'
        ? { state: 'ok', endpoint, uri, doc: locateJson(metadataOf(raw.data)), truncated: false }
        : {
            state: 'failed',
            endpoint,
            uri,
            code: 'MALFORMED',
            status: raw.status,
            reason: decoded.error,
          };
    reads.push(read);
    return { path, read, text: typeof decoded === 'string' ? decoded : undefined };
  };
  const files: FileSnapshot[] = [];
  for (const path of REPO_FILES) files.push(await readFile(path));

  const workflowList = await get(
    '/repos/{owner}/{repo}/contents/{path}',
    '/contents/.github/workflows',
    { path: '.github/workflows' },
    () => true,
  );
  const workflows: WorkflowSnapshot[] = [];
  const listing = dataOf(workflowList);
  for (const entry of Array.isArray(listing) ? listing.slice(0, MAX_WORKFLOWS) : []) {
    const name = str(entry, 'name');
    // Names come from the server: only plain file names, never a path that walks elsewhere.
    if (name === undefined || !/^[\w.-]{1,200}\.ya?ml$/.test(name) || name.startsWith('.'))
      continue;
    if (str(entry, 'type') !== 'file') continue;
    const path = `.github/workflows/${name}`;
    const file = await readFile(path);
    let model: WorkflowModel | undefined;
    let error: string | undefined;
    if (file.text !== undefined) {
      try {
        model = parseWorkflow(file.text, path, 'workflow', WORKFLOW_LIMITS);
      } catch (e) {
        error = (e as Error).message;
      }
    }
    workflows.push({ ...file, model, ...(error === undefined ? {} : { error }) });
  }
  attachLocalCallees(workflows);
  const privateVulnerabilityReporting = await get(
    '/repos/{owner}/{repo}/private-vulnerability-reporting',
    '/private-vulnerability-reporting',
  );
  return {
    owner,
    repo,
    repository,
    defaultBranch,
    isPublic,
    branches,
    actionsPermissions,
    workflowPermissions,
    forkPrApproval,
    runners,
    environments,
    environmentDetails,
    secrets,
    releases,
    files,
    workflowList,
    workflows,
    privateVulnerabilityReporting,
    reads,
  };
}

/** Turns a client result into a read; `absentWhen` says which failures mean "not configured". */
export function toRead(
  endpoint: string,
  uri: string,
  result: ApiResult<unknown>,
  absentWhen?: (reason: string) => boolean,
): ApiRead {
  if (result.ok) {
    return {
      state: 'ok',
      endpoint,
      uri,
      doc: locateJson(result.data),
      truncated: result.truncated,
    };
  }
  if (result.code === 'HTTP' && result.status === 404 && absentWhen?.(result.reason) === true) {
    return { state: 'absent', endpoint, uri, reason: result.reason };
  }
  return {
    state: 'failed',
    endpoint,
    uri,
    code: result.code,
    status: result.status,
    reason: result.reason,
  };
}

/** Decodes a contents-API file object; an object with an error for anything else. */
function decodeContent(data: unknown): string | { error: string } {
  if (!isObject(data)) return { error: 'the contents response is not a file object' };
  if (str(data, 'type') !== 'file') return { error: 'the path is not a file' };
  const size = num(data, 'size');
  if (size === undefined || size > MAX_FILE_BYTES)
    return { error: 'the file is missing a size or too large' };
  const content = str(data, 'content');
  if (str(data, 'encoding') !== 'base64' || content === undefined) {
    return { error: 'the file content is not inline base64' };
  }
  const compact = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length > (MAX_FILE_BYTES * 4) / 3 + 4) {
    return { error: 'the file content is not valid base64' };
  }
  const bytes = Buffer.from(compact, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { error: 'the file is not UTF-8 text' };
  }
}

/** A contents-API object without its (large, base64) content, for reports. */
function metadataOf(data: unknown): unknown {
  if (!isObject(data)) return data;
  return Object.fromEntries(
    Object.entries(data).filter(([k]) => k !== 'content' && k !== '_links'),
  );
}

/** Attaches the local reusable workflows each workflow calls (one level, from what was read). */
function attachLocalCallees(workflows: readonly WorkflowSnapshot[]): void {
  const byPath = new Map<string, WorkflowModel>();
  for (const w of workflows) if (w.model !== undefined) byPath.set(w.path, w.model);
  for (const w of workflows) {
    if (w.model === undefined) continue;
    for (const ref of localReferences(w.model)) {
      if (ref.kind !== 'workflow') continue;
      const callee = byPath.get(ref.path.replace(/^\.\//, ''));
      if (callee !== undefined && callee !== w.model) ref.attach(callee);
    }
  }
}
