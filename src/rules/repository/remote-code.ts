import { isMap, isScalar } from 'yaml';
import { defineRule } from '../define-rule.js';
import type { RepositoryFile } from './input.js';
import { documentPairs } from './yaml-walk.js';

/** `auto_map` in a Hugging Face config: loading needs trust_remote_code, which runs repository code. */
export default defineRule<RepositoryFile, 'autoMap'>({
  id: 'repository/remote-code',
  title: 'Model needs trust_remote_code',
  target: 'repository',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-829',
  verdict: 'suspicious',
  messages: {
    autoMap:
      '`auto_map` makes transformers import repository code with trust_remote_code=True: {{classes}} from {{files}}',
  },
  check(ctx, file) {
    if (file.document === undefined || !file.rel.endsWith('.json')) return;
    const top = file.document.contents;
    if (!isMap(top)) return;
    for (const pair of documentPairs(file.document)) {
      if (pair.key !== 'auto_map' || pair.path.length !== 1) continue;
      const refs: string[] = [];
      if (isMap(pair.value)) {
        for (const item of pair.value.items) {
          const values = isScalar(item.value)
            ? [item.value.value]
            : ((item.value as { items?: unknown[] } | null)?.items?.map((v) =>
                isScalar(v) ? v.value : undefined,
              ) ?? []);
          for (const v of values) if (typeof v === 'string') refs.push(v);
        }
      }
      // "repo--module.Class" points to another repository; "module.Class" to module.py here.
      const dir = file.rel.includes('/') ? file.rel.slice(0, file.rel.lastIndexOf('/') + 1) : '';
      const modules = [
        ...new Set(refs.map((r) => r.split('--').pop()?.split('.').slice(0, -1).join('/') ?? '')),
      ].filter((m) => m !== '');
      const present = modules.map((m) => `${dir}${m}.py`).filter((p) => file.files.includes(p));
      const remote = refs.filter((r) => r.includes('--'));
      const files = [
        ...present,
        ...remote.map((r) => `${r.split('--')[0] ?? ''} (another repository)`),
      ];
      ctx.report({
        messageId: 'autoMap',
        data: {
          classes: refs.length === 0 ? '(none listed)' : [...new Set(refs)].sort().join(', '),
          files:
            files.length === 0 ? 'files not in this folder' : [...new Set(files)].sort().join(', '),
        },
        at: { span: pair.span, path: pair.path, unit: 'char' },
      });
    }
  },
});
