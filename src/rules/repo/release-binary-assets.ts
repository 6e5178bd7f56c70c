import type { RepoSnapshot } from '../../github/snapshot.js';
import { arr, itemsOf, str } from '../../github/snapshot.js';
import { defineRule } from '../define-rule.js';
import { atRead } from './locate.js';

// File endings of built binaries: wheels, installers, shared libraries, executables, packages,
// and model weights. Checked on the lower-cased name with endsWith (no regex over input).
const BINARY_ENDINGS = [
  '.whl',
  '.egg',
  '.exe',
  '.dll',
  '.so',
  '.dylib',
  '.dmg',
  '.pkg',
  '.msi',
  '.deb',
  '.rpm',
  '.apk',
  '.appimage',
  '.jar',
  '.nupkg',
  '.gem',
  '.bin',
  '.pt',
  '.pth',
  '.safetensors',
  '.onnx',
  '.a',
  '.lib',
  '.node',
  '.snap',
  '.flatpak',
  '.xpi',
  '.crx',
  '.vsix',
];
const ARCHIVE_ENDINGS = [
  '.tar.gz',
  '.tgz',
  '.tar.xz',
  '.txz',
  '.tar.bz2',
  '.tar.zst',
  '.zip',
  '.7z',
  '.rar',
];
// Words that mark an archive as a platform build rather than sources.
const PLATFORM =
  /(?:^|[-_.])(?:linux|win(?:dows)?|win32|win64|mac(?:os)?|darwin|osx|x86_64|x64|amd64|arm64|aarch64|i[36]86|manylinux\w*|musl|cu\d+|rocm\d*|cpu|gpu|bin|binaries|release-build)(?=$|[-_.])/;

/** `binary`, `archive` (a built archive), or undefined for sources, checksums and signatures. */
export function classifyAsset(name: string): 'binary' | 'archive' | undefined {
  const lower = name.toLowerCase();
  if (BINARY_ENDINGS.some((e) => lower.endsWith(e)) || /\.so\.\d+(?:\.\d+)*$/.test(lower))
    return 'binary';
  const ending = ARCHIVE_ENDINGS.find((e) => lower.endsWith(e));
  if (ending === undefined) return undefined;
  const stem = lower.slice(0, -ending.length);
  // Source archives (PyTorch's pytorch-v2.5.0.tar.gz, an sdist) carry no platform in their name.
  if (/(?:^|[-_.])(?:src|source|sources|sdist)(?=$|[-_.])/.test(stem)) return undefined;
  if (!PLATFORM.test(stem) && /^[a-z0-9_.+]+(?:-[a-z0-9_.+]+)*-v?\d[\w.+]*$/.test(stem))
    return undefined;
  return 'archive';
}

export default defineRule<RepoSnapshot, 'binary' | 'archive'>({
  id: 'repo/release-binary-assets',
  title: 'Binary artifact published on GitHub Releases',
  target: 'github',
  severity: 'high',
  confidence: 'high',
  policy: 'PyTorch P11 (no binaries on GitHub Releases)',
  messages: {
    binary:
      'Release `{{release}}` carries binary asset `{{asset}}`: release assets have no provenance and any maintainer token can replace them. Publish binaries to the package index (with attestations) and delete the asset (Releases → {{release}} → Edit).',
    archive:
      'Release `{{release}}` carries `{{asset}}`, which looks like a built archive rather than sources. Keep only source archives on Releases and publish builds to the package index (Releases → {{release}} → Edit).',
  },
  check(ctx, snapshot) {
    itemsOf(snapshot.releases).forEach((release, r) => {
      const tag = str(release, 'tag_name') ?? str(release, 'name') ?? `#${r}`;
      arr(release, 'assets').forEach((asset, a) => {
        const name = str(asset, 'name');
        const kind = name === undefined ? undefined : classifyAsset(name);
        if (name === undefined || kind === undefined) return;
        ctx.report({
          messageId: kind,
          data: { release: tag, asset: name },
          at: atRead(snapshot.releases, [r, 'assets', a, 'name']),
          ...(kind === 'archive' ? { severity: 'medium' as const } : {}),
        });
      });
    });
  },
});
