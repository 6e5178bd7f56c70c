import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import { emptyDecodeResult, type PickleDecodeResult } from '../../../src/formats/pickle/records.js';
import type { PickleValue, PyTuple } from '../../../src/formats/pickle/value.js';
import {
  decodeOnePickle,
  decodeOnePickleSource,
  decodePickle,
} from '../../../src/formats/pickle/vm.js';
import {
  BINPERSID,
  EMPTY_LIST,
  EMPTY_TUPLE,
  global,
  int1,
  MARK,
  NEWFALSE,
  pk,
  proto,
  sbu,
  STOP,
  TUPLE,
  TUPLE1,
  TUPLE2,
  APPENDS,
} from './assemble.js';
import { pickleOpcodes, SEEDS } from './generators.js';

const LIMITS = makeLimits({ maxOpcodes: 200_000, maxStack: 10_000, maxMemo: 10_000 });
const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? '200');

/** The items of the list a pickle returns. */
function listItems(r: PickleDecodeResult): readonly PickleValue[] {
  const root = r.streams[0]?.root;
  assert.ok(typeof root === 'object' && root !== null && root.kind === 'list');
  return root.items;
}

const tuple = (v: PickleValue | undefined): PyTuple => {
  assert.ok(typeof v === 'object' && v !== null && v.kind === 'tuple');
  return v;
};

describe('shared literal tuples and persistent ids', () => {
  it('shares identical tuples of plain values and keeps different ones apart', () => {
    // [(4,), (4,), ('4',), (4, False), (4, False), (), (), (1.5,), (1.5,), (G,), (G,)]
    const float = [0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
    const g = global('torch', 'FloatStorage');
    const r = decodePickle(
      pk(
        proto(2),
        EMPTY_LIST,
        MARK,
        int1(4),
        TUPLE1,
        int1(4),
        TUPLE1,
        sbu('4'),
        TUPLE1,
        int1(4),
        NEWFALSE,
        TUPLE2,
        int1(4),
        NEWFALSE,
        TUPLE2,
        EMPTY_TUPLE,
        EMPTY_TUPLE,
        float,
        TUPLE1,
        float,
        TUPLE1,
        g,
        0x71, // BINPUT 0: the global, memoised as torch writes it
        0,
        TUPLE1,
        0x68, // BINGET 0
        0,
        TUPLE1,
        APPENDS,
        STOP,
      ),
      { limits: LIMITS },
    );
    assert.equal(r.error, undefined);
    const items = listItems(r).map(tuple);
    assert.equal(items.length, 11);
    const [a, b, text, pairA, pairB, emptyA, emptyB, floatA, floatB, globalA, globalB] = items;
    assert.equal(a, b, 'two (4,) are one value');
    assert.notEqual(a, text, "(4,) and ('4',) differ");
    assert.deepEqual(text?.items, ['4']);
    assert.equal(pairA, pairB);
    assert.deepEqual(pairA?.items, [4, false]);
    assert.equal(emptyA, emptyB);
    assert.deepEqual(emptyA?.items, []);
    assert.notEqual(floatA, floatB, 'floats are objects: never shared');
    assert.equal(globalA, globalB, 'the same global object inside: shared');
    // The first occurrence's offset is kept (tuple offsets are never reported): its TUPLE1.
    assert.equal(a?.offset, 6);
  });

  it('records every BINPERSID, sharing the value of one pid tuple', () => {
    // [persistent(('storage', G, '0', 'cpu', 4)) × 2, persistent(('storage', G, '1', 'cpu', 4))],
    // the global written once and memoised, as torch writes it.
    const pid = (key: string, first: boolean): (number | Uint8Array | string | number[])[] => [
      MARK,
      sbu('storage'),
      ...(first ? [global('torch', 'FloatStorage'), 0x71, 0] : [0x68, 0]),
      sbu(key),
      sbu('cpu'),
      int1(4),
      TUPLE,
      BINPERSID,
    ];
    const r = decodePickle(
      pk(
        proto(2),
        EMPTY_LIST,
        MARK,
        ...pid('0', true),
        ...pid('0', false),
        ...pid('1', false),
        APPENDS,
        STOP,
      ),
      { limits: LIMITS },
    );
    assert.equal(r.error, undefined);
    assert.equal(r.persistent.length, 3, 'one record per opcode');
    const [p0, p1, p2] = listItems(r);
    assert.ok(typeof p0 === 'object' && p0 !== null && p0.kind === 'persistent');
    assert.ok(typeof p2 === 'object' && p2 !== null && p2.kind === 'persistent');
    assert.equal(p1, p0, 'the same storage id twice: one value');
    assert.notEqual(p2, p0);
    assert.equal(tuple(p2.pid).items[2], '1');
    assert.deepEqual(r.persistent, [p0, p0, p2]);
    assert.ok(p0.offset < p2.offset);
  });

  it('decodes one pickle from a source as from bytes, whatever the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...SEEDS), pickleOpcodes(), fc.uint8Array({ maxLength: 300 })),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, window) => {
          const mem = emptyDecodeResult(0);
          const memInfo = decodeOnePickle(bytes, 0, mem, { limits: LIMITS });
          const src = emptyDecodeResult(0);
          const srcInfo = await decodeOnePickleSource(new MemorySource(bytes), 0, src, {
            limits: LIMITS,
            window,
            lookahead: 16,
          });
          const summary = (r: PickleDecodeResult) => ({
            globals: r.globals.map((g) => `${g.offset}:${g.module}.${g.name}`),
            calls: r.calls.map((c) => `${c.offset}:${c.opcode}`),
            persistent: r.persistent.map((p) => p.offset),
            anomalies: r.anomalies.map((a) => `${a.offset}:${a.kind}`),
            error: r.error?.code,
            errorAt: r.error?.offset,
            end: r.end,
          });
          assert.deepEqual(summary(src), summary(mem));
          assert.deepEqual(
            { end: srcInfo.end, complete: srcInfo.complete, protocol: srcInfo.protocol },
            { end: memInfo.end, complete: memInfo.complete, protocol: memInfo.protocol },
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
