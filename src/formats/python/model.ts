import type { Node, QueryCapture, Tree } from 'web-tree-sitter';
import type { Span } from '../../core/finding.js';

/** A literal a value resolves to: a Python str, int/float, bool or None. */
export type PyLiteral = string | number | boolean | null;

/** An expression as a rule reads it: where it is, what it names, what it is worth. */
export interface PyValue {
  /** UTF-16 offsets into the model's text. */
  readonly span: Span;
  /** The expression's text, at most 200 characters. */
  readonly text: string;
  readonly kind:
    | 'string'
    | 'number'
    | 'bool'
    | 'none'
    | 'name'
    | 'attribute'
    | 'call'
    | 'list'
    | 'dict'
    | 'other';
  /** The literal value, written directly or through a simple constant; undefined when unknown. */
  readonly value?: PyLiteral;
  /** For names and attributes: the dotted name with import aliases resolved ('torch.load'). */
  readonly name?: string;
  /** For a call value: the callee's resolved dotted name. */
  readonly callee?: string;
  /** Elements of a list, tuple or set literal. */
  readonly elements?: readonly PyValue[];
  /** What it was received from in the same function (a download, request, socket, queue). */
  readonly taint?: string;
}

/** One call site with its arguments. */
export interface PyCall {
  /** The whole call expression. */
  readonly span: Span;
  /** The callee expression. */
  readonly calleeSpan: Span;
  /** The callee's dotted name with import aliases resolved; undefined when not a dotted name. */
  readonly name: string | undefined;
  /** The enclosing function ('train', 'Trainer.load' is not tracked: 'load'), or '<module>'. */
  readonly scope: string;
  readonly positional: readonly PyValue[];
  /** Keyword arguments by name, each with the span of its name. */
  readonly keywords: ReadonlyMap<string, PyValue & { readonly nameSpan: Span }>;
  /** A `*args` argument is present: positions after it are unknown. */
  readonly starArgs: boolean;
  /** A `**kwargs` argument is present: any keyword may be set through it. */
  readonly starKwargs: boolean;
  /** Whether `word` occurs in the argument list's text (a cheap test before reading arguments). */
  mentions(word: string): boolean;
}

/** An environment variable set in code: `os.environ["K"] = v`, `os.environ.setdefault("K", v)`. */
export interface PyEnvSet {
  readonly name: string;
  readonly span: Span;
  readonly value: PyValue;
}

/** The located model of one Python text that code rules read. */
export interface PythonModel {
  readonly text: string;
  /** Every call, in source order. */
  readonly calls: readonly PyCall[];
  readonly envSets: readonly PyEnvSet[];
  /** Local name → dotted name it was imported or aliased as. */
  readonly imports: ReadonlyMap<string, string>;
  /** The first syntax error the parser recovered from, if any. */
  readonly syntaxError?: Span;
}

const MAX_TEXT = 200;
/** Nodes visited when looking for taint inside one argument (arguments are small). */
const MAX_TAINT_NODES = 512;
/** Elements kept of one list literal. */
const MAX_ELEMENTS = 256;

const AMBIGUOUS = Symbol('ambiguous');
// Right-hand sides that can give a constant or an alias.
const VALUE_TYPES = new Set([
  'string',
  'concatenated_string',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'identifier',
  'attribute',
  'parenthesized_expression',
]);
type ConstantSlot = PyLiteral | typeof AMBIGUOUS;

// Attribute chains that carry data received from outside.
const SOURCE_ATTRIBUTES = /(?:^|\.)request\.(?:data|body|files|stream|get_data|content)$/;
// Calls that return data received from outside.
const SOURCE_CALLS =
  /^(?:requests\.(?:get|post|put|request|Session)|urllib\.request\.(?:urlopen|urlretrieve|Request)|urllib2\.urlopen|urlopen|urlretrieve|huggingface_hub\.(?:hf_hub_download|snapshot_download)|hf_hub_download|wget\.download|gdown\.download|httpx\.(?:get|post|stream)|aiohttp\..*|boto3\..*download.*)$|\.(?:recv|recv_bytes|recvfrom|recv_multipart|recv_pyobj|recv_string|download_file|download_fileobj|urlopen)$/;
