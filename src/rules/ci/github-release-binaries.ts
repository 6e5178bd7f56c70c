import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction, stepInput } from '../../workflows/steps.js';
import type { Step } from '../../workflows/model.js';
import type { YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Inputs that name release assets, per action.
const ASSET_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'softprops/action-gh-release': ['files'],
  'svenstaro/upload-release-action': ['file'],
  'ncipollo/release-action': ['artifacts'],
  'actions/upload-release-asset': ['asset_path'],
};

// Compiled or packaged outputs: wheels, shared libraries, installers, archives of builds.
const BINARY_EXTENSIONS = [
  '.whl',
  '.so',
  '.dll',
  '.exe',
  '.dmg',
  '.pkg',
  '.msi',
  '.deb',
  '.rpm',
  '.appimage',
  '.apk',
  '.jar',
  '.dylib',
  '.a',
  '.lib',
  '.bin',
  '.node',
  '.snap',
  '.nupkg',
  '.egg',
  '.conda',
  '.pyd',
  '.wasm',
  '.xpi',
  '.vsix',
  '.ipa',
];
// An archive is a build output when its name says which platform it was built for.
const PLATFORM_HINT =
  /linux|macos|darwin|windows|win32|win64|x86_64|amd64|arm64|aarch64|cuda|cu1\d|libtorch|manylinux|musl|-bin\b/i;
const ARCHIVE = /\.(?:tar\.gz|tgz|tar\.xz|tar\.bz2|tar\.zst|zip|7z)$/i;

/** `binary`, `wildcard` (may include binaries), or undefined for a source archive / metadata. */
function classifyAsset(name: string): 'binary' | 'wildcard' | undefined {
  const lower = name.trim().toLowerCase().replace(/["']/g, '');
  if (lower === '') return undefined;
  if (BINARY_EXTENSIONS.some((ext) => lower.endsWith(ext))) return 'binary';
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  if (ARCHIVE.test(base)) return PLATFORM_HINT.test(base) ? 'binary' : undefined;
  if (base === '' || base === '*' || base === '**' || base === '*.*' || lower.endsWith('/*')) {
    return 'wildcard';
  }
  return undefined;
}

/** Asset names of a `gh release upload|create` command line (positional arguments after the tag). */
function ghReleaseAssets(script: string): string[] {
  const out: string[] = [];
  for (const line of script.split('\n')) {
    if (!line.includes('release')) continue;
    const tokens = line.trim().split(/\s+/);
    const index = tokens.findIndex((t, i) => t === 'gh' && tokens[i + 1] === 'release');
    if (index < 0) continue;
    const verb = tokens[index + 2];
    if (verb !== 'upload' && verb !== 'create') continue;
    let tagSeen = false;
    for (let i = index + 3; i < tokens.length; i++) {
      const token = tokens[i] ?? '';
      if (token === '\\' || token === '&&' || token === '||' || token === ';') break;
      if (token.startsWith('-')) {
        // Flags with a value: --title, --notes, --repo, -t, -n, -R, --target, --notes-file.
        if (
          !token.includes('=') &&
          /^(?:-[tnRF]|--(?:title|notes|notes-file|repo|target|discussion-category))$/.test(token)
        )
          i++;
        continue;
      }
      if (!tagSeen) {
        tagSeen = true;
        continue;
      }
      out.push(token.split('#')[0] ?? token);
    }
  }
  return out;
}

/** The assets a step attaches to a release, each with the scalar that names it. */
function assets(step: Step): { scalar: YScalar; name: string }[] {
  const name = stepAction(step);
  const inputs = name === undefined ? undefined : ASSET_INPUTS[name];
  if (inputs !== undefined) {
    for (const input of inputs) {
      const value = stepInput(step, input);
      if (value !== undefined) {
        return value.text.split(/[\n,]/).map((asset) => ({ scalar: value, name: asset }));
      }
      // A YAML list of files (pytorch/pytorch create_release.yml writes them so).
      const list = step.with?.entries.get(input)?.value;
      if (list?.kind === 'seq') {
        return list.items.flatMap((item) =>
          item.kind === 'scalar' ? [{ scalar: item, name: item.text }] : [],
        );
      }
    }
    return [];
  }
  if (step.run?.text.includes('release') === true) {
    const run = step.run;
    return ghReleaseAssets(run.text).map((asset) => ({ scalar: run, name: asset }));
  }
  return [];
}

export default defineRule<WorkflowAuditInput, 'binary' | 'wildcard'>({
  id: 'ci/github-release-binaries',
  title: 'Binaries attached to a GitHub Release',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: [] },
  policy: 'PyTorch P11 (no binaries on GitHub Releases)',
  messages: {
    binary:
      '`{{asset}}` is a built binary attached to a GitHub Release, where anyone with write access can replace it and users cannot tell; publish binaries only through the package index or download server. Source archives are fine.',
    wildcard:
      '`{{asset}}` attaches whatever the build left there to a GitHub Release, which may include binaries; list the source archives explicitly.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        const named = assets(step);
        if (named.length === 0) continue;
        const kinds = named.map(({ scalar, name }) => ({
          scalar,
          name,
          kind: classifyAsset(name),
        }));
        const hit =
          kinds.find((k) => k.kind === 'binary') ?? kinds.find((k) => k.kind === 'wildcard');
        if (hit?.kind === undefined) continue;
        ctx.report({
          messageId: hit.kind,
          data: { asset: hit.name.trim() },
          at: at(hit.scalar),
          ...(hit.kind === 'wildcard' ? { severity: 'medium' as const } : {}),
        });
      }
    }
  },
});
