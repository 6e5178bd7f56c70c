import type { PickleScanContext } from './pickle-contract.js';
import { scanPickleBytes } from './pickle.js';
import type { MemberVerdict, UnitContext } from '../unit.js';

/**
 * Scans `bytes`, member `name` of `parent`, as a pickle with the container's context (a torch
 * zip's data.pkl with the archive's storages, an object .npy's payload).
 */
export function scanPickleMember(
  parent: UnitContext,
  name: string,
  bytes: Uint8Array,
  pctx: PickleScanContext,
): Promise<MemberVerdict> {
  return parent.scanWith(name, 'pickle', (ctx) => scanPickleBytes(ctx, bytes, pctx));
}
