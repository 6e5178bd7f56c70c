import type { WorkflowModel } from '../workflows/model.js';
import type { ApiFailureCode } from './client.js';
import type { LocatedJson } from './located-json.js';

/**
 * One endpoint as read: its JSON located for reports (`ok`), an answer that the thing does not
 * exist (`absent`: a 404 that GitHub documents as "not configured", such as an unprotected
 * branch or a missing file), or a read that failed (`failed`: no access, rate limit, malformed).
 */
export type ApiRead =
  | {
      readonly state: 'ok';
      /** The route template, `GET /repos/{owner}/{repo}/…`. */
      readonly endpoint: string;
      /** The concrete path without the API root, `repos/o/r/…`: the report's file path. */
      readonly uri: string;
      readonly doc: LocatedJson;
      /** A list cut at the page cap. */
      readonly truncated: boolean;
    }
  | {
      readonly state: 'absent';
      readonly endpoint: string;
      readonly uri: string;
      readonly reason: string;
    }
  | {
      readonly state: 'failed';
      readonly endpoint: string;
      readonly uri: string;
      readonly code: ApiFailureCode;
      readonly status: number | undefined;
      readonly reason: string;
    };

/** A branch the audit checks, and why. */
export interface BranchSnapshot {
  readonly name: string;
  readonly role: 'default' | 'release' | 'requested';
  /** Classic branch protection. */
  readonly protection: ApiRead;
  /** Rules from rulesets that apply to the branch (`/rules/branches/{branch}`). */
  readonly rules: ApiRead;
  /** The rulesets those rules come from, for their bypass lists. */
  readonly rulesets: readonly ApiRead[];
}

/** One deployment environment and what was read about it. */
export interface EnvironmentSnapshot {
  readonly name: string;
  /** Index in the environments list (for locating reports). */
  readonly index: number;
  /** Custom deployment branch policies, read only when the environment uses them. */
  readonly branchPolicies: ApiRead | undefined;
  readonly secrets: ApiRead;
}

/** A repository file read through the contents API. */
export interface FileSnapshot {
  readonly path: string;
  readonly read: ApiRead;
  /** Decoded UTF-8 text when the read succeeded. */
  readonly text: string | undefined;
}

/** A workflow file and its parsed model (undefined when unreadable or malformed). */
export interface WorkflowSnapshot extends FileSnapshot {
  readonly model: WorkflowModel | undefined;
  /** Why the file could not be parsed as a workflow. */
  readonly error?: string;
}

/** Everything `repo audit` read about one repository: the input of every `repo/*` rule. */
export interface RepoSnapshot {
  readonly owner: string;
  readonly repo: string;
  readonly repository: ApiRead;
  readonly defaultBranch: string | undefined;
  /** Visibility is public; undefined when the repository could not be read. */
  readonly isPublic: boolean | undefined;
  readonly branches: readonly BranchSnapshot[];
  readonly actionsPermissions: ApiRead;
  readonly workflowPermissions: ApiRead;
  readonly forkPrApproval: ApiRead;
  readonly runners: ApiRead;
  readonly environments: ApiRead;
  readonly environmentDetails: readonly EnvironmentSnapshot[];
  readonly secrets: ApiRead;
  readonly releases: ApiRead;
  /** SECURITY.md candidates, CODEOWNERS, merge rules. */
  readonly files: readonly FileSnapshot[];
  readonly workflowList: ApiRead;
  readonly workflows: readonly WorkflowSnapshot[];
  readonly privateVulnerabilityReporting: ApiRead;
  /** Every read, in the order made (the unreadable-endpoint rule walks these). */
  readonly reads: readonly ApiRead[];
}

/** Whether `value` is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when it is a string. */
export function str(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'string' ? v : undefined;
}

/** `value[key]` when it is a boolean. */
export function bool(value: unknown, key: string): boolean | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** `value[key]` when it is a finite number. */
export function num(value: unknown, key: string): number | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `value[key]` when it is an array, else an empty array. */
export function arr(value: unknown, key: string): readonly unknown[] {
  if (!isObject(value)) return [];
  const v = value[key];
  return Array.isArray(v) ? v : [];
}

/** `value[key]` (undefined when `value` is not an object). */
export function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** The JSON of a successful read, or undefined. */
export function dataOf(read: ApiRead | undefined): unknown {
  return read?.state === 'ok' ? read.doc.value : undefined;
}

/** A file's text when it was read. */
export function fileText(snapshot: RepoSnapshot, path: string): string | undefined {
  return snapshot.files.find((f) => f.path === path)?.text;
}

/** Items of a list read (empty unless it succeeded). */
export function itemsOf(read: ApiRead | undefined): readonly unknown[] {
  const value = dataOf(read);
  return Array.isArray(value) ? value : [];
}

/** Every `name` in a list read (`[{ name }]`). */
export function namesIn(read: ApiRead | undefined): string[] {
  return itemsOf(read).flatMap((item) => str(item, 'name') ?? []);
}
