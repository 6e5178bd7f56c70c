/**
 * The symbolic value model produced by the pickle VM (./vm.ts). Nothing here is ever executed: a
 * value is a faithful description of the object graph the unpickler would build.
 *
 * Primitives are plain JS values so a large benign pickle costs no wrapper objects:
 * - Python `None` → `null`; `bool` → `boolean`; `str` → `string` (STRING/BINSTRING/SHORT_BINSTRING,
 *   py2 `str`, are decoded as latin-1, i.e. byte for byte; torch decodes them as UTF-8).
 * - `int` → `number` when it is a safe integer, else `bigint`; never a float.
 * - `float` → {@link PyFloat} (a wrapper, so `1.0` stays distinct from `1`).
 * - `bytes` / `bytearray` → {@link PyBytes}.
 *
 * Everything else is an object with a `kind` discriminant and, where it comes from an opcode, the
 * byte `offset` of that opcode in the unit (absolute, including any base the VM was given).
 * Containers are mutable: APPEND(S), SETITEM(S) and ADDITEMS push into the target's arrays, so a
 * loader walking the root sees every item, as the real unpickler would.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | PyBytes
  | PyList
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyCall
  | PyBuild
  | PyPersistent
  | PyExt
  | PyBuffer;

/** A Python float. */
export interface PyFloat {
  readonly kind: 'float';
  readonly value: number;
}

/** `bytes` (BINBYTES*, SHORT_BINBYTES) or `bytearray` (BYTEARRAY8); a view into the input. */
export interface PyBytes {
  readonly kind: 'bytes';
  readonly value: Uint8Array;
  readonly bytearray: boolean;
}

/** A list; `items` grows with APPEND/APPENDS. */
export interface PyList {
  readonly kind: 'list';
  readonly items: PickleValue[];
  readonly offset: number;
  /** Set when the decoder kept only the first `retainItems` items (scan mode). */
  truncated?: boolean;
}

/**
 * A tuple (TUPLE, TUPLE1-3, EMPTY_TUPLE, and the argument tuples of INST/OBJ). Identical tuples
 * of plain values (ints, short strs, bools, None, one global object) built by TUPLE* may be one
 * shared value, whose `offset` is that of an earlier identical tuple (the VM's memory per tensor).
 */
export interface PyTuple {
  readonly kind: 'tuple';
  readonly items: readonly PickleValue[];
  readonly offset: number;
}

/** A dict; `entries` are the ordered key/value pairs as SETITEM(S)/DICT inserted them. */
export interface PyDict {
  readonly kind: 'dict';
  readonly entries: [key: PickleValue, value: PickleValue][];
  readonly offset: number;
  /** Set when the decoder kept only the first `retainItems` entries (scan mode). */
  truncated?: boolean;
}

/** A set (EMPTY_SET + ADDITEMS) or frozenset (FROZENSET). */
export interface PySet {
  readonly kind: 'set' | 'frozenset';
  readonly items: PickleValue[];
  readonly offset: number;
  /** Set when the decoder kept only the first `retainItems` items (scan mode). */
  truncated?: boolean;
}

/** Opcodes that name a global. */
export type GlobalOpcode = 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT';

/**
 * A global reference as `find_class` resolves it: `module` and `name` after py2 remapping
 * (fix_imports, only below protocol 3). `name` may be dotted (`os.system`): it is an attribute
 * chain only when `dotted` is true (protocol ≥ 4); below protocol 4 the real unpickler looks up
 * the dotted name as one attribute, which fails.
 */
export interface PyGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
  /** The names as written in the stream, before fix_imports. */
  readonly rawModule: string;
  readonly rawName: string;
  /** True when `name` contains a dot and the stream declared protocol ≥ 4 (attribute chain). */
  readonly dotted: boolean;
  readonly opcode: GlobalOpcode;
  readonly offset: number;
}

/** Opcodes that call something. */
export type CallOpcode = 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'OBJ' | 'INST';

