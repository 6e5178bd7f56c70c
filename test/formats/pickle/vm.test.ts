import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { PickleDecodeResult } from '../../../src/formats/pickle/records.js';
import type { PickleValue } from '../../../src/formats/pickle/value.js';
import { decodePickle } from '../../../src/formats/pickle/vm.js';
import {
  ADDITEMS,
  APPEND,
  APPENDS,
  BINPERSID,
  BUILD,
  bu,
  binget,
  binput,
  DICT,
  DUP,
  EMPTY_DICT,
  frame,
  EMPTY_SET,
  EMPTY_TUPLE,
  FROZENSET,
  global,
  int1,
  LIST,
  MARK,
  MEMOIZE,
  NEWFALSE,
  NEWOBJ,
  NEWOBJ_EX,
  NEWTRUE,
  NONE,
  OBJ,
  pk,
  POP,
  POP_MARK,
  proto,
  REDUCE,
  sbs,
  sbu,
  SETITEM,
  SETITEMS,
  STACK_GLOBAL,
  STOP,
  TUPLE,
  TUPLE1,
  TUPLE2,
  TUPLE3,
  u16,
  u32,
  u64,
} from './assemble.js';

const dec = (b: Uint8Array): PickleDecodeResult => decodePickle(b, { limits: DEFAULT_LIMITS });
function root(b: Uint8Array): PickleValue | undefined {
  const r = dec(b);
  assert.equal(r.error, undefined, r.error?.message);
  return r.streams[0]?.root;
}
const names = (r: PickleDecodeResult): string[] => r.globals.map((g) => `${g.module}.${g.name}`);

describe('pickle VM: integers', () => {
  it('reads INT, including I00/I01 as booleans, strtol octal and hex', () => {
    assert.equal(root(pk('I42\n', STOP)), 42);
    assert.equal(root(pk('I-7\n', STOP)), -7);
    assert.equal(root(pk('I00\n', STOP)), false);
    assert.equal(root(pk('I01\n', STOP)), true);
    assert.equal(root(pk('I010\n', STOP)), 8);
    assert.equal(root(pk('I0x10\n', STOP)), 16);
    assert.equal(
      root(pk('I123456789012345678901234567890\n', STOP)),
      123456789012345678901234567890n,
    );
    assert.equal(dec(pk('Ixyz\n', STOP)).error?.code, 'BAD_VALUE');
  });
  it('reads BININT, BININT1, BININT2, LONG, LONG1 and LONG4', () => {
    assert.equal(root(pk(0x4a, u32(0xffffffff), STOP)), -1);
    assert.equal(root(pk(int1(255), STOP)), 255);
    assert.equal(root(pk(0x4d, u16(65535), STOP)), 65535);
    assert.equal(root(pk('L12345678901234567890L\n', STOP)), 12345678901234567890n);
    assert.equal(root(pk(0x8a, 0, STOP)), 0);
    assert.equal(root(pk(0x8a, 2, 0xff, 0x7f, STOP)), 0x7fff);
    assert.equal(root(pk(0x8a, 1, 0xff, STOP)), -1);
    assert.equal(
      root(pk(0x8a, 10, [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], STOP)),
      0x1950a86a20f9469cfc6cn,
    );
    assert.equal(root(pk(0x8b, u32(9), [0, 0, 0, 0, 0, 0, 0, 0, 0x80], STOP)), -(2n ** 71n));
  });
});

