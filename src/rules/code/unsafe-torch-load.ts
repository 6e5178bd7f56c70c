import type { Severity } from '../../core/finding.js';
import { matchGadget } from '../pickle/policy/gadgets.js';
import { defineRule } from '../define-rule.js';
import type { PythonNeeds } from './needs.js';
import { argument, callPath, type CodeAuditInput } from './input.js';

const LOADS = new Set(['torch.load', 'torch.serialization.load']);
const SAFE_GLOBALS = new Set([
  'torch.serialization.add_safe_globals',
  'torch.serialization.safe_globals',
]);

/** The calls this rule reports on (the audit skips parsing files that cannot contain one). */
export const pythonNeeds: PythonNeeds = { calls: [...LOADS, ...SAFE_GLOBALS] };

/**
 * `torch.load` used in a way that can run code from the file: `weights_only=False`, no
 * `weights_only` where torch may be older than 2.6, a custom `pickle_module`, a gadget allowed
 * through `add_safe_globals`, or bytes straight from a socket, request or queue.
 */
export default defineRule<
  CodeAuditInput,
  | 'weightsOnlyFalse'
  | 'missingWeightsOnly'
  | 'weightsOnlyOldTorch'
  | 'pickleModule'
  | 'gadgetAllowed'
  | 'untrustedBytes'
>({
  id: 'code/unsafe-torch-load',
  title: 'torch.load can run code from the file',
  target: 'code',
  severity: 'high',
  confidence: 'high',
  policy: 'pytorch SECURITY.md: untrusted checkpoints must never be loaded with weights_only=False',
  messages: {
    weightsOnlyFalse:
      '`{{call}}` with weights_only=False unpickles arbitrary objects: a malicious checkpoint runs code. Use weights_only=True (or safetensors)',
    missingWeightsOnly:
      '`{{call}}` without weights_only: {{why}}. Pass weights_only=True explicitly',
    weightsOnlyOldTorch:
      'weights_only=True does not protect torch < 2.6 (CVE-2025-32434: TorchScript archives bypass it); the repository declares {{torch}}. Require torch>=2.6',
    pickleModule:
      '`{{call}}` with a custom pickle_module ({{module}}) bypasses the weights-only unpickler',
    gadgetAllowed:
      '`{{call}}` allows {{global}}, which runs code when a checkpoint names it ({{category}})',
    untrustedBytes:
      '`{{call}}` loads data received from {{source}}: anyone who controls it runs code here unless weights_only=True on torch>=2.6',
  },
  check(ctx, input) {
    const model = input.python;
    if (model === undefined) return;
    const declared = input.torch.declarations.map((d) => d.spec).join(', ');
    for (const call of model.calls) {
      if (call.name === undefined) continue;
      if (SAFE_GLOBALS.has(call.name)) {
        const list = argument(call, 'safe_globals', 0);
        for (const element of list?.elements ?? []) {
          // `(obj, "name")` tuples name the object first.
          const target = element.kind === 'list' ? element.elements?.[0] : element;
          const name = target?.name;
          if (name === undefined || target === undefined) continue;
          const dot = name.lastIndexOf('.');
          const gadget = matchGadget(
            dot < 0 ? 'builtins' : name.slice(0, dot),
            name.slice(dot + 1),
          );
          if (gadget === undefined) continue;
          ctx.report({
            messageId: 'gadgetAllowed',
            data: { call: call.name, global: name, category: gadget.category },
            at: { span: target.span, path: callPath(call) },
          });
        }
        continue;
      }
      if (!LOADS.has(call.name)) continue;
      const at = { span: call.calleeSpan, path: callPath(call) };
      const source = argument(call, 'f', 0);
      if (source?.taint !== undefined) {
        ctx.report({
          messageId: 'untrustedBytes',
          data: { call: call.name, source: source.taint },
          at: { span: source.span, path: callPath(call) },
          related: [{ span: call.calleeSpan, label: 'loaded here' }],
        });
      }
      const pickleModule = argument(call, 'pickle_module', 2);
      if (pickleModule !== undefined && pickleModule.value !== null) {
        ctx.report({
          messageId: 'pickleModule',
          data: { call: call.name, module: pickleModule.text },
          at: { span: pickleModule.span, path: callPath(call) },
        });
      }
      const weightsOnly = call.keywords.get('weights_only');
      if (weightsOnly === undefined) {
        // `**kwargs` may carry it; a pickle_module already reported says enough.
        if (call.starKwargs || pickleModule !== undefined) continue;
        const status = input.torch.status;
        const severity: Severity = status === 'at-least-2.6' ? 'low' : 'medium';
        const why =
          status === 'at-least-2.6'
            ? `the repository requires torch>=2.6 (${declared}), where the default is True, but an older torch would load anything`
            : status === 'unknown'
              ? 'the repository does not declare its torch version, and before 2.6 the default is weights_only=False'
              : `the repository allows torch older than 2.6 (${declared}), where the default is weights_only=False`;
        ctx.report({
          messageId: 'missingWeightsOnly',
          data: { call: call.name, why },
          at,
          severity,
        });
        continue;
      }
      if (weightsOnly.value === false) {
        ctx.report({
          messageId: 'weightsOnlyFalse',
          data: { call: call.name },
          at: { span: weightsOnly.span, path: callPath(call) },
        });
      } else if (weightsOnly.value === true && input.torch.status === 'older') {
        ctx.report({
          messageId: 'weightsOnlyOldTorch',
          data: { torch: declared },
          at: { span: weightsOnly.span, path: callPath(call) },
          severity: 'medium',
        });
      }
    }
  },
});
