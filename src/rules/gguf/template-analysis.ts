import { walkTemplate, type TemplateNode } from '../../formats/gguf/chat-template.js';

/** One finding about a chat template AST. `escape` breaks out of the sandbox; `odd` is unusual. */
export interface TemplateIssue {
  readonly kind: 'escape' | 'odd';
  /** The construct, e.g. `__class__`, `os`, `attr('x')`. */
  readonly construct: string;
}

// Jinja's sandbox blocks attributes starting with '_' only in SandboxedEnvironment; llama-cpp-python
// rendered GGUF templates in a plain Environment (CVE-2024-34359), where `x.__class__.__mro__…`
// reaches `__subclasses__()` and from there `os.popen`. Any dunder attribute is therefore an escape.
const DUNDER = /^__\w+__$/;
// Attributes that only matter for reaching code execution or frames; no chat template needs them.
const ESCAPE_ATTRIBUTES = new Set([
  'popen',
  'spawnl',
  'spawnv',
  'spawnve',
  'execl',
  'execv',
  'execve',
  'check_output',
  'check_call',
  'getoutput',
  'getstatusoutput',
  'import_module',
  'func_globals',
  'f_globals',
  'f_locals',
  'f_back',
  'f_builtins',
  'gi_frame',
  'cr_frame',
  'ag_frame',
  'tb_frame',
]);
// Names that are modules or builtins in Python; a template variable never needs them.
const ESCAPE_NAMES = new Set([
  'os',
  'subprocess',
  'importlib',
  'builtins',
  'sys',
  'posix',
  'nt',
  'pty',
  'socket',
  'shutil',
  'eval',
  'exec',
  'compile',
  'getattr',
  'setattr',
  'globals',
  'locals',
  'vars',
]);
// Filters that read the attribute path their string argument names (jinja2 make_attrgetter: dotted
// parts, each looked up as an item or attribute), so `[x]|map(attribute='__class__.__mro__')` is
// the filter spelling of `x.__class__.__mro__` without any dunder member expression.
const ATTRIBUTE_FILTERS = new Set([
  'map',
  'selectattr',
  'rejectattr',
  'sort',
  'unique',
  'min',
  'max',
  'groupby',
  'sum',
]);
// Text such as '__cla' ~ 'ss__' assembles a dunder name at render time to dodge a name check.
const DUNDER_FRAGMENT = /__[a-z]|[a-z]__/i;
/** Bound on AST nodes examined: a template of maxTextBytes has fewer nodes than characters. */
const MAX_NODES = 1_000_000;

/**
 * Lists sandbox escapes and odd constructs in a parsed chat template (deduplicated, in AST order).
 * Pure; never renders the template.
 */
