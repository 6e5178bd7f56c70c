import type { PickleMutation } from '../formats/pickle/records.js';
import {
  isCall,
  isGlobal,
  isKind,
  kindOf,
  qualifiedName,
  type PickleValue,
  type PyCall,
} from '../formats/pickle/value.js';
import { dtypeOfDtypeGlobal, dtypeOfStorageGlobal, type Dtype } from './dtype.js';
import { LoadError } from './errors.js';
import { checkTensorGeometry, type TensorGeometry } from './storage-bounds.js';
import type { LoadedTensor, MetadataLeaf, StorageRef } from './tensor.js';

/**
 * Refuses a pickle whose container mutations the value model did not keep: the VM stores
 * APPEND(S), SETITEM(S) and ADDITEMS items only in list, dict and set values, so items set on
 * anything else (an `OrderedDict()` call, a list subclass) would vanish and the conversion would
 * silently lose tensors. A call that carries its items as `entries` (dict-like) or `items`
 * (list-like) is accepted.
 */
function assertMutationsKept(mutations: readonly PickleMutation[], tensorsOnly: boolean): void {
  for (const m of mutations) {
    if (m.count === 0) continue;
    // The VM keeps items on the object a BUILD wrapped (`OrderedDict()` built with state).
    let t = m.target;
    for (let i = 0; i < MAX_DEPTH && typeof t === 'object' && t?.kind === 'build'; i++)
      t = t.target;
    const kind = kindOf(t);
    const call = isCall(t) ? t : undefined;
    // With tensorsOnly, an object of a class the walker never reads as a container is dropped
    // whole (and reported), so items added to it are lost with it, not silently.
    if (tensorsOnly && call !== undefined && !CONTAINER_CALLS.has(calleeName(call))) continue;
    const kept =
      m.opcode === 'SETITEM' || m.opcode === 'SETITEMS'
        ? kind === 'dict' || call?.entries !== undefined
        : m.opcode === 'ADDITEMS'
          ? kind === 'set' || call?.items !== undefined
          : kind === 'list' || call?.items !== undefined;
    if (!kept) {
      const what = call === undefined ? `a ${kind}` : `a ${calleeName(call)}() object`;
      throw new LoadError(
        'UNSUPPORTED',
        `${m.opcode} at byte ${m.offset} adds items to ${what}, which the loader cannot read back`,
      );
    }
  }
}

/** A storage as its persistent id declares it. */
export interface DeclaredStorage {
  /** The storage's key (zip: `data/<key>`; legacy: the root key). */
  readonly key: string;
  readonly dtype: Dtype;
  /** Elements of `dtype` (bytes for an untyped storage). */
  readonly numel: number;
  /** Legacy view_metadata: `(view_key, offset, size)` in elements of the root storage. */
  readonly view?: { readonly key: string; readonly offset: number; readonly numel: number };
}

/**
 * Resolves a declared storage to its bytes; the container checks that the record exists with
 * exactly `numel × itemsize` bytes. Throws LoadError('INVALID_STORAGE') otherwise.
 */
export type StorageResolver = (storage: DeclaredStorage) => StorageRef;

/** A tensor named directly by a persistent id (legacy tar checkpoints), validated. */
export type PersistentTensorResolver = (
  pid: PickleValue,
  path: readonly string[],
) => TensorGeometry & { readonly dtype: Dtype; readonly storage: StorageRef };

/** What a walk of a pickle's root found. */
export interface WalkResult {
  readonly tensors: LoadedTensor[];
  readonly metadata: MetadataLeaf[];
  /** With tensorsOnly: the non-tensor values left out, by key, and what each was. */
  readonly dropped?: DroppedValue[];
}

/** A value `tensorsOnly` left out of the output: its flattened key and why. */
export interface DroppedValue {
  readonly name: string;
  readonly reason: string;
}

/** Calls the walker reads as containers (their mutations must have been kept). */
const CONTAINER_CALLS = new Set([
  'collections.OrderedDict',
  'collections.Counter',
  'builtins.set',
  'builtins.frozenset',
]);

/** How deep nested containers may go before the walk refuses (a depth bomb). */
const MAX_DEPTH = 64;
/** Distinct shapes and strides shared between tensors; past this each tensor keeps its own. */
const MAX_SHARED_DIMS = 65_536;
/** Most values visited in one walk; the VM's own limits keep real graphs far below. */
const MAX_VISITS = 10_000_000;

