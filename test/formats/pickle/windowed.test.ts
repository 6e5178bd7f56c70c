import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import type { PickleDecodeResult } from '../../../src/formats/pickle/records.js';
import { decodePickle, decodePickleSource } from '../../../src/formats/pickle/vm.js';
import { global, pk, proto, REDUCE, sbu, STOP, TUPLE1, u64 } from './assemble.js';
import { pickleOpcodes, SEEDS } from './generators.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '300');
const LIMITS = makeLimits({ maxOpcodes: 200_000, maxStack: 10_000, maxMemo: 10_000 });

const summary = (r: PickleDecodeResult) => ({
  globals: r.globals.map((g) => `${g.offset}:${g.module}.${g.name}`),
  calls: r.calls.map((c) => `${c.offset}:${c.opcode}`),
  persistent: r.persistent.length,
  error: r.error?.code,
  errorAt: r.error?.offset,
  streams: r.streams.map((s) => `${s.start}-${s.end}:${s.complete}`),
});

async function both(bytes: Uint8Array, window: number, lookahead: number) {
  const mem = decodePickle(bytes, { limits: LIMITS });
  const win = await decodePickleSource(new MemorySource(bytes), {
    limits: LIMITS,
    window,
    lookahead,
  });
  return { mem: summary(mem), win: summary(win) };
}

describe('windowed pickle decoding', () => {
  it('gives the same records as in-memory decoding with tiny windows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...SEEDS), pickleOpcodes(), fc.uint8Array({ maxLength: 300 })),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 40 }),
        async (bytes, window, lookahead) => {
          const { mem, win } = await both(bytes, window, lookahead);
          assert.deepEqual(win, mem);
        },
      ),
      { numRuns: RUNS },
    );
  });
  it('skips a large bytes payload unread and finds the payload after it', async () => {
    const big = new Uint8Array(3 << 20);
    const bytes = pk(
      proto(4),
      0x8e,
      u64(BigInt(big.byteLength)),
      big,
      0x30,
      global('posix', 'system'),
      sbu('id'),
      TUPLE1,
      REDUCE,
      STOP,
    );
    let read = 0;
    const inner = new MemorySource(bytes);
    const source = {
      size: inner.size,
      read: (offset: number, length: number) => {
        read += length;
        return inner.read(offset, length);
      },
    };
    const r = await decodePickleSource(source, { limits: LIMITS, window: 1 << 16 });
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.globals.map((g) => g.name),
      ['system'],
    );
    assert.equal(r.skipped.length, 1);
    assert.ok(read < 1 << 20, `read ${read} bytes`);
  });
});