// `q.get()` and friends count when the receiver is named like a queue, a socket or a store.
const SOURCE_RECEIVER_CALLS =
  /(?:^|\.)\w*(?:queue|redis|sock|socket|conn|zmq|pubsub)\w*\.(?:get|get_nowait|recv|read|lpop|rpop|blpop|brpop|get_message)$/i;
// Cheap pre-check: a text without any of these words cannot contain a taint source.
const SOURCE_HINT =
  /recv|urlopen|urlretrieve|requests|request\.|download|queue|redis|zmq|socket|sock|conn|httpx|aiohttp/i;

/**
 * Whether any value of a model built from `text` can carry taint (PyValue.taint): false when the
 * text names no download, request, socket or queue at all. The model itself uses this test.
 */
export function mayCarryTaint(text: string): boolean {
  return SOURCE_HINT.test(text);
}

/** The dotted names (resolved) whose assignments or calls become PythonModel.envSets. */
export const ENV_SET_NAMES: readonly string[] = [
  'os.environ',
  'os.environ.setdefault',
  'os.putenv',
];

/** Whether a call name reads outside data (exposed for tests and rules that name sources). */
export function isSourceCall(name: string): boolean {
  return SOURCE_CALLS.test(name) || SOURCE_RECEIVER_CALLS.test(name);
}

/**
 * Builds the code model from a tree-sitter-python tree. Resolves import aliases
 * (`import torch.distributed as dist`, `from pickle import loads as L`, `load = torch.load`),
 * simple constants per function (a name assigned literals of one value only), and marks values
 * received from a download, request, socket or queue in the same function (assignments and
 * `with ... as` targets propagate it, in source order). Never throws for any tree. Call
 * arguments are read from the tree when first asked for: keep `tree` alive until the model's
 * last use, then delete it.
 */