/**
 * The result of a call: `callee(*args, **kwargs)` for REDUCE/OBJ/INST, `callee.__new__(callee,
 * *args, **kwargs)` for NEWOBJ/NEWOBJ_EX. `args` is normally a tuple but is whatever the stream
 * put there (the real unpickler then fails with TypeError).
 */
export interface PyCall {
  readonly kind: 'call';
  readonly callee: PickleValue;
  readonly args: PickleValue;
  /** NEWOBJ_EX only. */
  readonly kwargs?: PickleValue;
  readonly opcode: CallOpcode;
  readonly offset: number;
  /** Set when a BUILD later applied state to this object (NEWOBJ objects must be built). */
  built?: boolean;
  /**
   * Items APPEND/APPENDS/ADDITEMS added to this object (a list or set subclass, `set()`), in
   * order; absent when none were added.
   */
  items?: PickleValue[];
  /** Key/value pairs SETITEM/SETITEMS set on this object (`OrderedDict()`, `Counter()`). */
  entries?: [key: PickleValue, value: PickleValue][];
  /** Set when the decoder kept only the first `retainItems` items or entries (scan mode). */
  truncated?: boolean;
}

/** BUILD: `target.__setstate__(state)` or `__dict__` update / setattr of slot state. */
export interface PyBuild {
  readonly kind: 'build';
  readonly target: PickleValue;
  readonly state: PickleValue;
  readonly offset: number;
}

/**
 * PERSID / BINPERSID: `persistent_load(pid)`. PERSID's pid is an ASCII str. BINPERSID of the
 * very same pid tuple may give one shared value (each opcode is still recorded, see
 * PickleDecodeResult.persistent), whose `offset` is its first opcode's.
 */
export interface PyPersistent {
  readonly kind: 'persistent';
  readonly pid: PickleValue;
  readonly opcode: 'PERSID' | 'BINPERSID';
  readonly offset: number;
}

/**
 * EXT1/2/4: a global named by an extension code. CPython's default copyreg registry is empty,
 * so `resolved` is undefined unless the code is registered there (then it holds the global).
 */
export interface PyExt {
  readonly kind: 'ext';
  readonly code: number;
  readonly resolved?: PyGlobal;
  readonly offset: number;
}

/** NEXT_BUFFER: an out-of-band buffer (the unpickler fails without `buffers=`). */
export interface PyBuffer {
  readonly kind: 'buffer';
  readonly offset: number;
}

/** The kind of a value, for messages and policy switches. */
export type PickleValueKind =
  | 'none'
  | 'bool'
  | 'int'
  | 'str'
  | Exclude<PickleValue, null | boolean | number | bigint | string>['kind'];

/** Names the kind of `value`. */
export function kindOf(value: PickleValue): PickleValueKind {
  if (value === null) return 'none';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  return value.kind;
}

/** `module.name` of a global, as torch's allowlist and `get_globals_in_pkl` spell it. */
export function qualifiedName(global: Pick<PyGlobal, 'module' | 'name'>): string {
  return `${global.module}.${global.name}`;
}

/** True when `value` is a global reference. */
export function isGlobal(value: PickleValue): value is PyGlobal {
  return typeof value === 'object' && value !== null && value.kind === 'global';
}

/** True when `value` is a call result. */
export function isCall(value: PickleValue): value is PyCall {
  return typeof value === 'object' && value !== null && value.kind === 'call';
}

/** True when `value` is a Python int (number or bigint). */
export function isInt(value: PickleValue): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** The object kinds of {@link PickleValue} (everything but primitives). */
export type PickleObject = Exclude<PickleValue, null | boolean | number | bigint | string>;

/** True when `value` is an object value of kind `kind` (narrows the type). */
export function isKind<K extends PickleObject['kind']>(
  value: PickleValue | undefined,
  kind: K,
): value is PickleObject & { readonly kind: K } {
  return typeof value === 'object' && value !== null && value.kind === kind;
}