describe('pickle VM: floats, strings, bytes, constants', () => {
  it('reads FLOAT and big-endian BINFLOAT as float wrappers', () => {
    assert.deepEqual(root(pk('F1.5\n', STOP)), { kind: 'float', value: 1.5 });
    assert.deepEqual(root(pk('Finf\n', STOP)), { kind: 'float', value: Infinity });
    assert.deepEqual(root(pk(0x47, [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], STOP)), {
      kind: 'float',
      value: 1.5,
    });
    assert.equal(dec(pk('F1.5x\n', STOP)).error?.code, 'BAD_VALUE');
  });
  it('reads STRING with escapes, BINSTRING, SHORT_BINSTRING and UNICODE', () => {
    assert.equal(root(pk("S'a\\nb\\x41\\101\\''\n", STOP)), "a\nbAA'");
    assert.equal(root(pk('S"q"\n', STOP)), 'q');
    assert.equal(dec(pk('Sabc\n', STOP)).error?.code, 'BAD_VALUE');
    assert.equal(root(pk(0x54, u32(3), 'abc', STOP)), 'abc');
    assert.equal(root(pk(sbs('os'), STOP)), 'os');
    assert.equal(root(pk('Va\\u00e9\\\\u0041\n', STOP)), 'a\u00e9\\\\u0041');
  });
  it('reads BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 with surrogatepass', () => {
    assert.equal(root(pk(bu('h\u00e9llo'), STOP)), 'h\u00e9llo');
    assert.equal(root(pk(sbu('x'), STOP)), 'x');
    assert.equal(root(pk(0x8d, u64(2n), 'hi', STOP)), 'hi');
    // ED A0 80 is an encoded lone surrogate: CPython decodes it with "surrogatepass".
    assert.equal(root(pk(0x58, u32(3), [0xed, 0xa0, 0x80], STOP)), '\ud800');
    assert.equal(dec(pk(0x58, u32(1), [0xff], STOP)).error?.code, 'BAD_UTF8');
  });
  it('reads BINBYTES, SHORT_BINBYTES, BINBYTES8 and BYTEARRAY8', () => {
    const b = root(pk(0x42, u32(2), [1, 2], STOP));
    assert.ok(typeof b === 'object' && b !== null && b.kind === 'bytes');
    assert.deepEqual([...b.value], [1, 2]);
    const s = root(pk(0x43, 1, [9], STOP));
    assert.ok(typeof s === 'object' && s !== null && s.kind === 'bytes' && s.value[0] === 9);
    const e = root(pk(0x8e, u64(1n), [7], STOP));
    assert.ok(typeof e === 'object' && e !== null && e.kind === 'bytes' && !e.bytearray);
    const a = root(pk(0x96, u64(1n), [7], STOP));
    assert.ok(typeof a === 'object' && a !== null && a.kind === 'bytes' && a.bytearray);
  });
  it('reads NONE, NEWTRUE, NEWFALSE', () => {
    assert.equal(root(pk(NONE, STOP)), null);
    assert.equal(root(pk(NEWTRUE, STOP)), true);
    assert.equal(root(pk(NEWFALSE, STOP)), false);
  });
});