export function buildPythonModel(
  tree: Tree,
  text: string,
  captures: readonly QueryCapture[],
): PythonModel {
  const imports = new Map<string, string>();
  const constants = new Map<string, Map<string, ConstantSlot>>();
  const tainted = new Map<string, Map<string, string>>();
  const functions: { start: number; end: number; name: string }[] = [];
  const hint = mayCarryTaint(text);

  // Pass 1: imports, functions (for scopes), constants and aliases.
  for (const capture of captures) {
    const node = capture.node;
    switch (capture.name) {
      case 'import':
        readImport(node, imports);
        break;
      case 'from':
        readFromImport(node, imports);
        break;
      case 'func': {
        const name = identText(node.childForFieldName('name')?.text ?? '?');
        functions.push({ start: node.startIndex, end: node.endIndex, name });
        break;
      }
      default:
        break;
    }
  }
  functions.sort((a, b) => a.start - b.start);
  const scopeOf = (offset: number): string => {
    // The innermost function containing offset: the last one starting before it that ends after.
    let found = '<module>';
    for (const f of functions) {
      if (f.start > offset) break;
      if (offset < f.end) found = f.name;
    }
    return found;
  };
  const resolveName = (dotted: string): string => {
    const dot = dotted.indexOf('.');
    const head = dot < 0 ? dotted : dotted.slice(0, dot);
    const bound = imports.get(head);
    if (bound === undefined) return dotted;
    return dot < 0 ? bound : bound + dotted.slice(dot);
  };
  const constantOf = (scope: string, name: string): PyLiteral | undefined => {
    for (const s of scope === '<module>' ? [scope] : [scope, '<module>']) {
      const slot = constants.get(s)?.get(name);
      if (slot !== undefined) return slot === AMBIGUOUS ? undefined : slot;
    }
    return undefined;
  };
  const taintOfName = (scope: string, name: string): string | undefined =>
    tainted.get(scope)?.get(name) ?? tainted.get('<module>')?.get(name);

  const toValue = (node: Node, scope: string, depth = 0): PyValue => {
    const span = { start: node.startIndex, end: node.endIndex };
    const raw = node.text;
    const shown = raw.length > MAX_TEXT ? `${raw.slice(0, MAX_TEXT)}…` : raw;
    const taint = hint ? taintIn(node, scope) : undefined;
    const base = { span, text: shown, ...(taint === undefined ? {} : { taint }) };
    switch (node.type) {
      case 'string':
      case 'concatenated_string': {
        const value = stringValue(node, (name) => constantOf(scope, name));
        return { ...base, kind: 'string', ...(value === undefined ? {} : { value }) };
      }
      case 'integer':
      case 'float': {
        const n = Number(raw.replace(/_/g, ''));
        return { ...base, kind: 'number', ...(Number.isNaN(n) ? {} : { value: n }) };
      }
      case 'true':
        return { ...base, kind: 'bool', value: true };
      case 'false':
        return { ...base, kind: 'bool', value: false };
      case 'none':
        return { ...base, kind: 'none', value: null };
      case 'identifier': {
        const local = identText(raw);
        const value = constantOf(scope, local);
        return {
          ...base,
          kind: 'name',
          name: resolveName(local),
          ...(value === undefined ? {} : { value }),
        };
      }
      case 'attribute': {
        const dotted = dottedName(node);
        return {
          ...base,
          kind: 'attribute',
          ...(dotted === undefined ? {} : { name: resolveName(dotted) }),
        };
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        const dotted = fn === null ? undefined : dottedName(fn);
        return {
          ...base,
          kind: 'call',
          ...(dotted === undefined ? {} : { callee: resolveName(dotted) }),
        };
      }
      case 'list':
      case 'tuple':
      case 'set': {
        const elements: PyValue[] = [];
        if (depth < 4) {
          for (const child of node.namedChildren) {
            if (elements.length >= MAX_ELEMENTS) continue;
            if (child.type === 'comment') continue;
            elements.push(toValue(child, scope, depth + 1));
          }
        }
        return { ...base, kind: 'list', elements };
      }
      case 'dictionary':
        return { ...base, kind: 'dict' };
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner === undefined || depth >= 8
          ? { ...base, kind: 'other' }
          : { ...toValue(inner, scope, depth + 1), span, text: shown };
      }
      default:
        return { ...base, kind: 'other' };
    }
  };

  // Taint inside an expression: a source call or attribute, or a name tainted in this scope.
  const taintIn = (node: Node, scope: string): string | undefined => {
    const stack: Node[] = [node];
    let visited = 0;
    while (stack.length > 0 && visited < MAX_TAINT_NODES) {
      const n = stack.pop();
      if (n === undefined) break;
      visited++;
      if (n.type === 'identifier') {
        const t = taintOfName(scope, identText(n.text));
        if (t !== undefined) return t;
        continue;
      }
      if (n.type === 'attribute' || n.type === 'call') {
        const target = n.type === 'call' ? n.childForFieldName('function') : n;
        const dotted = target === null ? undefined : dottedName(target);
        if (dotted !== undefined) {
          const resolved = resolveName(dotted);
          if (n.type === 'call' && isSourceCall(resolved)) return `${resolved}()`;
          if (SOURCE_ATTRIBUTES.test(resolved) || SOURCE_ATTRIBUTES.test(dotted)) return resolved;
        }
      }
      for (const child of n.namedChildren) stack.push(child);
    }
    return undefined;
  };

  const setConstant = (scope: string, name: string, value: PyLiteral | undefined): void => {
    let map = constants.get(scope);
    if (map === undefined) {
      map = new Map();
      constants.set(scope, map);
    }
    const prior = map.get(name);
    const next: ConstantSlot = value === undefined ? AMBIGUOUS : value;
    map.set(name, prior === undefined || prior === next ? next : AMBIGUOUS);
  };
  const setTaint = (scope: string, name: string, source: string): void => {
    let map = tainted.get(scope);
    if (map === undefined) {
      map = new Map();
      tainted.set(scope, map);
    }
    map.set(name, source);
  };

  // Pass 2, in source order: constants, aliases and taint from assignments, then calls.
  const calls: PyCall[] = [];
  const envSets: PyEnvSet[] = [];
  const environ = (node: Node | null): boolean =>
    node !== null && dottedNameOrUndefinedResolved(node, resolveName) === ENV_SET_NAMES[0];
  for (const capture of captures) {
    const node = capture.node;
    if (capture.name === 'assign' || capture.name === 'augassign') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left === null) continue;
      const scope = scopeOf(node.startIndex);
      if (capture.name === 'augassign') {
        if (left.type === 'identifier') setConstant(scope, identText(left.text), undefined);
        continue;
      }
      if (left.type === 'identifier' && right !== null && !VALUE_TYPES.has(right.type)) {
        // Not a literal, a name or an alias: no constant, only taint to follow.
        setConstant(scope, identText(left.text), undefined);
        const taint = hint ? taintIn(right, scope) : undefined;
        if (taint !== undefined) setTaint(scope, identText(left.text), taint);
      } else if (left.type === 'identifier' && right !== null) {
        const value = toValue(right, scope);
        const local = identText(left.text);
        setConstant(scope, local, literalOf(value));
        // `load = torch.load`: an alias of an imported name (its first part is an import).
        if ((value.kind === 'attribute' || value.kind === 'name') && value.name !== undefined) {
          const head = identText(right.text).split('.')[0] ?? '';
          if (imports.has(head)) imports.set(local, value.name);
        }
        if (value.taint !== undefined) setTaint(scope, local, value.taint);
      } else if (
        (left.type === 'pattern_list' || left.type === 'tuple_pattern') &&
        right !== null
      ) {
        const taint = hint ? taintIn(right, scope) : undefined;
        for (const child of left.namedChildren) {
          if (child.type !== 'identifier') continue;
          setConstant(scope, identText(child.text), undefined);
          if (taint !== undefined) setTaint(scope, identText(child.text), taint);
        }
      } else if (
        left.type === 'subscript' &&
        right !== null &&
        environ(left.childForFieldName('value'))
      ) {
        const key = left.childForFieldName('subscript');
        const name = key === null ? undefined : literalOf(toValue(key, scope));
        if (typeof name === 'string') {
          envSets.push({
            name,
            span: { start: node.startIndex, end: node.endIndex },
            value: toValue(right, scope),
          });
        }
      }
      continue;
    }
    if (capture.name === 'withalias') {
      const pattern = node.parent;
      const value = pattern?.namedChildren[0];
      const alias = node.namedChildren[0];
      if (value === undefined || alias?.type !== 'identifier' || !hint) continue;
      const scope = scopeOf(node.startIndex);
      const taint = taintIn(value, scope);
      if (taint !== undefined) setTaint(scope, identText(alias.text), taint);
      continue;
    }
    if (capture.name !== 'call') continue;
    const fn = node.childForFieldName('function');
    if (fn === null) continue;
    const scope = scopeOf(node.startIndex);
    const dotted = dottedName(fn);
    const name = dotted === undefined ? undefined : resolveName(dotted);
    const call = new CallSite(node, fn, name, scope, text, toValue);
    calls.push(call);
    if (name !== undefined && name !== ENV_SET_NAMES[0] && ENV_SET_NAMES.includes(name)) {
      const key = call.positional[0];
      const value = call.positional[1];
      if (typeof key?.value === 'string' && value !== undefined) {
        envSets.push({ name: key.value, span: call.span, value });
      }
    }
  }
  const error = firstSyntaxError(tree);
  return { text, calls, envSets, imports, ...(error === undefined ? {} : { syntaxError: error }) };
}

