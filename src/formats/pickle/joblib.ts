import { FormatError } from '../../core/errors.js';
import { isKind, type PickleValue, type PyBuild, type PyDict } from './value.js';

/**
 * What follows a joblib NumpyArrayWrapper's BUILD inside the stream (reference §5): joblib's
 * NumpyUnpickler reads the array straight from the file there. `start`/`end` are indexes into
 * the decoded bytes; `nested` means an object-dtype array, whose data is a whole pickle.
 */
export interface JoblibSkip {
  readonly start: number;
  readonly end: number;
  readonly nested: boolean;
  /** True when the alignment padding is not all 0xff (joblib writes 0xff). */
  readonly padding: boolean;
}

// Sizes of numpy's fixed-size type codes ('f8' carries its size; these have none).
const CHAR_SIZES: Readonly<Record<string, number>> = {
  '?': 1,
  b: 1,
  B: 1,
  e: 2,
  f: 4,
  d: 8,
  g: 16,
};
// A dtype description is walked only this deep (structured dtypes nest; attackers nest more).
const MAX_DTYPE_NODES = 1000;

/** True when `build` rebuilds joblib's NumpyArrayWrapper (any vendored copy of joblib). */
export function isJoblibArrayWrapper(build: PyBuild): boolean {
  const t = build.target;
  if (!isKind(t, 'call')) return false;
  const c = t.callee;
  return (
    isKind(c, 'global') &&
    c.name === 'NumpyArrayWrapper' &&
    (c.module === 'joblib.numpy_pickle' || c.module.endsWith('.joblib.numpy_pickle'))
  );
}

function dictGet(d: PyDict, key: string): PickleValue | undefined {
  for (const [k, v] of d.entries) if (k === key) return v;
  return undefined;
}

function dtypeCall(v: PickleValue): { code: string; state: PickleValue } | undefined {
  let state: PickleValue = null;
  let node = v;
  if (isKind(node, 'build')) {
    state = node.state;
    node = node.target;
  }
  if (!isKind(node, 'call')) return undefined;
  const args = node.args;
  if (!isKind(args, 'tuple')) return undefined;
  const code = args.items[0];
  return typeof code === 'string' ? { code, state } : undefined;
}

/** numpy itemsize of a dtype code such as 'f8', 'i4', 'U5' (with elsize from the state). */
function itemSize(code: string, state: PickleValue): number | undefined {
  if (isKind(state, 'tuple')) {
    const elsize = state.items[5];
    if (typeof elsize === 'number' && elsize > 0) return elsize;
  }
  const m = /^[<>=|]?([a-zA-Z?])(\d*)$/.exec(code);
  if (m === null) return undefined;
  const ch = m[1] ?? '';
  const digits = m[2] ?? '';
  if (digits !== '') {
    const n = Number(digits);
    return ch === 'U' ? n * 4 : n;
  }
  return CHAR_SIZES[ch];
}

/** True when any dtype reachable from `v` (structured fields included) holds objects. */
function hasObject(v: PickleValue): boolean {
  const todo: PickleValue[] = [v];
  let seen = 0;
  while (todo.length > 0 && seen++ < MAX_DTYPE_NODES) {
    const x = todo.pop() ?? null;
    if (isKind(x, 'call')) {
      const d = dtypeCall(x);
      if (d !== undefined && /^[<>=|]?O/.test(d.code)) return true;
      todo.push(x.args);
    } else if (isKind(x, 'build')) {
      todo.push(x.target, x.state);
    } else if (isKind(x, 'tuple') || isKind(x, 'list')) {
      for (const item of x.items) todo.push(item);
    } else if (isKind(x, 'dict')) {
      for (const [k, val] of x.entries) todo.push(k, val);
    }
  }
  return false;
}

/**
 * If `build` is a NumpyArrayWrapper, computes where its array data ends: an alignment byte (only
 * when the state has `numpy_array_alignment_bytes`), that many padding bytes, then
 * prod(shape) × itemsize bytes; or, for object dtypes, the position of the nested pickle.
 * Returns undefined for any other BUILD. Throws BAD_VALUE when the state cannot size the array.
 */
export function skipJoblibArray(
  build: PyBuild,
  bytes: Uint8Array,
  pos: number,
  base: number,
): JoblibSkip | undefined {
  if (!isJoblibArrayWrapper(build)) return undefined;
  const fail = (why: string): never => {
    throw new FormatError('BAD_VALUE', `joblib array wrapper: ${why}`, base + pos);
  };
  const state = build.state;
  if (!isKind(state, 'dict')) {
    return fail('state is not a dict');
  }
  const dtype = dictGet(state, 'dtype');
  if (dtype === undefined) return fail('no dtype');
  if (hasObject(dtype)) return { start: pos, end: pos, nested: true, padding: false };
  const d = dtypeCall(dtype);
  const size = d === undefined ? undefined : itemSize(d.code, d.state);
  if (size === undefined) return fail('unknown dtype');
  const shape = dictGet(state, 'shape');
  if (!isKind(shape, 'tuple')) {
    return fail('shape is not a tuple');
  }
  let count = BigInt(size);
  for (const dim of shape.items) {
    if (typeof dim !== 'number' && typeof dim !== 'bigint') return fail('shape holds a non-int');
    if (dim < 0) return fail('negative dimension');
    count *= BigInt(dim);
    if (count > BigInt(Number.MAX_SAFE_INTEGER)) return fail('array size overflows');
  }
  let start = pos;
  let padding = false;
  if (dictGet(state, 'numpy_array_alignment_bytes') !== undefined) {
    const padLength = bytes[pos];
    if (padLength === undefined) return fail('missing alignment byte');
    for (let i = 0; i < padLength; i++) if (bytes[pos + 1 + i] !== 0xff) padding = true;
    start = pos + 1 + padLength;
  }
  return { start, end: start + Number(count), nested: false, padding };
}
