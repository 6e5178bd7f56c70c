import { defineRule } from '../define-rule.js';
import type { PythonNeeds } from './needs.js';
import { argument, callPath, type CodeAuditInput } from './input.js';

const HUB_LOADS = new Set(['torch.hub.load', 'torch.hub.list', 'torch.hub.help']);
const EXECS = new Set(['exec', 'eval', 'builtins.exec', 'builtins.eval']);
const TRUST = 'trust_remote_code';

/** What this rule reports on (the audit skips parsing files that cannot contain any of it). */
export const pythonNeeds: PythonNeeds = {
  calls: HUB_LOADS,
  // exec/eval are reported only on downloaded text.
  taintedCalls: EXECS,
  keywords: [TRUST],
};

/**
 * Code fetched from elsewhere and run: `trust_remote_code=True` (transformers, datasets,
 * pipelines), `torch.hub.load` (runs the repository's hubconf.py), and `exec`/`eval` of text
 * received from a download or request in the same function.
 */
export default defineRule<CodeAuditInput, 'trustRemoteCode' | 'hubLoad' | 'execDownloaded'>({
  id: 'code/remote-code',
  title: 'Code downloaded from a hub or URL is executed',
  target: 'code',
  severity: 'high',
  confidence: 'high',
  policy: 'pytorch SECURITY.md: check provenance before running model code; CWE-94',
  messages: {
    trustRemoteCode:
      '`{{call}}` with trust_remote_code=True runs the Python files of the model repository; pin revision= to a reviewed commit or drop it',
    hubLoad:
      '`{{call}}` downloads {{repo}} and runs its hubconf.py; pin a reviewed commit (owner/repo:sha) and keep trust_repo=False',
    execDownloaded: '`{{call}}` runs text received from {{source}}',
  },
  check(ctx, input) {
    const model = input.python;
    if (model === undefined) return;
    for (const call of model.calls) {
      const trust = call.mentions(TRUST) ? call.keywords.get(TRUST) : undefined;
      if (trust?.value === true) {
        ctx.report({
          messageId: 'trustRemoteCode',
          data: { call: call.name ?? 'call' },
          at: { span: trust.nameSpan, path: callPath(call) },
        });
      }
      if (call.name === undefined) continue;
      if (HUB_LOADS.has(call.name) && call.name === 'torch.hub.load') {
        const repo = argument(call, 'repo_or_dir', 0);
        const source = call.keywords.get('source')?.value;
        if (source === 'local') continue;
        ctx.report({
          messageId: 'hubLoad',
          data: { call: call.name, repo: repo?.text ?? 'a repository' },
          at: { span: call.calleeSpan, path: callPath(call) },
          severity: 'medium',
        });
      } else if (EXECS.has(call.name)) {
        const code = call.positional[0];
        if (code?.taint === undefined) continue;
        ctx.report({
          messageId: 'execDownloaded',
          data: { call: call.name, source: code.taint },
          at: { span: call.calleeSpan, path: callPath(call) },
        });
      }
    }
  },
});
