import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { makeLimits } from '../../../src/core/limits.js';
import { looksLikePickle } from '../../../src/formats/pickle/sniff.js';
import { decodePickle } from '../../../src/formats/pickle/vm.js';
import { judge } from '../../rules/pickle/judge.js';
import { pickleOpcodes, SEEDS } from './generators.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '500');
const LIMITS = makeLimits({ maxOpcodes: 200_000, maxStack: 10_000, maxMemo: 10_000 });

function check(bytes: Uint8Array): void {
  const r = decodePickle(bytes, { limits: LIMITS });
  if (r.error !== undefined) assert.ok(r.error instanceof FormatError);
  assert.ok(r.opcodes <= LIMITS.maxOpcodes + 1);
  looksLikePickle(bytes.subarray(0, 4096));
  const j = judge(bytes);
  assert.ok(['safe', 'invalid', 'suspicious', 'malicious'].includes(j.verdict));
}

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'insert', 'delete'),
      ),
      { maxLength: 8 },
    ),
    fc.nat(),
  )
  .map(([seed, edits, cut]) => {
    const out = [...seed];
    for (const [at, byte, kind] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'flip') out[i] = byte;
      else if (kind === 'insert') out.splice(i, 0, byte);
      else out.splice(i, 1);
    }
    return Uint8Array.from(
      out.slice(0, out.length === 0 ? 0 : cut % (out.length + 1) || out.length),
    );
  });

describe('pickle VM properties', () => {
  it('arbitrary bytes decode or fail with FormatError, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), check), { numRuns: RUNS });
  });
  it('generated opcode streams decode or fail with FormatError', () => {
    fc.assert(fc.property(pickleOpcodes(), check), { numRuns: RUNS });
  });
  it('flips, insertions, deletions and truncations of valid pickles too', () => {
    fc.assert(fc.property(mutated, check), { numRuns: RUNS });
  });
});
