import type { Span } from '../../core/finding.js';
import type { PyCall, PythonModel, PyValue } from '../../formats/python/model.js';
import type { RequirementsFile } from '../../formats/python/requirements.js';
import type { DockerInstruction } from '../../formats/shell/dockerfile.js';
import type { ShellCommand } from '../../formats/shell/tokenize.js';

/** The kinds of file the code audit reads, by name. */
export type CodeFileKind =
  | 'python'
  | 'notebook'
  | 'shell'
  | 'dockerfile'
  | 'requirements'
  | 'pyproject'
  | 'setup-cfg'
  | 'conda';

/**
 * What the repository says about its torch version (requirements, pyproject, setup.cfg, conda,
 * Dockerfile `pip install torch==`): whether every declared version is at least 2.6 (where
 * `torch.load` defaults to `weights_only=True`), may be older, is always older, or is unknown.
 */
export interface DeclaredTorch {
  readonly status: 'unknown' | 'may-be-older' | 'at-least-2.6' | 'older';
  readonly declarations: readonly {
    readonly spec: string;
    readonly uri: string;
    readonly line: number;
  }[];
}

/** Why a code file could not be read or parsed in full. */
export interface CodeProblem {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
}

/** One file for the `code/*` rules. Spans are UTF-16 offsets into the file's text (a notebook's
 * into its code cells joined, mapped back to the file by the engine). */
export interface CodeAuditInput {
  readonly kind: CodeFileKind;
  /** Python files and notebooks. */
  readonly python?: PythonModel;
  /** Shell commands: shell scripts, Dockerfile RUN/CMD/ENTRYPOINT, notebook `!`/`%pip` lines. */
  readonly commands: readonly ShellCommand[];
  readonly docker?: readonly DockerInstruction[];
  readonly requirements?: RequirementsFile;
  readonly torch: DeclaredTorch;
  /** Why the file could not be read or parsed in full (the `code/parse-error` finding). */
  readonly problem?: CodeProblem;
}

/** The argument a call passes as keyword `name` or at `position` (when no `*args` precedes). */
export function argument(
  call: PyCall,
  name: string,
  position?: number,
): (PyValue & { readonly nameSpan?: Span }) | undefined {
  const keyword = call.keywords.get(name);
  if (keyword !== undefined) return keyword;
  return position === undefined ? undefined : call.positional[position];
}

/** The last part of a dotted name (`a.b.load` → `load`). */
export function lastPart(name: string | undefined): string {
  if (name === undefined) return '';
  return name.slice(name.lastIndexOf('.') + 1);
}

/** The logical path of a finding in Python: the enclosing function and the callee. */
export function callPath(call: PyCall): (string | number)[] {
  return [call.scope, call.name ?? '?'];
}

const PRIVATE_V4 = [
  [10, 0, 8],
  [172, 16, 12],
  [192, 168, 16],
  [127, 0, 8],
  [169, 254, 16],
  [100, 64, 10],
] as const;

/**
 * Whether a host string makes a listener reachable from other machines: all interfaces
 * (`0.0.0.0`, `::`, `*`, `[::]`) or a public IPv4 address. Names and private addresses are not.
 */
export function exposure(host: string): 'all-interfaces' | 'public' | undefined {
  const h = host.trim().replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0' || h === '::' || h === '*' || h === '') {
    return h === '' ? undefined : 'all-interfaces';
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (m === null) return undefined;
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const value =
    (((octets[0] ?? 0) << 24) >>> 0) +
    ((octets[1] ?? 0) << 16) +
    ((octets[2] ?? 0) << 8) +
    (octets[3] ?? 0);
  for (const [a, b, bits] of PRIVATE_V4) {
    const base = ((a << 24) >>> 0) + (b << 16);
    const mask = (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (base & mask) >>> 0) return undefined;
  }
  return 'public';
}

/** The host of `tcp://HOST:PORT`, `HOST:PORT` or `[v6]:PORT`. */
export function hostOf(endpoint: string): string {
  const url = /^[a-z]+:\/\/(.*)$/i.exec(endpoint)?.[1] ?? endpoint;
  const bracket = /^\[([^\]]*)\]/.exec(url);
  if (bracket !== null) return bracket[1] ?? '';
  const colon = url.indexOf(':');
  return (colon < 0 ? url : url.slice(0, colon)).replace(/\/.*$/, '');
}