/**
 * One call site. Its arguments are read from the tree only when a rule asks (most calls interest
 * no rule), so the tree stays alive until the caller's dispose(). A class, not an object literal
 * with getters: one shape and no closures per call (there are hundreds per file).
 */
class CallSite implements PyCall {
  readonly span: Span;
  readonly calleeSpan: Span;
  #read: CallArguments | undefined;
  #argsText: string | undefined;

  constructor(
    private readonly node: Node,
    fn: Node,
    readonly name: string | undefined,
    readonly scope: string,
    private readonly text: string,
    private readonly toValue: (node: Node, scope: string) => PyValue,
  ) {
    this.span = { start: node.startIndex, end: node.endIndex };
    this.calleeSpan = { start: fn.startIndex, end: fn.endIndex };
  }

  #arguments(): CallArguments {
    if (this.#read === undefined) {
      const args = this.node.childForFieldName('arguments');
      this.#read =
        args === null
          ? { positional: [], keywords: new Map(), starArgs: false, starKwargs: false }
          : readArguments(args, this.scope, this.toValue);
    }
    return this.#read;
  }

  get positional(): readonly PyValue[] {
    return this.#arguments().positional;
  }
  get keywords(): ReadonlyMap<string, PyValue & { readonly nameSpan: Span }> {
    return this.#arguments().keywords;
  }
  get starArgs(): boolean {
    return this.#arguments().starArgs;
  }
  get starKwargs(): boolean {
    return this.#arguments().starKwargs;
  }

  mentions(word: string): boolean {
    // The argument list follows the callee: searching only that slice keeps the test bounded by
    // the call's own length (an indexOf from the call onwards ran to the end of the file).
    // NFKC as Python reads identifiers, so `ｔrust_remote_code` is mentioned too.
    this.#argsText ??= identText(this.text.slice(this.calleeSpan.end, this.span.end));
    return this.#argsText.includes(word);
  }
}

