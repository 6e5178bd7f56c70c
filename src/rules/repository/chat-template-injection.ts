import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { FormatError } from '../../core/errors.js';
import { parseChatTemplate } from '../../formats/gguf/chat-template.js';
import { defineRule } from '../define-rule.js';
import { MAX_TEMPLATE_CHARS } from '../gguf/chat-templates.js';
import { analyseTemplate, constructRange, dunderWords } from '../gguf/template-analysis.js';
import type { RepositoryFile } from './input.js';
import { documentPairs } from './yaml-walk.js';

interface FoundTemplate {
  readonly name: string;
  readonly text: string;
  readonly span: { readonly start: number; readonly end: number };
  readonly path: readonly (string | number)[];
}

/** Chat templates of a repository file: `chat_template` in JSON configs, or a `.jinja` file. */
function templatesOf(file: RepositoryFile): FoundTemplate[] {
  if (file.rel.endsWith('.jinja') && file.text !== undefined) {
    return [
      { name: file.rel, text: file.text, span: { start: 0, end: file.text.length }, path: [] },
    ];
  }
  if (file.document === undefined || !file.rel.endsWith('.json')) return [];
  const out: FoundTemplate[] = [];
  const add = (
    name: string,
    node: Node | null | undefined,
    path: readonly (string | number)[],
  ): void => {
    if (isScalar(node) && typeof node.value === 'string') {
      const [start = 0, end = 0] = node.range ?? [];
      out.push({ name, text: node.value, span: { start, end }, path });
    }
  };
  for (const pair of documentPairs(file.document)) {
    if (pair.key !== 'chat_template' || pair.path.length !== 1) continue;
    add('chat_template', pair.value, pair.path);
    // tokenizer_config.json may hold a list of named templates: [{"name": …, "template": …}].
    if (isSeq(pair.value)) {
      pair.value.items.forEach((item, i) => {
        if (!isMap(item)) return;
        const name = item.get('name');
        add(`chat_template[${typeof name === 'string' ? name : i}]`, item.get('template', true), [
          ...pair.path,
          i,
          'template',
        ]);
      });
    }
  }
  return out;
}

/** CVE-2024-34359 outside GGUF: Hugging Face tokenizer configs and chat_template.jinja files. */
export default defineRule<RepositoryFile, 'escape' | 'unparsable'>({
  id: 'repository/chat-template-injection',
  title: 'Repository chat template escapes the Jinja sandbox',
  target: 'repository',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-1336',
  verdict: 'malicious',
  messages: {
    escape:
      'chat template `{{name}}` uses `{{construct}}`, a Jinja sandbox escape (CVE-2024-34359)',
    unparsable:
      'chat template `{{name}}` cannot be parsed ({{detail}}), so it cannot be proven free of sandbox escapes',
  },
  check(ctx, file) {
    for (const t of templatesOf(file)) {
      const at = { span: t.span, path: t.path, unit: 'char' as const };
      let constructs: string[];
      try {
        constructs = analyseTemplate(parseChatTemplate(t.text, MAX_TEMPLATE_CHARS))
          .filter((i) => i.kind === 'escape')
          .map((i) => i.construct);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        ctx.report({
          messageId: 'unparsable',
          data: { name: t.name, detail: error.message },
          at,
          severity: 'medium',
          verdict: 'suspicious',
        });
        constructs = dunderWords(t.text);
      }
      for (const construct of constructs) {
        // In a .jinja file the text is the file: point at the construct itself. JSON strings keep
        // the whole value's range (escapes shift offsets inside it).
        const range = file.text === undefined ? undefined : constructRange(t.text, construct);
        ctx.report({
          messageId: 'escape',
          data: { name: t.name, construct },
          at: range === undefined ? at : { ...at, span: range },
        });
      }
    }
  },
});
