import type { Span } from '../../core/finding.js';
import type { TorchScriptCode } from '../../formats/python/torchscript.js';
import { defineRule } from '../define-rule.js';

// Modules whose calls have no place in TorchScript: its compiler knows none of them, so code that
// names them was written by hand for a loader that runs the text as Python, and each reaches the
// operating system, the file system, the network or the interpreter itself.
const SYSTEM_ROOTS = new Set([
  '__builtin__',
  '__builtins__',
  'asyncio',
  'builtins',
  'cPickle',
  'cloudpickle',
  'code',
  'codeop',
  'commands',
  'ctypes',
  'dill',
  'ftplib',
  'glob',
  'http',
  'httpx',
  'importlib',
  'io',
  'joblib',
  'marshal',
  'multiprocessing',
  'nt',
  'os',
  'pathlib',
  'pickle',
  '_pickle',
  'posix',
  'pty',
  'requests',
  'runpy',
  'shelve',
  'shutil',
  'signal',
  'smtplib',
  'socket',
  'subprocess',
  'sys',
  'telnetlib',
  'tempfile',
  'urllib',
  'urllib2',
  'urllib3',
  'webbrowser',
]);

// Python built-ins that run text as code, load modules or open files. TorchScript has none of
// them (its built-ins are int, float, len, range, getattr with a constant name, print …).
const SYSTEM_BUILTINS = new Set([
  '__import__',
  'breakpoint',
  'compile',
  'eval',
  'exec',
  'execfile',
  'exit',
  'globals',
  'input',
  'locals',
  'open',
  'quit',
  'reload',
  'vars',
]);

// Names that, used at all (assigned, passed, subscripted), hand code an escape hatch: `f = eval`,
// `getattr(__builtins__, …)`. Names a model's own code plausibly uses for a variable (`input`,
// `code`, `open`, `compile`) are left to the call check.
const SYSTEM_NAMES = new Set([
  '__builtin__',
  '__builtins__',
  '__import__',
  'builtins',
  'eval',
  'exec',
  'execfile',
  'importlib',
  'posix',
  'subprocess',
]);

// TorchScript operators that reach the file system: aten::save (torch.save in TorchScript)
// writes a pickle to any path, aten::from_file maps any file into a tensor. Both are real
// operators of torch 1.13 and 2.13 that torch.jit.script accepts and torch.jit.save prints as
// `torch.save(…)` / `torch.from_file(…)`. The others are Python APIs TorchScript cannot compile
// but a hand-edited file may name.
const FILE_CALLS =
  /^torch\.(?:save|from_file|load|jit\.(?:load|save)|hub\..+|package\..+|serialization\..+|utils\.cpp_extension\..+|classes\.load_library)$|^ops\.load_library$/;

// Remote calls and collectives: a model that sends its inputs to another worker. `rpc_async`
// and friends are printed as `ops.prim.rpc_async(…)`; c10d operators need a process group.
const NETWORK_CALLS =
  /^(?:ops\.prim\.rpc_(?:async|sync|remote)|torch\.distributed\..+|ops\.(?:c10d|_c10d_functional|_c10d_functional_autograd|symm_mem|_dist_autograd)\..+|torch\.classes\.(?:c10d|dist_c10d|dist_rpc)\..+)$/;

/** `torch.ops.aten.save` and `ops.aten.save` are the operator `torch.save` names. */
function canonical(name: string): string {
  const ops = name.startsWith('torch.ops.') ? name.slice('torch.'.length) : name;
  return ops.startsWith('ops.aten.') ? `torch.${ops.slice('ops.aten.'.length)}` : ops;
}

function rootOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

type MessageId = 'system' | 'file' | 'network' | 'name' | 'import' | 'foreignImport';

/**
 * Calls in a TorchScript archive's `code/` files that do not belong in model code: Python
 * escape hatches (os, subprocess, eval/exec, __import__, open …) that only a hand-edited file
 * can carry, TorchScript operators that read or write files (aten::save, aten::from_file), and
 * remote calls or collectives.
 */
export default defineRule<TorchScriptCode, MessageId>({
  id: 'torch/torchscript-code',
  title: 'TorchScript code reaches the system, files or network',
  target: 'torchscript',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-94',
  verdict: 'malicious',
  messages: {
    system:
      '`{{name}}(…)` in TorchScript code: TorchScript cannot compile it, so the file was edited by hand to run as Python, and the call reaches the operating system or the interpreter',
    file: '`{{name}}(…)` in TorchScript code: the model reads or writes files by path when it runs (aten::save writes any file, aten::from_file reads any file)',
    network:
      '`{{name}}(…)` in TorchScript code: the model sends tensors to or runs work on other processes when it runs',
    name: '`{{name}}` used in TorchScript code: a Python escape hatch (code execution or module loading) TorchScript does not have',
    import:
      '`import {{name}}` in TorchScript code: a module that reaches the operating system, files or network',
    foreignImport:
      '`import {{name}}` in TorchScript code: torch.jit.save never writes imports of modules other than torch',
  },
  check(ctx, code) {
    const at = (span: Span): { span: Span } => ({ span });
    const seen = new Set<string>();
    const once = (key: string): boolean => {
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    for (const m of code.imports) {
      const root = rootOf(m.module);
      if (root === 'torch' || root === '__torch__') continue;
      const dangerous = SYSTEM_ROOTS.has(root);
      ctx.report({
        messageId: dangerous ? 'import' : 'foreignImport',
        data: { name: m.module },
        at: at(m.span),
        ...(dangerous ? {} : { verdict: 'suspicious' as const, severity: 'medium' as const }),
      });
    }
    for (const call of code.calls) {
      if (call.name === undefined) continue;
      const name = canonical(call.name);
      const root = rootOf(name);
      if (SYSTEM_ROOTS.has(root) || (root === name && SYSTEM_BUILTINS.has(name))) {
        if (once(name)) ctx.report({ messageId: 'system', data: { name }, at: at(call.span) });
      } else if (FILE_CALLS.test(name)) {
        if (once(name)) ctx.report({ messageId: 'file', data: { name }, at: at(call.span) });
      } else if (NETWORK_CALLS.test(name)) {
        if (once(name)) {
          ctx.report({
            messageId: 'network',
            data: { name },
            at: at(call.span),
            verdict: 'suspicious',
            severity: 'high',
          });
        }
      }
    }
    for (const [name, span] of code.names) {
      // A name already reported as the callee of a call needs no second finding.
      if (!SYSTEM_NAMES.has(name) || [...seen].some((s) => rootOf(s) === name)) continue;
      ctx.report({ messageId: 'name', data: { name }, at: at(span) });
    }
  },
});