interface CallArguments {
  readonly positional: PyValue[];
  readonly keywords: Map<string, PyValue & { nameSpan: Span }>;
  readonly starArgs: boolean;
  readonly starKwargs: boolean;
}

function readArguments(
  args: Node,
  scope: string,
  toValue: (node: Node, scope: string) => PyValue,
): CallArguments {
  const positional: PyValue[] = [];
  const keywords = new Map<string, PyValue & { nameSpan: Span }>();
  let starArgs = false;
  let starKwargs = false;
  if (args.type !== 'argument_list') {
    // A generator argument: `f(x for x in y)`.
    positional.push(toValue(args, scope));
    return { positional, keywords, starArgs, starKwargs };
  }
  for (const arg of args.namedChildren) {
    switch (arg.type) {
      case 'keyword_argument': {
        const key = arg.childForFieldName('name');
        const value = arg.childForFieldName('value');
        if (key === null || value === null) break;
        keywords.set(identText(key.text), {
          ...toValue(value, scope),
          nameSpan: { start: key.startIndex, end: key.endIndex },
        });
        break;
      }
      case 'list_splat':
        starArgs = true;
        break;
      case 'dictionary_splat':
        starKwargs = true;
        break;
      case 'comment':
        break;
      default:
        if (!starArgs) positional.push(toValue(arg, scope));
    }
  }
  return { positional, keywords, starArgs, starKwargs };
}

function literalOf(value: PyValue): PyLiteral | undefined {
  return value.value;
}

function dottedNameOrUndefinedResolved(
  node: Node,
  resolve: (dotted: string) => string,
): string | undefined {
  const dotted = dottedName(node);
  return dotted === undefined ? undefined : resolve(dotted);
}

/** `a.b.c` for identifier/attribute chains, else undefined. */
function dottedName(node: Node): string | undefined {
  const type = node.type;
  if (type === 'identifier') return identText(node.text);
  if (type !== 'attribute') return undefined;
  // One read of the source text instead of a walk over the chain (each node access crosses into
  // WebAssembly); comments or line continuations inside the chain fall back to no name.
  const compacted = compact(node.text);
  return DOTTED.test(compacted) ? compacted : undefined;
}