export function analyseTemplate(root: TemplateNode): TemplateIssue[] {
  const out: TemplateIssue[] = [];
  const seen = new Set<string>();
  const add = (kind: TemplateIssue['kind'], construct: string): void => {
    const key = `${kind}\0${construct}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ kind, construct });
    }
  };
  const complete = walkTemplate(root, MAX_NODES, (node) => {
    switch (node.type) {
      case 'MemberExpression': {
        const prop = node.property as TemplateNode | undefined;
        const name = memberName(prop, node.computed === true);
        if (name !== undefined && (DUNDER.test(name) || ESCAPE_ATTRIBUTES.has(name)))
          add('escape', name);
        break;
      }
      case 'Identifier': {
        const name = node.value;
        if (typeof name === 'string' && (DUNDER.test(name) || ESCAPE_NAMES.has(name)))
          add('escape', name);
        break;
      }
      case 'FilterStatement':
      case 'FilterExpression': {
        const filter = node.filter as TemplateNode | undefined;
        const path = attributePathArgument(filter);
        if (path !== undefined) add('escape', path);
        if (filter?.type === 'CallExpression' && isIdentifier(filter.callee, 'attr')) {
          const arg = (filter.args as TemplateNode[] | undefined)?.[0];
          if (arg?.type === 'StringLiteral' && typeof arg.value === 'string') {
            // `x|attr('__class__')` is the filter spelling of `x.__class__`.
            if (DUNDER.test(arg.value) || ESCAPE_ATTRIBUTES.has(arg.value))
              add('escape', `attr('${arg.value}')`);
            else add('odd', `attr('${arg.value}')`);
          } else {
            add('odd', 'attr(<computed name>)');
          }
        }
        break;
      }
      case 'StringLiteral': {
        const text = node.value;
        if (
          typeof text === 'string' &&
          text.length <= 64 &&
          DUNDER_FRAGMENT.test(text) &&
          !DUNDER.test(text)
        ) {
          add('odd', `string '${text}' looks like part of a dunder name`);
        }
        break;
      }
      default:
        break;
    }
  });
  if (!complete) add('odd', 'template too large to analyse completely');
  return out;
}

/**
 * Dunder names appearing anywhere in a template's text, for templates the parser rejects: Python's
 * Jinja may still accept them (the CVE-2024-34359 payload starts with `()`, which
 * @huggingface/jinja does not parse). Splitting on non-word characters keeps this linear.
 */
export function dunderWords(text: string): string[] {
  const out = new Set<string>();
  for (const word of text.split(/\W+/)) {
    if (word.length <= 64 && DUNDER.test(word)) out.add(word);
  }
  return [...out];
}

/**
 * For `map(attribute='a.__class__')`, `selectattr('__class__')` and the other attribute-path
 * filters: the call spelled with the first string argument whose dotted parts include a dunder or
 * escape attribute, or undefined.
 */
function attributePathArgument(filter: TemplateNode | undefined): string | undefined {
  if (filter?.type !== 'CallExpression') return undefined;
  const callee = filter.callee as TemplateNode | undefined;
  const name = callee?.type === 'Identifier' ? callee.value : undefined;
  if (typeof name !== 'string' || !ATTRIBUTE_FILTERS.has(name)) return undefined;
  for (const arg of (filter.args as TemplateNode[] | undefined) ?? []) {
    const keyword = arg.type === 'KeywordArgumentExpression';
    const value = keyword ? (arg.value as TemplateNode | undefined) : arg;
    if (value?.type !== 'StringLiteral' || typeof value.value !== 'string') continue;
    const text = value.value;
    if (text.length > 256) continue;
    const parts = text.split('.');
    if (parts.some((p) => DUNDER.test(p) || ESCAPE_ATTRIBUTES.has(p))) {
      const key = keyword ? `${String((arg.key as TemplateNode | undefined)?.value)}=` : '';
      return `${name}(${key}'${text}')`;
    }
  }
  return undefined;
}

function memberName(prop: TemplateNode | undefined, computed: boolean): string | undefined {
  if (prop === undefined) return undefined;
  if (!computed && prop.type === 'Identifier' && typeof prop.value === 'string') return prop.value;
  // x['__class__'] is the subscript spelling of x.__class__.
  if (computed && prop.type === 'StringLiteral' && typeof prop.value === 'string')
    return prop.value;
  return undefined;
}

function isIdentifier(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as TemplateNode).type === 'Identifier' &&
    (value as TemplateNode).value === name
  );
}

/**
 * Where `construct` first appears in `text` as a whole word, as [start, end) UTF-16 offsets, or
 * undefined (constructs such as `attr('x')` are not spelled literally). Linear: indexOf only.
 */
export function constructRange(
  text: string,
  construct: string,
): { start: number; end: number } | undefined {
  const isWord = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);
  for (let at = text.indexOf(construct); at >= 0; at = text.indexOf(construct, at + 1)) {
    if (!isWord(text[at - 1]) && !isWord(text[at + construct.length]))
      return { start: at, end: at + construct.length };
  }
  return undefined;
}
