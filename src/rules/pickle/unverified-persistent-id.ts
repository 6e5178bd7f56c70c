import { checkStorageRecord } from '../../core/tensor-geometry.js';
import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { decodeLatin1 } from '../../core/byte-reader.js';
import { isInt, isKind, type PickleValue, type PyTuple } from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { isAllowedGlobal, opcodeSpan } from './policy/judge.js';
import { storageElementSize } from '../../formats/pickle/storage-types.js';

type Problem = 'no-loader' | 'shape' | 'storage-type' | 'missing' | 'size' | 'record-size';

function tag(v: PickleValue): string | undefined {
  if (typeof v === 'string') return v;
  // torch ASCII-decodes a bytes tag (`_maybe_decode_ascii`).
  if (isKind(v, 'bytes')) return decodeLatin1(v.value);
  return undefined;
}

function checkTuple(pid: PyTuple, input: PickleScanInput): { problem?: Problem; detail: string } {
  const [head, type, key, location, numel, view] = pid.items;
  const lengthOk =
    input.flavour === 'torch-zip'
      ? pid.items.length === 5
      : pid.items.length === 5 || pid.items.length === 6;
  if (head === undefined || tag(head) !== 'storage' || !lengthOk) {
    return { problem: 'shape', detail: `a ${pid.items.length}-tuple that is not a storage id` };
  }
  if (
    typeof key !== 'string' ||
    typeof location !== 'string' ||
    numel === undefined ||
    !isInt(numel) ||
    numel < 0
  ) {
    return { problem: 'shape', detail: 'a storage id with mistyped fields' };
  }
  if (
    view !== undefined &&
    view !== null &&
    !(
      isKind(view, 'tuple') &&
      view.items.length === 3 &&
      typeof view.items[0] === 'string' &&
      isInt(view.items[1] ?? null) &&
      isInt(view.items[2] ?? null)
    )
  ) {
    return { problem: 'shape', detail: 'a storage id with malformed view metadata' };
  }
  const size =
    isKind(type, 'global') && isAllowedGlobal(type, input)
      ? storageElementSize(type.module, type.name)
      : undefined;
  if (size === undefined) return { problem: 'storage-type', detail: `storage '${key}'` };
  // A legacy view (view_key, offset, size) slices the root storage in elements (_legacy_load).
  if (isKind(view, 'tuple')) {
    const [, offset, length] = view.items;
    if (
      isInt(offset ?? null) &&
      isInt(length ?? null) &&
      (BigInt(offset as number | bigint) < 0n ||
        BigInt(length as number | bigint) < 0n ||
        BigInt(offset as number | bigint) + BigInt(length as number | bigint) > BigInt(numel))
    ) {
      return {
        problem: 'size',
        detail: `view of storage '${key}' runs past its ${numel} elements`,
      };
    }
  }
  const storages = input.storages;
  if (storages === undefined) return { detail: key };
  const have = storages.get(key);
  if (have === undefined) return { problem: 'missing', detail: `storage '${key}'` };
  const need = BigInt(numel) * BigInt(size);
  if (need > BigInt(have)) {
    return { problem: 'size', detail: `storage '${key}' needs ${need} bytes, has ${have}` };
  }
  // torch-zip and legacy records must hold exactly what the id declares: the loader's check
  // (src/core/tensor-geometry.ts), and torch 2.13 refuses a larger record too.
  if (input.flavour === 'torch-zip' || input.flavour === 'torch-legacy') {
    const mismatch = checkStorageRecord(numel, size, have);
    if (mismatch !== undefined) {
      return { problem: 'record-size', detail: `storage '${key}' ${mismatch}` };
    }
  }
  return { detail: key };
}

/**
 * Persistent ids (PERSID/BINPERSID → `persistent_load(pid)`). A bare pickle or a numpy object
 * array has no persistent_load at all, so any persistent id there is refused. In torch
 * containers, a pid must be `('storage', <storage class>, key, location, numel[, view])`, name a
 * storage the container holds, and fit its byte size (numel × element size ≤ stored bytes;
 * CVE-2026-24747 class). In a legacy tar checkpoint a key string or int naming a stored storage
 * is accepted too.
 */
export default defineRule<PickleScanInput, Problem>({
  id: 'pickle/unverified-persistent-id',
  title: 'Persistent id that does not name a stored tensor storage',
  target: 'pickle',
  severity: 'high',
  confidence: 'high',
  policy: 'torchward default-deny: torch weights_only persistent_load rules',
  verdict: 'suspicious',
  messages: {
    'no-loader':
      '{{opcode}} in a {{flavour}} pickle: nothing here defines persistent_load, so the id is resolved by whoever loads it.',
    shape:
      "{{opcode}} passes {{detail}}; torch accepts only ('storage', type, key, location, numel).",
    'storage-type': '{{opcode}} names {{detail}} with a type that is not a torch storage class.',
    missing: '{{opcode}} names {{detail}}, which is not in the archive.',
    size: '{{opcode}}: {{detail}}; the tensor would read past its storage.',
    'record-size':
      '{{opcode}}: {{detail}}; torch 2.13 refuses a storage record whose size differs from its id.',
  },
  check(ctx, input) {
    const seen = new Set<string>();
    for (const p of input.decoded.persistent) {
      let problem: Problem | undefined;
      let detail = '';
      if (input.flavour === 'raw' || input.flavour === 'npy-object') {
        problem = 'no-loader';
      } else if (isKind(p.pid, 'tuple')) {
        ({ problem, detail } = checkTuple(p.pid, input));
      } else if (
        input.flavour === 'torch-tar' &&
        (typeof p.pid === 'string' || typeof p.pid === 'number') &&
        input.storages?.has(String(p.pid)) === true
      ) {
        problem = undefined;
      } else {
        problem = 'shape';
        detail = `a ${isKind(p.pid, 'global') ? 'global' : typeof p.pid === 'object' && p.pid !== null ? p.pid.kind : typeof p.pid}`;
      }
      if (problem === undefined) continue;
      const key = `${problem}\n${detail}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({
        messageId: problem,
        data: { opcode: p.opcode, flavour: input.flavour, detail },
        at: { span: opcodeSpan(p.offset) },
      });
    }
  },
});
