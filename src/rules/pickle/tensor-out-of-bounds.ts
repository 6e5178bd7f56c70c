import { decodeLatin1 } from '../../core/byte-reader.js';
import { checkTensorGeometry } from '../../core/tensor-geometry.js';
import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { dtypeElementSize, storageElementSize } from '../../formats/pickle/storage-types.js';
import {
  isInt,
  isKind,
  qualifiedName,
  type PickleValue,
  type PyCall,
} from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { isAllowedGlobal, opcodeSpan } from './policy/judge.js';

/** The dense rebuild functions: (storage, storage_offset, size, stride, …). */
const DENSE_REBUILDS = new Set([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
]);

/** A storage a persistent id declares: its byte length as torch will allocate it. */
interface Declared {
  readonly key: string;
  readonly bytes: bigint;
  readonly itemsize: number;
}

/**
 * The storage `('storage', type, key, location, numel[, (view_key, offset, size)])` declares, or
 * undefined when the id is not such a tuple (pickle/unverified-persistent-id reports those).
 */
function declaredStorage(pid: PickleValue): Declared | undefined {
  if (!isKind(pid, 'persistent') || !isKind(pid.pid, 'tuple')) return undefined;
  const [head, type, key, , numel, view] = pid.pid.items;
  const tag =
    typeof head === 'string' ? head : isKind(head, 'bytes') ? decodeLatin1(head.value) : '';
  if (tag !== 'storage' || typeof key !== 'string' || numel === undefined || !isInt(numel)) {
    return undefined;
  }
  const itemsize = isKind(type, 'global') ? storageElementSize(type.module, type.name) : undefined;
  if (itemsize === undefined) return undefined;
  // A legacy view (view_key, offset, size) is a storage of `size` elements of the root.
  const length = isKind(view, 'tuple') ? view.items[2] : numel;
  if (length === undefined || !isInt(length)) return undefined;
  return { key, bytes: BigInt(length) * BigInt(itemsize), itemsize };
}

/** The integers of a literal tuple or list, or undefined when it holds anything else. */
function intItems(v: PickleValue | undefined): (number | bigint)[] | undefined {
  if (v === undefined || !(isKind(v, 'tuple') || isKind(v, 'list'))) return undefined;
  const out: (number | bigint)[] = [];
  for (const item of v.items) {
    if (!isInt(item)) return undefined;
    out.push(item);
  }
  return out;
}

/** Why `call` (a dense rebuild) would reach outside its storage; undefined when it fits. */
function problemOf(
  call: PyCall,
  name: string,
): { id: 'bounds' | 'unproven'; why: string } | undefined {
  const args = isKind(call.args, 'tuple') ? call.args.items : undefined;
  if (args === undefined || args.length < 4) return undefined;
  const storage = declaredStorage(args[0] ?? null);
  if (storage === undefined) return undefined;
  const offset = args[1];
  const size = intItems(args[2]);
  const stride = intItems(args[3]);
  if (offset === undefined || !isInt(offset) || size === undefined || stride === undefined) {
    return { id: 'unproven', why: 'its offset, sizes or strides are not literal integers' };
  }
  let itemsize = storage.itemsize;
  if (name === 'torch._utils._rebuild_tensor_v3') {
    const dtype = args[6];
    const named = isKind(dtype, 'global') ? dtypeElementSize(dtype.module, dtype.name) : undefined;
    if (named === undefined) return { id: 'unproven', why: 'it names no known dtype' };
    itemsize = named;
  }
  const result = checkTensorGeometry(size, stride, offset, itemsize, storage.bytes);
  return result.ok
    ? undefined
    : { id: 'bounds', why: `storage '${storage.key}': ${result.reason}` };
}

/**
 * A dense tensor rebuild (`_rebuild_tensor_v2` and kin) whose storage offset, sizes and strides
 * reach outside the storage its persistent id declares, are negative, or overflow: the same check
 * the loader applies (src/core/tensor-geometry.ts). torch 2.13 refuses these (`set_` raises);
 * torch before 2.10 read past the storage (CVE-2026-24747 class).
 */
export default defineRule<PickleScanInput, 'bounds' | 'unproven'>({
  id: 'pickle/tensor-out-of-bounds',
  title: 'Tensor geometry reaches outside its storage',
  target: 'pickle',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-125 out-of-bounds read; torch weights_only tensor rebuild (CVE-2026-24747 class)',
  verdict: 'suspicious',
  messages: {
    bounds:
      '{{callee}} builds a tensor that does not fit its storage ({{why}}); torch 2.13 refuses it and older torch reads past the storage.',
    unproven:
      '{{callee}} builds a tensor whose bounds cannot be proven: {{why}}; torch.save writes literal tuples.',
  },
  check(ctx, input) {
    if (input.flavour === 'raw' || input.flavour === 'npy-object') return;
    // A stream read two ways (frame divergence) records its calls twice: report each once.
    const seen = new Set<number>();
    for (const call of input.decoded.calls) {
      if (seen.has(call.offset)) continue;
      const callee = call.callee;
      if (!isKind(callee, 'global') || !isAllowedGlobal(callee, input)) continue;
      const name = qualifiedName(callee);
      if (!DENSE_REBUILDS.has(name)) continue;
      const problem = problemOf(call, name);
      if (problem === undefined) continue;
      seen.add(call.offset);
      ctx.report({
        messageId: problem.id,
        data: { callee: name, why: problem.why },
        at: { span: opcodeSpan(call.offset) },
      });
    }
  },
});
