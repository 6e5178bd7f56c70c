import { findPipInstalls } from '../../formats/shell/pip.js';
import type { ShellWord } from '../../formats/shell/tokenize.js';
import { isExactPin, parseRequirementSpec } from '../../formats/python/requirements.js';
import { defineRule, type RuleContext } from '../define-rule.js';
import type { PythonNeeds } from './needs.js';
import type { CodeAuditInput } from './input.js';

type Message =
  'unpinned' | 'urlUnpinned' | 'extraIndex' | 'trustedHost' | 'noHashes' | 'requirementsNoHashes';

const COMMIT_REF = /@[0-9a-f]{40}(?:[#&]|$)/;
const HASH_FRAGMENT = /#(?:sha256|sha384|sha512)=[0-9a-f]{64,128}/i;

/** Nothing: this rule reads shell commands and requirements files, not the Python model. */
export const pythonNeeds: PythonNeeds = {};

/**
 * `pip install` in shell scripts, Dockerfiles and notebooks of packages that are not pinned,
 * URLs and git refs without a commit or hash, `--extra-index-url` (dependency confusion, as with
 * torchtriton in December 2022), `--trusted-host`, and image builds without `--require-hashes`;
 * requirements files with such options, unpinned URLs or no hashes at all.
 */
export default defineRule<CodeAuditInput, Message>({
  id: 'code/unverified-install',
  title: 'Python package installed without verification',
  target: 'code',
  severity: 'medium',
  confidence: 'medium',
  policy: 'pytorch SECURITY.md: check for a provenance or checksums; SLSA dependency pinning',
  messages: {
    unpinned:
      '`pip install {{package}}` takes whatever version the index serves today; pin it (==) and verify hashes',
    urlUnpinned:
      '`{{package}}` is installed from a URL without a commit or hash: its content can change',
    extraIndex:
      '--extra-index-url {{url}} lets the public index and this one compete for every name (dependency confusion, as with torchtriton in 2022); use --index-url with one index, or hashes',
    trustedHost: '--trusted-host {{host}} turns off TLS verification for that host',
    noHashes:
      'the image installs Python packages without --require-hashes: a changed or substituted package goes unnoticed',
    requirementsNoHashes:
      'no requirement in this file carries --hash: pip cannot tell a substituted package (use pip-compile --generate-hashes)',
  },
  check(ctx, input) {
    for (const command of input.commands) {
      const pip = findPipInstalls(command);
      if (pip === undefined) continue;
      let requireHashes = false;
      for (const option of pip.options) {
        if (option.name === '--require-hashes') requireHashes = true;
        if (option.name === '--extra-index-url' && option.value !== undefined) {
          ctx.report({
            messageId: 'extraIndex',
            data: { url: option.value.value },
            at: { span: option.word.span, path: ['pip', 'install'] },
            severity: 'high',
          });
        } else if (option.name === '--trusted-host' && option.value !== undefined) {
          ctx.report({
            messageId: 'trustedHost',
            data: { host: option.value.value },
            at: { span: option.word.span, path: ['pip', 'install'] },
          });
        }
      }
      for (const word of [...pip.packages, ...pip.editables])
        checkPackage(ctx, word, pip.editables.includes(word));
      if (
        input.kind === 'dockerfile' &&
        !requireHashes &&
        (pip.packages.length > 0 || pip.requirementFiles.length > 0)
      ) {
        const first = pip.command.words[0];
        ctx.report({
          messageId: 'noHashes',
          at: { span: first?.span ?? pip.command.span, path: ['pip', 'install'] },
          severity: 'low',
        });
      }
    }
    const file = input.requirements;
    if (file === undefined) return;
    for (const option of file.options) {
      if (option.option === '--extra-index-url') {
        ctx.report({
          messageId: 'extraIndex',
          data: { url: option.value },
          at: { span: option.span, path: ['requirements'] },
          severity: 'high',
        });
      } else if (option.option === '--trusted-host') {
        ctx.report({
          messageId: 'trustedHost',
          data: { host: option.value },
          at: { span: option.span, path: ['requirements'] },
        });
      }
    }
    for (const requirement of file.requirements) {
      if (
        requirement.url !== undefined &&
        requirement.hashes === 0 &&
        !COMMIT_REF.test(requirement.url) &&
        !HASH_FRAGMENT.test(requirement.url) &&
        !isLocal(requirement.url)
      ) {
        ctx.report({
          messageId: 'urlUnpinned',
          data: { package: requirement.url },
          at: { span: requirement.span, path: ['requirements', requirement.name] },
        });
      }
    }
    const first = file.requirements.find((r) => !r.editable);
    if (first !== undefined && file.requirements.every((r) => r.hashes === 0)) {
      ctx.report({
        messageId: 'requirementsNoHashes',
        at: { span: first.span, path: ['requirements'] },
        severity: 'low',
      });
    }
  },
});

function isLocal(url: string): boolean {
  return url.startsWith('file:') || url.startsWith('.') || url.startsWith('/');
}

function checkPackage(ctx: RuleContext<Message>, word: ShellWord, editable: boolean): void {
  const value = word.value;
  if (word.dynamic || value === '' || isLocal(value) || value.startsWith('~')) return;
  // A local wheel or archive path (no scheme) is the user's own file.
  if (!value.includes('://') && /\.(?:whl|tar\.gz|zip)$/.test(value)) return;
  const spec = parseRequirementSpec(value);
  if (spec === undefined) return;
  if (spec.url !== undefined) {
    if (COMMIT_REF.test(spec.url) || HASH_FRAGMENT.test(spec.url) || isLocal(spec.url)) return;
    ctx.report({
      messageId: 'urlUnpinned',
      data: { package: value },
      at: { span: word.span, path: ['pip', 'install', value] },
    });
    return;
  }
  if (editable) return;
  if (!isExactPin(spec.specifier)) {
    ctx.report({
      messageId: 'unpinned',
      data: { package: value },
      at: { span: word.span, path: ['pip', 'install', spec.name] },
    });
  }
}
