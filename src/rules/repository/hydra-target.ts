import { defineRule } from '../define-rule.js';
import type { RepositoryFile } from './input.js';
import { documentPairs, scalarString } from './yaml-walk.js';

// Hydra's instantiate() imports and calls whatever `_target_` names (CVE-2025-23304 in NeMo).
// Targets under these packages are the classes model configs normally build.
const ALLOWED_PREFIXES = [
  'torch.nn.',
  'torch.optim.',
  'torch.utils.data.',
  'torchvision.',
  'torchaudio.',
  'transformers.',
  'diffusers.',
  'peft.',
  'timm.',
  'nemo.collections.',
  'nemo.core.',
  'lightning.',
  'pytorch_lightning.',
  'omegaconf.',
  'hydra.',
];
// Module roots that give code execution, file access or imports outright.
const DANGEROUS_ROOTS = new Set([
  'os',
  'posix',
  'nt',
  'subprocess',
  'builtins',
  '__builtin__',
  'sys',
  'shutil',
  'socket',
  'importlib',
  'pickle',
  'runpy',
  'pty',
  'ctypes',
  'code',
  'pydoc',
  'webbrowser',
  'eval',
  'exec',
  'getattr',
  'open',
  '__import__',
]);

/** Hydra `_target_` values outside the usual model-building packages. */
export default defineRule<RepositoryFile, 'dangerous' | 'unlisted'>({
  id: 'repository/hydra-target',
  title: 'Config instantiates an arbitrary Hydra _target_',
  target: 'repository',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-94',
  verdict: 'malicious',
  messages: {
    dangerous:
      '`_target_: {{target}}` makes hydra.utils.instantiate call into `{{root}}` (CVE-2025-23304)',
    unlisted:
      '`_target_: {{target}}` is outside the usual model packages; instantiate() imports and calls it',
  },
  check(ctx, file) {
    if (file.document === undefined) return;
    for (const pair of documentPairs(file.document)) {
      if (pair.key !== '_target_') continue;
      const target = scalarString(pair.value);
      if (target === undefined || ALLOWED_PREFIXES.some((p) => target.startsWith(p))) continue;
      const root = target.split('.')[0] ?? target;
      const at = { span: pair.span, path: pair.path, unit: 'char' as const };
      if (DANGEROUS_ROOTS.has(root))
        ctx.report({ messageId: 'dangerous', data: { target, root }, at });
      else
        ctx.report({
          messageId: 'unlisted',
          data: { target },
          at,
          severity: 'medium',
          verdict: 'suspicious',
        });
    }
  },
});