const DOTTED =
  /^[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*(?:\.[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*){1,15}$/;

function readImport(node: Node, imports: Map<string, string>): void {
  for (const child of node.childrenForFieldName('name')) {
    if (child.type === 'dotted_name') {
      // `import torch.distributed` binds `torch`.
      const head = compact(child.text).split('.')[0] ?? child.text;
      imports.set(head, head);
    } else if (child.type === 'aliased_import') {
      const name = child.childForFieldName('name');
      const alias = child.childForFieldName('alias');
      if (name !== null && alias !== null) imports.set(identText(alias.text), compact(name.text));
    }
  }
}

function readFromImport(node: Node, imports: Map<string, string>): void {
  const module = node.childForFieldName('module_name');
  if (module === null) return;
  const base = compact(module.text);
  for (const child of node.childrenForFieldName('name')) {
    if (child.type === 'dotted_name') {
      const local = compact(child.text);
      imports.set(local.split('.')[0] ?? local, `${base}.${local}`);
    } else if (child.type === 'aliased_import') {
      const name = child.childForFieldName('name');
      const alias = child.childForFieldName('alias');
      if (name !== null && alias !== null) {
        imports.set(identText(alias.text), `${base}.${compact(name.text)}`);
      }
    }
  }
}

/**
 * Dotted names may be written with spaces or line continuations around their dots
 * (`torch . load`). Between two name characters they would join two tokens into a name the
 * source does not contain (tree-sitter's recovery from a syntax error can leave `torch.lo ad`
 * in one node): such text is returned as written, which no dotted name matches. So every part of
 * a resolved name is a whole identifier of the source, which the code rules' prefilter relies on.
 */
function compact(text: string): string {
  if (JOINED_TOKENS.test(text)) return text;
  return identText(text.replace(/[\s\\]+/g, ''));
}

/**
 * An identifier as Python reads it: the parser NFKC-normalises every identifier (PEP 3131), so
 * `ｐｉｃｋｌｅ.loads` in fullwidth letters runs `pickle.loads`. ASCII text is returned as is.
 */
export function identText(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFKC') : text;
}

// eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const NON_ASCII = /[^\x00-\x7f]/;

const JOINED_TOKENS = /[\w\u00c0-\uffff][\s\\]+[\w\u00c0-\uffff]/;

/**
 * The value of a string literal (or implicit concatenation), with `{name}` interpolations of an
 * f-string filled from constants; undefined when any part is unknown. Escapes other than the
 * common one-character ones are kept as written (hosts, revisions and flags never need them).
 */
function stringValue(
  node: Node,
  constant: (name: string) => PyLiteral | undefined,
): string | undefined {
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const part of node.namedChildren) {
      const value = stringValue(part, constant);
      if (value === undefined) return undefined;
      out += value;
    }
    return out;
  }
  let out = '';
  for (const child of node.namedChildren) {
    switch (child.type) {
      case 'string_start':
      case 'string_end':
        break;
      case 'string_content':
        out += child.text;
        break;
      case 'escape_sequence':
        out += unescape(child.text);
        break;
      case 'interpolation': {
        const expr = child.childForFieldName('expression');
        if (expr?.type !== 'identifier') return undefined;
        const value = constant(identText(expr.text));
        if (value === undefined) return undefined;
        out +=
          value === null
            ? 'None'
            : typeof value === 'boolean'
              ? value
                ? 'True'
                : 'False'
              : String(value);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function unescape(seq: string): string {
  switch (seq) {
    case '\\n':
      return '\n';
    case '\\t':
      return '\t';
    case '\\\\':
      return '\\';
    case "\\'":
      return "'";
    case '\\"':
      return '"';
    default:
      return seq;
  }
}

/** The span of the first ERROR or MISSING node (iterative walk; parse trees can be deep). */
function firstSyntaxError(tree: Tree): Span | undefined {
  const root = tree.rootNode;
  if (!root.hasError) return undefined;
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.type === 'ERROR' || node.isMissing) {
        return { start: node.startIndex, end: node.endIndex };
      }
      // Descend only into subtrees that contain an error.
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return { start: 0, end: 0 };
      }
    }
  } finally {
    cursor.delete();
  }
}
