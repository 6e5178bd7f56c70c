import { evaluate, mayRun, UNKNOWN } from '../../../workflows/conditions.js';
import type { EventContext } from '../../../workflows/conditions.js';
import { findExpressions } from '../../../workflows/expressions.js';
import type { Step } from '../../../workflows/model.js';
import { stepAction, stepInput } from '../../../workflows/steps.js';
import { trailingComment } from '../../../workflows/uses-sites.js';
import { parseUses } from '../../../workflows/uses.js';
import type { YMap, YScalar } from '../../../workflows/yaml-tree.js';

import type { Evidence } from './publishing.js';

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