/**
 * Walks the symbolic root of a torch pickle (the value STOP returned) and collects its tensors
 * and non-tensor leaves. Understands exactly what weights-only torch.save writes: dicts and
 * OrderedDicts (BUILD state such as a state dict's `_metadata` is dropped), lists and tuples,
 * `_rebuild_tensor_v2` / `_rebuild_tensor_v3` / legacy `_rebuild_tensor`, `_rebuild_parameter`
 * (and `_with_state`), `_rebuild_from_type_v2` over those, and `('storage', …)` persistent ids.
 * Keys are state-dict keys as they are; nested containers are joined with '.', list items by
 * index. Anything else is refused with LoadError('UNSUPPORTED'); every geometry is checked
 * against its storage (LoadError('INVALID_STORAGE')).
 */
export function walkTorchPickle(
  root: PickleValue,
  resolve: StorageResolver,
  mutations: readonly PickleMutation[] = [],
  /** Most tensors plus metadata leaves (limits.maxEntries): each costs memory and header bytes. */
  maxEntries = Number.MAX_SAFE_INTEGER,
  /** Legacy tar only: a persistent id that is itself a tensor (throws when it names none). */
  persistentTensor?: PersistentTensorResolver,
  /**
   * Keep the tensors and drop (and list) every value with no JSON form instead of refusing the
   * file: an argparse Namespace, numpy scalars, a pickled module. Nothing is ever called.
   */
  tensorsOnly = false,
): WalkResult {
  assertMutationsKept(mutations, tensorsOnly);
  const walker = new Walker(resolve, maxEntries, persistentTensor, tensorsOnly);
  walker.visit(root, [], 0);
  return { tensors: walker.tensors, metadata: walker.metadata, dropped: walker.dropped };
}

class Walker {
  readonly tensors: LoadedTensor[] = [];
  readonly metadata: MetadataLeaf[] = [];
  readonly dropped: DroppedValue[] = [];
  private visits = 0;
  private readonly storages = new Map<string, DeclaredStorage>();
  private readonly views = new Map<string, DeclaredStorage>();
  private readonly json: JsonBudget = { nodes: MAX_JSON_NODES, chars: MAX_JSON_CHARS };
  // Shapes and strides by text: a checkpoint repeats a few of them over thousands of tensors,
  // and one shared array each instead of two per tensor is ~110 bytes less per tensor.
  private readonly dims = new Map<string, readonly number[]>();

  constructor(
    private readonly resolve: StorageResolver,
    private readonly maxEntries: number,
    private readonly persistentTensor: PersistentTensorResolver | undefined,
    private readonly tensorsOnly: boolean,
  ) {}

  private count(path: readonly string[]): void {
    if (this.tensors.length + this.metadata.length + this.dropped.length >= this.maxEntries) {
      throw unsupported(
        path,
        `more than ${this.maxEntries} tensors and values (limits.maxEntries)`,
      );
    }
  }

  visit(value: PickleValue, path: readonly string[], depth: number): void {
    if (depth > MAX_DEPTH) throw unsupported(path, `nesting deeper than ${MAX_DEPTH}`);
    if (++this.visits > MAX_VISITS) throw unsupported(path, 'too many values');
    const tensor = this.asTensor(value, path);
    if (tensor !== undefined) {
      this.count(path);
      this.tensors.push(tensor);
      return;
    }
    const entries = dictEntries(value);
    if (entries !== undefined) {
      // The root is always opened, so its plain entries (epoch, lr) become keys of their own.
      if (depth > 0 && !this.containsTensor(value, depth)) {
        this.leaf(value, path);
        return;
      }
      for (const [k, v] of entries) this.visit(v, [...path, keyText(k, path)], depth + 1);
      return;
    }
    const items = sequenceItems(value);
    if (items !== undefined) {
      if (depth > 0 && !this.containsTensor(value, depth)) {
        this.leaf(value, path);
        return;
      }
      items.forEach((v, i) => {
        this.visit(v, [...path, String(i)], depth + 1);
      });
      return;
    }
    this.leaf(value, path);
  }

