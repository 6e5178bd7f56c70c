import type { PickleScanInput } from '../../../formats/pickle/scan-input.js';
import {
  isKind,
  qualifiedName,
  type PickleValue,
  type PyGlobal,
} from '../../../formats/pickle/value.js';
import { WEIGHTS_ONLY_ALLOWLIST } from './allowlist.js';
import { matchGadget } from './gadgets.js';

/**
 * True when `module.name` is on the weights-only allowlist or the user's list, and on no
 * gadget entry (a user entry can never lift a gadget: pytorch#189445).
 */
export function isAllowedName(module: string, name: string, input: PickleScanInput): boolean {
  const q = `${module}.${name}`;
  if (WEIGHTS_ONLY_ALLOWLIST.has(q)) return true;
  return input.allowGlobals.includes(q) && matchGadget(module, name) === undefined;
}

/** True when `g` resolves to an allowed global. */
export function isAllowedGlobal(g: PyGlobal, input: PickleScanInput): boolean {
  return isAllowedName(g.module, g.name, input);
}

/** The object a BUILD chain was applied to (BUILD leaves its target in place). */
export function unwrapBuild(v: PickleValue): PickleValue {
  let cur = v;
  // Each BUILD wraps the previous value once; the chain is as long as the BUILDs in the stream,
  // so this loop is bounded by the opcode count.
  while (isKind(cur, 'build')) cur = cur.target;
  return cur;
}

/**
 * The allowlisted class or function whose call produced `v` (after BUILDs), e.g.
 * 'collections.OrderedDict'; undefined for anything else.
 */
export function producedBy(v: PickleValue, input: PickleScanInput): string | undefined {
  const target = unwrapBuild(v);
  if (!isKind(target, 'call')) return undefined;
  const callee = target.callee;
  if (!isKind(callee, 'global') || !isAllowedGlobal(callee, input)) return undefined;
  return qualifiedName(callee);
}

/** `{start, end}` of a one-byte span at `offset` (an opcode). */
export function opcodeSpan(offset: number): { start: number; end: number } {
  return { start: offset, end: offset + 1 };
}

/** A short description of a value for messages. */
export function describe(v: PickleValue): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v.kind === 'global') return qualifiedName(v);
  if (v.kind === 'call') {
    const callee = v.callee;
    return isKind(callee, 'global') ? `result of ${qualifiedName(callee)}(…)` : 'result of a call';
  }
  if (v.kind === 'build') return describe(unwrapBuild(v));
  return v.kind;
}