describe('pickle VM: containers and stack', () => {
  it('builds lists with LIST, APPEND and APPENDS', () => {
    const l = root(pk(MARK, int1(1), LIST, int1(2), APPEND, MARK, int1(3), int1(4), APPENDS, STOP));
    assert.ok(typeof l === 'object' && l !== null && l.kind === 'list');
    assert.deepEqual(l.items, [1, 2, 3, 4]);
  });
  it('builds tuples with TUPLE, EMPTY_TUPLE and TUPLE1-3', () => {
    const t = root(
      pk(
        MARK,
        MARK,
        int1(1),
        TUPLE,
        EMPTY_TUPLE,
        int1(2),
        TUPLE1,
        int1(3),
        int1(4),
        TUPLE2,
        int1(5),
        int1(6),
        int1(7),
        TUPLE3,
        TUPLE,
        STOP,
      ),
    );
    assert.ok(typeof t === 'object' && t !== null && t.kind === 'tuple');
    assert.equal(t.items.length, 5);
    assert.equal(dec(pk(int1(1), TUPLE2, STOP)).error?.code, 'BAD_STRUCTURE');
    // TUPLE1 cannot reach below a MARK (Pdata_poptuple checks the fence).
    assert.equal(dec(pk(int1(1), MARK, TUPLE1, STOP)).error?.code, 'BAD_STRUCTURE');
  });
  it('builds dicts with DICT, SETITEM and SETITEMS, keeping entry order', () => {
    const d = root(
      pk(
        MARK,
        sbu('a'),
        int1(1),
        DICT,
        sbu('b'),
        int1(2),
        SETITEM,
        MARK,
        sbu('c'),
        int1(3),
        SETITEMS,
        STOP,
      ),
    );
    assert.ok(typeof d === 'object' && d !== null && d.kind === 'dict');
    assert.deepEqual(d.entries, [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    assert.equal(dec(pk(MARK, sbu('a'), DICT, STOP)).error?.code, 'BAD_VALUE');
    assert.equal(dec(pk(EMPTY_DICT, MARK, sbu('a'), SETITEMS, STOP)).error?.code, 'BAD_VALUE');
  });
  it('builds sets with EMPTY_SET + ADDITEMS and FROZENSET', () => {
    const s = root(pk(EMPTY_SET, MARK, int1(1), int1(2), ADDITEMS, STOP));
    assert.ok(typeof s === 'object' && s !== null && s.kind === 'set' && s.items.length === 2);
    const f = root(pk(MARK, int1(1), FROZENSET, STOP));
    assert.ok(typeof f === 'object' && f !== null && f.kind === 'frozenset');
  });
  it('POP pops a MARK at the top, POP_MARK discards to the mark, DUP copies', () => {
    assert.equal(root(pk(int1(1), MARK, POP, STOP)), 1);
    assert.equal(root(pk(int1(1), MARK, int1(2), int1(3), POP_MARK, STOP)), 1);
    const t = root(pk(int1(5), DUP, TUPLE2, STOP));
    assert.ok(typeof t === 'object' && t !== null && t.kind === 'tuple');
    assert.deepEqual(t.items, [5, 5]);
    assert.equal(dec(pk(POP, STOP)).error?.code, 'BAD_STRUCTURE');
    assert.equal(dec(pk(POP_MARK, STOP)).error?.code, 'BAD_STRUCTURE');
    // STOP cannot pop below an open MARK.
    assert.equal(dec(pk(int1(1), MARK, STOP)).error?.code, 'BAD_STRUCTURE');
  });
});

describe('pickle VM: items kept on call results', () => {
  it('SETITEMS on OrderedDict() and APPENDS/ADDITEMS on call results keep their items', () => {
    const od = root(
      pk(
        proto(2),
        global('collections', 'OrderedDict'),
        EMPTY_TUPLE,
        REDUCE,
        MARK,
        sbu('a'),
        int1(1),
        sbu('b'),
        int1(2),
        SETITEMS,
        STOP,
      ),
    );
    assert.ok(typeof od === 'object' && od !== null && od.kind === 'call');
    assert.deepEqual(od.entries, [
      ['a', 1],
      ['b', 2],
    ]);
    const l = root(
      pk(proto(2), global('m', 'L'), EMPTY_TUPLE, REDUCE, MARK, int1(1), int1(2), APPENDS, STOP),
    );
    assert.ok(typeof l === 'object' && l !== null && l.kind === 'call');
    assert.deepEqual(l.items, [1, 2]);
    const s = root(
      pk(proto(4), global('builtins', 'set'), EMPTY_TUPLE, REDUCE, MARK, int1(3), ADDITEMS, STOP),
    );
    assert.ok(typeof s === 'object' && s !== null && s.kind === 'call');
    assert.deepEqual(s.items, [3]);
  });
  it('a single APPENDS of 300k items decodes (no argument-spread overflow)', () => {
    const ops: number[] = [0x5d, MARK];
    for (let i = 0; i < 300_000; i++) ops.push(NONE);
    ops.push(APPENDS, STOP);
    const l = root(pk(ops));
    assert.ok(
      typeof l === 'object' && l !== null && l.kind === 'list' && l.items.length === 300_000,
    );
  });
});

describe('pickle VM: scan-mode retention', () => {
  it('retainItems caps stored items, counts all of them and marks the container', () => {
    const ops: number[] = [0x5d];
    for (let i = 0; i < 10; i++) ops.push(int1(i)[0] ?? 0, i, APPEND);
    const r = decodePickle(pk(ops, STOP), { limits: DEFAULT_LIMITS, retainItems: 4 });
    const l = r.streams[0]?.root;
    assert.ok(typeof l === 'object' && l !== null && l.kind === 'list');
    assert.deepEqual(l.items, [0, 1, 2, 3]);
    assert.equal(l.truncated, true);
    // Consecutive APPENDs to one list are one mutation record with the total count.
    assert.deepEqual(
      r.mutations.map((m) => [m.opcode, m.count]),
      [['APPEND', 10]],
    );
    const d = decodePickle(
      pk(EMPTY_DICT, MARK, sbu('a'), int1(1), sbu('b'), int1(2), SETITEMS, STOP),
      {
        limits: DEFAULT_LIMITS,
        retainItems: 1,
      },
    ).streams[0]?.root;
    assert.ok(typeof d === 'object' && d !== null && d.kind === 'dict');
    assert.deepEqual(d.entries, [['a', 1]]);
    assert.equal(d.truncated, true);
  });
});

describe('pickle VM: memo', () => {
  it('PUT/GET, BINPUT/BINGET, LONG_BINPUT/LONG_BINGET', () => {
    assert.equal(root(pk(int1(7), 'p3\n', POP, 'g3\n', STOP)), 7);
    assert.equal(root(pk(int1(7), binput(9), POP, binget(9), STOP)), 7);
    assert.equal(root(pk(int1(7), 0x72, u32(70000), POP, 0x6a, u32(70000), STOP)), 7);
    assert.equal(dec(pk(binget(1), STOP)).error?.code, 'BAD_VALUE');
    assert.equal(dec(pk(int1(1), 'p-1\n', STOP)).error?.code, 'BAD_VALUE');
  });
  it('keeps a memo of 16,000 entries across its pages; gaps and far keys as before', () => {
    // The memo is held in pages of 8,192 slots: keys on both sides of each page end, a gap that
    // crosses one (16,000 -> 17,000: the slots between read as missing), a far key (a Map).
    const n = 16_000;
    const parts: Uint8Array[] = [pk(proto(2), MARK)];
    for (let i = 0; i < n; i++) parts.push(pk(0x4a, u32(i * 3), 0x72, u32(i)));
    parts.push(pk(LIST, MARK));
    for (let i = n - 1; i >= 0; i--) parts.push(pk(0x6a, u32(i)));
    parts.push(pk(LIST, int1(7), 0x72, u32(17_000), POP, int1(9), 0x72, u32(40_000), POP));
    parts.push(pk(0x6a, u32(17_000), 0x6a, u32(40_000), TUPLE2, TUPLE3, STOP));
    const value = root(pk(...parts));
    assert.ok(typeof value === 'object' && value?.kind === 'tuple');
    const [stored, read, pair] = value.items;
    assert.ok(typeof stored === 'object' && stored?.kind === 'list');
    assert.ok(typeof read === 'object' && read?.kind === 'list');
    assert.deepEqual(
      stored.items,
      Array.from({ length: n }, (_, i) => i * 3),
    );
    assert.deepEqual(read.items, [...stored.items].reverse());
    assert.ok(typeof pair === 'object' && pair?.kind === 'tuple');
    assert.deepEqual(pair.items, [7, 9]);
    const gap = pk(...parts.slice(0, -1), pk(0x6a, u32(16_500), STOP));
    assert.equal(dec(gap).error?.code, 'BAD_VALUE');
    assert.match(dec(gap).error?.message ?? '', /memo value not found at index 16500/);
  });
  it('MEMOIZE stores at len(memo), not last key + 1 (bypass O1)', () => {
    // BINPUT 5 on an empty memo, then MEMOIZE writes key 1 (the entry count).
    const b = pk(proto(4), int1(10), binput(5), POP, int1(20), MEMOIZE, POP, binget(1), STOP);
    assert.equal(root(b), 20);
    assert.equal(
      dec(pk(proto(4), int1(10), binput(5), POP, int1(20), MEMOIZE, POP, binget(6), STOP)).error
        ?.code,
      'BAD_VALUE',
    );
  });
});

describe('pickle VM: globals', () => {
  it('remaps py2 names only below protocol 3 (fix_imports)', () => {
    const p2 = dec(pk(proto(2), global('__builtin__', 'len'), STOP));
    assert.deepEqual(names(p2), ['builtins.len']);
    assert.equal(p2.globals[0]?.rawModule, '__builtin__');
    assert.deepEqual(names(dec(pk(proto(3), global('__builtin__', 'len'), STOP))), [
      '__builtin__.len',
    ]);
    assert.deepEqual(names(dec(pk(global('copy_reg', '_reconstructor'), STOP))), [
      'copyreg._reconstructor',
    ]);
    assert.deepEqual(names(dec(pk(proto(2), global('__builtin__', 'xrange'), STOP))), [
      'builtins.range',
    ]);
  });
  it('marks dotted names as attribute chains only from protocol 4', () => {
    assert.equal(dec(pk(proto(4), global('os', 'path.join'), STOP)).globals[0]?.dotted, true);
    assert.equal(dec(pk(proto(2), global('os', 'path.join'), STOP)).globals[0]?.dotted, false);
  });
  it('STACK_GLOBAL takes str operands from anywhere: STRING, memo, BINSTRING (bypass O2)', () => {
    assert.deepEqual(names(dec(pk("S'os'\nS'system'\n", STACK_GLOBAL, STOP))), ['os.system']);
    assert.deepEqual(
      names(
        dec(
          pk(
            proto(4),
            sbu('os'),
            MEMOIZE,
            POP,
            sbu('x'),
            POP,
            binget(0),
            sbs('system'),
            STACK_GLOBAL,
            STOP,
          ),
        ),
      ),
      ['os.system'],
    );
    assert.equal(dec(pk(int1(1), sbu('system'), STACK_GLOBAL, STOP)).error?.code, 'BAD_VALUE');
  });
  it('records EXT1/2/4 codes and refuses codes <= 0 (bypass O7)', () => {
    const r = dec(pk(proto(2), 0x82, 1, 0x83, u16(300), 0x84, u32(70000), TUPLE3, STOP));
    assert.deepEqual(
      r.exts.map((e) => e.code),
      [1, 300, 70000],
    );
    assert.equal(r.error, undefined);
    assert.equal(dec(pk(0x84, u32(0xffffffff), STOP)).error?.code, 'BAD_VALUE');
  });
});

describe('pickle VM: calls, builds, persistent ids', () => {
  it('records REDUCE with its resolved callee and args', () => {
    const r = dec(pk(proto(2), global('posix', 'system'), sbu('id'), TUPLE1, REDUCE, STOP));
    const call = r.calls[0];
    assert.ok(call !== undefined);
    assert.equal(call.opcode, 'REDUCE');
    assert.equal(call.offset, 21);
    assert.ok(
      typeof call.callee === 'object' && call.callee !== null && call.callee.kind === 'global',
    );
    assert.equal(call.callee.name, 'system');
    assert.equal(r.streams[0]?.root, call);
  });
  it('records NEWOBJ, NEWOBJ_EX, OBJ and INST calls (bypass O4)', () => {
    const r = dec(
      pk(
        proto(4),
        global('a', 'B'),
        EMPTY_TUPLE,
        NEWOBJ,
        POP,
        global('a', 'C'),
        EMPTY_TUPLE,
        EMPTY_DICT,
        NEWOBJ_EX,
        POP,
        MARK,
        global('a', 'D'),
        sbu('x'),
        OBJ,
        POP,
        MARK,
        sbu('cmd'),
        'ibuiltins\nexec\n',
        STOP,
      ),
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.calls.map((c) => c.opcode),
      ['NEWOBJ', 'NEWOBJ_EX', 'OBJ', 'INST'],
    );
    assert.deepEqual(names(r), ['a.B', 'a.C', 'a.D', 'builtins.exec']);
  });
  it('refuses REDUCE with a known non-tuple argument after recording it', () => {
    const r = dec(pk(global('posix', 'system'), sbu('id'), REDUCE, STOP));
    assert.equal(r.error?.code, 'BAD_VALUE');
    assert.equal(r.calls.length, 1);
  });
  it('records BUILD, leaving the built object on the stack, and marks NEWOBJ objects built', () => {
    const r = dec(pk(proto(2), global('a', 'B'), EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, BUILD, STOP));
    assert.equal(r.builds.length, 1);
    assert.equal(r.calls[0]?.built, true);
    assert.equal(r.streams[0]?.root, r.builds[0]);
  });
  it('records PERSID and BINPERSID', () => {
    const r = dec(pk('P0\n', POP, sbu('storage'), BINPERSID, STOP));
    assert.deepEqual(
      r.persistent.map((p) => [p.opcode, p.pid]),
      [
        ['PERSID', '0'],
        ['BINPERSID', 'storage'],
      ],
    );
  });
  it('walks a torch rebuild_tensor_v2 call from the root', () => {
    const b = pk(
      proto(2),
      global('torch._utils', '_rebuild_tensor_v2'),
      MARK,
      MARK,
      sbu('storage'),
      global('torch', 'FloatStorage'),
      sbu('0'),
      sbu('cpu'),
      int1(12),
      TUPLE,
      BINPERSID,
      int1(0),
      int1(3),
      int1(4),
      TUPLE2,
      int1(4),
      int1(1),
      TUPLE2,
      NEWFALSE,
      global('collections', 'OrderedDict'),
      EMPTY_TUPLE,
      REDUCE,
      TUPLE,
      REDUCE,
      STOP,
    );
    const top = root(b);
    assert.ok(typeof top === 'object' && top !== null && top.kind === 'call');
    assert.ok(typeof top.args === 'object' && top.args !== null && top.args.kind === 'tuple');
    const storage = top.args.items[0];
    assert.ok(typeof storage === 'object' && storage !== null && storage.kind === 'persistent');
    assert.ok(
      typeof storage.pid === 'object' && storage.pid !== null && storage.pid.kind === 'tuple',
    );
    assert.deepEqual(storage.pid.items[4], 12);
    assert.equal(top.args.items.length, 6);
  });
});

describe('pickle VM: streams, frames, anomalies', () => {
  it('decodes several pickles back to back (bypass C13)', () => {
    const r = dec(pk(proto(2), NONE, STOP, proto(2), global('posix', 'system'), STOP));
    assert.equal(r.streams.length, 2);
    assert.deepEqual(names(r), ['posix.system']);
    assert.equal(r.error, undefined);
  });
  it('resumes after junk between pickles (bypass C14)', () => {
    const r = dec(pk(proto(2), NONE, STOP, 0xff, proto(2), global('posix', 'system'), STOP));
    assert.equal(r.error?.code, 'BAD_OPCODE');
    assert.deepEqual(names(r), ['posix.system']);
    assert.ok(r.anomalies.some((a) => a.kind === 'resync'));
  });
  it('keeps what ran before an undefined opcode (bypass C9/O9)', () => {
    const r = dec(pk(proto(2), global('posix', 'system'), sbu('id'), TUPLE1, REDUCE, 0x0f));
    assert.equal(r.error?.code, 'BAD_OPCODE');
    assert.equal(r.calls.length, 1);
  });
  it('reads through FRAME ends like the C unpickler and records crossings (bypass O8)', () => {
    const r = dec(
      pk(proto(4), frame(2), global('posix', 'system'), sbu('id'), TUPLE1, REDUCE, STOP),
    );
    // Over io.BytesIO (torch) the C unpickler drops the rest of the frame and reads the module
    // line after it ('osix'); pickle.loads reads straight on ('posix'). Both are recorded.
    assert.equal(r.error, undefined);
    assert.deepEqual(names(r), ['osix.system', 'posix.system']);
    assert.ok(r.anomalies.some((a) => a.kind === 'frame-crossing' && a.offset === 11));
    assert.equal(dec(pk(proto(4), frame(100), NONE, STOP)).error?.code, 'TRUNCATED');
  });
  it('records duplicate and misplaced PROTO (bypass O11)', () => {
    const r = dec(pk(proto(2), NONE, proto(4), STOP));
    assert.deepEqual(
      r.anomalies.map((a) => a.kind),
      ['duplicate-proto', 'misplaced-proto'],
    );
    assert.equal(dec(pk(proto(6), NONE, STOP)).error?.code, 'UNSUPPORTED_VERSION');
  });
  it('records out-of-band buffers', () => {
    const r = dec(pk(proto(5), 0x97, 0x98, STOP));
    assert.equal(r.error, undefined);
    assert.equal(r.anomalies.filter((a) => a.kind === 'out-of-band-buffer').length, 2);
  });
});