  private leaf(value: PickleValue, path: readonly string[]): void {
    this.count(path);
    let text: string;
    try {
      text = toJson(value, path, 0, this.json);
    } catch (error) {
      if (!this.tensorsOnly || !(error instanceof LoadError) || error.code !== 'UNSUPPORTED') {
        throw error;
      }
      this.dropped.push({ name: path.join('.'), reason: error.message });
      return;
    }
    this.metadata.push({ name: path.join('.'), value: text });
  }

  /** True when a tensor hides anywhere below `value` (containers of only scalars are leaves). */
  private containsTensor(value: PickleValue, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    if (++this.visits > MAX_VISITS) throw unsupported([], 'too many values');
    if (isTensorCall(value)) return true;
    if (this.persistentTensor !== undefined && isKind(value, 'persistent')) return true;
    const entries = dictEntries(value);
    if (entries !== undefined) return entries.some(([, v]) => this.containsTensor(v, depth + 1));
    const items = sequenceItems(value);
    if (items !== undefined) return items.some((v) => this.containsTensor(v, depth + 1));
    return false;
  }

  private asTensor(value: PickleValue, path: readonly string[]): LoadedTensor | undefined {
    if (this.persistentTensor !== undefined && isKind(value, 'persistent')) {
      const found = this.persistentTensor(value.pid, path);
      return { ...found, name: path.join('.'), parameter: false };
    }
    const call = unwrapCall(value);
    if (call === undefined) return undefined;
    const name = calleeName(call);
    const args = tupleItems(call.args);
    const where = path.join('.');
    switch (name) {
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state': {
        const data = args?.[0];
        if (data === undefined) throw unsupported(path, `${name} without arguments`);
        const inner = this.asTensor(data, path);
        if (inner === undefined) throw unsupported(path, `${name} of a ${kindOf(data)}`);
        return { ...inner, parameter: true };
      }
      case 'torch._tensor._rebuild_from_type_v2': {
        // _rebuild_from_type_v2(func, new_type, args, state): func(*args) retyped as new_type.
        const [func, newType, innerArgs] = args ?? [];
        if (func === undefined || innerArgs === undefined || !isGlobal(func)) {
          throw unsupported(path, `${name} with unexpected arguments`);
        }
        const typeName = newType !== undefined && isGlobal(newType) ? qualifiedName(newType) : '';
        if (typeName !== 'torch.Tensor' && typeName !== 'torch.nn.parameter.Parameter') {
          throw unsupported(path, `tensor subclass ${typeName || kindOf(newType ?? null)}`);
        }
        const inner: PyCall = {
          kind: 'call',
          callee: func,
          args: innerArgs,
          opcode: call.opcode,
          offset: call.offset,
        };
        const tensor = this.asTensor(inner, path);
        if (tensor === undefined) throw unsupported(path, `${name} of ${qualifiedName(func)}`);
        return typeName === 'torch.nn.parameter.Parameter'
          ? { ...tensor, parameter: true }
          : tensor;
      }
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v3': {
        if (args === undefined || args.length < 4) {
          throw unsupported(path, `${name} with ${args?.length ?? 0} arguments`);
        }
        const [pid, offset, size, stride] = args as [
          PickleValue,
          PickleValue,
          PickleValue,
          PickleValue,
        ];
        const storage = this.declaredStorage(pid, path);
        let dtype = storage.dtype;
        if (name === 'torch._utils._rebuild_tensor_v3') {
          const d = args[6];
          const named =
            d !== undefined && isGlobal(d) ? dtypeOfDtypeGlobal(d.module, d.name) : undefined;
          if (named === undefined) throw unsupported(path, `${name} without a known dtype`);
          dtype = named;
        }
        const ref = this.resolve(storage);
        const geometry = checkTensorGeometry(
          where,
          intTuple(size, path, 'size'),
          intTuple(stride, path, 'stride'),
          intValue(offset, path, 'storage offset'),
          dtype.itemsize,
          ref.nbytes,
        );
        // Every field named, no spread: an object spread into a literal puts the spread fields
        // in a separate property array, ~30 bytes more for each of 100,000 tensors.
        return {
          name: where,
          dtype,
          storage: ref,
          parameter: false,
          shape: this.shared(geometry.shape),
          strides: this.shared(geometry.strides),
          storageOffset: geometry.storageOffset,
          numel: geometry.numel,
          nbytes: geometry.nbytes,
          extentBytes: geometry.extentBytes,
          contiguous: geometry.contiguous,
        };
      }
      case 'torch._utils._rebuild_meta_tensor_no_storage':
        throw unsupported(path, 'a meta tensor (no data) has no safetensors form');
      case 'torch._utils._rebuild_qtensor':
      case 'torch._utils._rebuild_sparse_tensor':
      case 'torch._utils._rebuild_sparse_csr_tensor':
        throw unsupported(
          path,
          `${name.slice('torch._utils._rebuild_'.length)} tensors are not converted`,
        );
      default:
        return undefined;
    }
  }

  /** One frozen array per distinct list of dimensions (up to MAX_SHARED_DIMS of them). */
  private shared(dims: readonly number[]): readonly number[] {
    const key = dims.join(',');
    const known = this.dims.get(key);
    if (known !== undefined) return known;
    if (this.dims.size >= MAX_SHARED_DIMS) return dims;
    const frozen = Object.freeze([...dims]);
    this.dims.set(key, frozen);
    return frozen;
  }

  /** The storage a tensor's persistent id declares; a key declared twice must agree. */
  private declaredStorage(pid: PickleValue, path: readonly string[]): DeclaredStorage {
    const declared = parseStoragePid(pid, path);
    const root = this.storages.get(declared.key);
    if (root === undefined) this.storages.set(declared.key, declared);
    // torch caches the first declaration of a key; a second, different one is a lie.
    else if (root.dtype !== declared.dtype || root.numel !== declared.numel) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage '${declared.key}' is declared twice with different types or sizes`,
      );
    }
    const view = declared.view;
    if (view !== undefined) {
      const seen = this.views.get(view.key);
      if (seen === undefined) this.views.set(view.key, declared);
      else if (
        seen.key !== declared.key ||
        seen.view?.offset !== view.offset ||
        seen.view.numel !== view.numel
      ) {
        throw new LoadError(
          'INVALID_STORAGE',
          `storage view '${view.key}' is declared twice differently`,
        );
      }
    }
    return declared;
  }
}

/**
 * Parses a torch persistent id, `('storage', storage_type, key, location, numel)` (zip) or with a
 * sixth `view_metadata` item (legacy stream). Throws LoadError('UNSUPPORTED') for anything else.
 */
export function parseStoragePid(pid: PickleValue, path: readonly string[] = []): DeclaredStorage {
  if (typeof pid !== 'object' || pid?.kind !== 'persistent') {
    throw unsupported(path, `tensor storage is a ${kindOf(pid)}, not a persistent id`);
  }
  const items = tupleItems(pid.pid);
  if (items === undefined || items.length < 5 || items.length > 6 || items[0] !== 'storage') {
    throw unsupported(path, 'persistent id is not a (storage, type, key, location, numel) tuple');
  }
  const [, type, key, location, numel, view] = items as [
    PickleValue,
    PickleValue,
    PickleValue,
    PickleValue,
    PickleValue,
    PickleValue | undefined,
  ];
  const dtype = isGlobal(type) ? dtypeOfStorageGlobal(type.module, type.name) : undefined;
  if (dtype === undefined) {
    throw unsupported(path, `storage type ${isGlobal(type) ? qualifiedName(type) : kindOf(type)}`);
  }
  if (typeof key !== 'string' || typeof location !== 'string') {
    throw unsupported(path, 'storage key and location must be strings');
  }
  return {
    key,
    dtype,
    numel: intValue(numel, path, 'storage numel'),
    ...(view === undefined || view === null ? {} : { view: viewMetadata(view, path) }),
  };
}

function viewMetadata(
  view: PickleValue,
  path: readonly string[],
): { key: string; offset: number; numel: number } {
  const items = tupleItems(view);
  const [key, offset, numel] = items ?? [];
  if (
    items?.length !== 3 ||
    typeof key !== 'string' ||
    offset === undefined ||
    numel === undefined
  ) {
    throw unsupported(path, 'storage view metadata is not a (key, offset, size) tuple');
  }
  return {
    key,
    offset: intValue(offset, path, 'view offset'),
    numel: intValue(numel, path, 'view size'),
  };
}

function unsupported(path: readonly string[], why: string): LoadError {
  const at = path.length === 0 ? 'the root' : `'${path.join('.')}'`;
  return new LoadError('UNSUPPORTED', `${why} at ${at}`);
}

/** A call value (a BUILD over a rebuilt tensor is not something torch.save writes). */
function unwrapCall(value: PickleValue): PyCall | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (value.kind === 'call') return value;
  return undefined;
}

function calleeName(call: PyCall): string {
  return isGlobal(call.callee) ? qualifiedName(call.callee) : '';
}

const TENSOR_CALLS = new Set([
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
]);

function isTensorCall(value: PickleValue): boolean {
  const call = unwrapCall(value);
  return call !== undefined && TENSOR_CALLS.has(calleeName(call));
}

/**
 * Entries of a dict or an OrderedDict: a `dict` value, `OrderedDict()` / `OrderedDict(pairs)`
 * calls with the SETITEM(S) the VM recorded on them, and a BUILD over either (state dropped).
 */
function dictEntries(
  value: PickleValue,
): readonly (readonly [PickleValue, PickleValue])[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (value.kind === 'dict') return value.entries;
  if (value.kind === 'build') return dictEntries(value.target);
  const name = value.kind === 'call' ? calleeName(value) : '';
  if (
    value.kind === 'call' &&
    (name === 'collections.OrderedDict' || name === 'collections.Counter')
  ) {
    const args = tupleItems(value.args);
    const initial = args?.[0];
    // `OrderedDict()` filled by SETITEMS (what torch.save writes): its entries as they are, not
    // a copy of 100,000 pairs.
    if (initial === undefined) return value.entries ?? [];
    const pairs = sequenceItems(initial);
    if (pairs === undefined) return undefined;
    const items: (readonly [PickleValue, PickleValue])[] = [];
    for (const pair of pairs) {
      const kv = tupleItems(pair);
      if (kv?.length !== 2) return undefined;
      items.push([kv[0] ?? null, kv[1] ?? null]);
    }
    // A loop, not push(...entries): a spread of that many arguments overflows the stack.
    for (const entry of value.entries ?? []) items.push(entry);
    return items;
  }
  return undefined;
}

function sequenceItems(value: PickleValue): readonly PickleValue[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (value.kind === 'list' || value.kind === 'tuple') return value.items;
  return undefined;
}

function tupleItems(value: PickleValue): readonly PickleValue[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return value.kind === 'tuple' ? value.items : undefined;
}

function keyText(key: PickleValue, path: readonly string[]): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  throw unsupported(path, `dict key of type ${kindOf(key)}`);
}

function intValue(value: PickleValue, path: readonly string[], what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint') {
    throw new LoadError(
      'INVALID_STORAGE',
      `${what} ${value} at '${path.join('.')}' is out of range`,
    );
  }
  throw unsupported(path, `${what} is a ${kindOf(value)}, not an int`);
}

function intTuple(value: PickleValue, path: readonly string[], what: string): (number | bigint)[] {
  // torch.Size(...) pickles as a REDUCE of torch.Size over a tuple of ints.
  let v = value;
  if (typeof v === 'object' && v !== null && v.kind === 'call' && calleeName(v) === 'torch.Size') {
    v = tupleItems(v.args)?.[0] ?? null;
  }
  const items = tupleItems(v) ?? sequenceItems(v);
  if (items === undefined) throw unsupported(path, `${what} is a ${kindOf(value)}, not a tuple`);
  return items.map((x) => {
    if (typeof x === 'number' || typeof x === 'bigint') return x;
    throw unsupported(path, `${what} holds a ${kindOf(x)}`);
  });
}

/**
 * Renders a non-tensor leaf as JSON text, the way Python's json.dumps would render the loaded
 * value (tuples and sets as arrays, int keys as strings, floats with a decimal point, NaN and
 * Infinity as json.dumps spells them). Refuses values that have no JSON form (bytes, globals,
 * calls): LoadError('UNSUPPORTED').
 */
/**
 * What rendering leaves may still cost. Memo references make a pickle a graph: a list holding
 * itself twice, or ten references to ten references …, expands exponentially when written out.
 */
interface JsonBudget {
  nodes: number;
  chars: number;
}

/** Values rendered as metadata in one walk. */
const MAX_JSON_NODES = 1_000_000;
/** Characters of metadata text in one walk (the safetensors header holds them). */
const MAX_JSON_CHARS = 64 * 1024 * 1024;

function toJson(
  value: PickleValue,
  path: readonly string[],
  depth: number,
  budget: JsonBudget,
): string {
  if (--budget.nodes < 0) throw unsupported(path, `more than ${MAX_JSON_NODES} metadata values`);
  const text = renderJson(value, path, depth, budget);
  budget.chars -= text.length;
  if (budget.chars < 0)
    throw unsupported(path, `more than ${MAX_JSON_CHARS} characters of metadata`);
  return text;
}

function renderJson(
  value: PickleValue,
  path: readonly string[],
  depth: number,
  budget: JsonBudget,
): string {
  if (depth > MAX_DEPTH) throw unsupported(path, `nesting deeper than ${MAX_DEPTH}`);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value.kind === 'float') return pythonFloatText(value.value);
  if (value.kind === 'call') {
    const plain = plainCall(value, path, depth, budget);
    if (plain !== undefined) return plain;
  }
  const items = sequenceItems(value) ?? setItems(value);
  if (items !== undefined)
    return `[${items.map((v) => toJson(v, path, depth + 1, budget)).join(', ')}]`;
  const entries = dictEntries(value);
  if (entries === undefined) {
    throw unsupported(path, `a ${describe(value)} that is neither a tensor nor plain data`);
  }
  const parts = entries.map(
    ([k, v]) => `${JSON.stringify(keyText(k, path))}: ${toJson(v, path, depth + 1, budget)}`,
  );
  return `{${parts.join(', ')}}`;
}

/**
 * The plain values weights-only torch also rebuilds through a call: `torch.device(type[, index])`
 * as its string form ("cuda:0"), `builtins.set(list)` / `frozenset(list)` as an array.
 */
function plainCall(
  call: PyCall,
  path: readonly string[],
  depth: number,
  budget: JsonBudget,
): string | undefined {
  const name = calleeName(call);
  const args = tupleItems(call.args);
  if (name === 'torch.device' && args !== undefined) {
    const [type, index] = args;
    if (typeof type === 'string' && args.length === 1) return JSON.stringify(type);
    if (typeof type === 'string' && args.length === 2 && typeof index === 'number') {
      return JSON.stringify(`${type}:${index}`);
    }
    return undefined;
  }
  if (name === 'torch.Size' && args?.length === 1 && args[0] !== undefined) {
    // torch.Size is a tuple subclass: json.dumps writes it as the list of its ints.
    const dims: string[] = [];
    for (const d of tupleItems(args[0]) ?? [null]) {
      if (typeof d !== 'number' && typeof d !== 'bigint') return undefined;
      dims.push(String(d));
    }
    return `[${dims.join(', ')}]`;
  }
  if ((name === 'builtins.set' || name === 'builtins.frozenset') && args !== undefined) {
    const initial = args.length === 1 && args[0] !== undefined ? sequenceItems(args[0]) : [];
    if (initial === undefined || args.length > 1) return undefined;
    // Items ADDITEMS put into a `set()` call, when the VM records them.
    const items = call.items === undefined ? initial : [...initial, ...call.items];
    return `[${items.map((v) => toJson(v, path, depth + 1, budget)).join(', ')}]`;
  }
  return undefined;
}

function setItems(value: PickleValue): readonly PickleValue[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return value.kind === 'set' || value.kind === 'frozenset' ? value.items : undefined;
}

function describe(value: PickleValue): string {
  if (typeof value === 'object' && value !== null && value.kind === 'call') {
    const name = calleeName(value);
    return name === '' ? 'call' : `call of ${name}`;
  }
  if (isGlobal(value)) return `global ${qualifiedName(value)}`;
  if (typeof value === 'object' && value !== null && value.kind === 'build') {
    const target = value.target;
    const made = isCall(target) ? calleeName(target) : '';
    return made === '' ? 'object built with state' : `${made} object built with state`;
  }
  return kindOf(value);
}

/**
 * A float as CPython's `repr` (and so json.dumps) writes it: the shortest digits that round-trip
 * (the same digits as JavaScript's), in fixed notation when the decimal exponent is in [-4, 16)
 * and with a `.0` when integral, otherwise `d.ddde±XX` with at least two exponent digits;
 * `-0.0` keeps its sign; NaN and the infinities as json.dumps spells them.
 */
export function pythonFloatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest round-trip digits: "d.ddde±x".
  const [mantissa = '', exp = '0'] = v.toExponential().split('e');
  const exponent = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exponent);
    return `${sign}${digits[0] ?? ''}${frac}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const frac = digits.slice(exponent + 1);
  return `${sign}${whole}.${frac === '' ? '0' : frac}`;
}
