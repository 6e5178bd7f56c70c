import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, makeLimits } from '../../../src/core/limits.js';
import { decodePickle, type PickleLimits } from '../../../src/formats/pickle/vm.js';
import {
  APPEND,
  EMPTY_LIST,
  global,
  int1,
  MARK,
  MEMOIZE,
  NONE,
  pk,
  POP,
  proto,
  REDUCE,
  sbu,
  SETITEM,
  EMPTY_DICT,
  STOP,
  TUPLE1,
  u32,
  u64,
} from './assemble.js';

const code = (b: Uint8Array, limits: PickleLimits = DEFAULT_LIMITS, deadline?: number) =>
  decodePickle(b, deadline === undefined ? { limits } : { limits, deadline }).error?.code;

// A valid pickle touching most argument encodings (text lines, u8/u32/u64 lengths, memo).
const VALID = pk(
  proto(4),
  EMPTY_DICT,
  sbu('k'),
  MEMOIZE,
  'F1.25\n',
  SETITEM,
  sbu('l'),
  EMPTY_LIST,
  0x58,
  u32(3),
  'abc',
  APPEND,
  SETITEM,
  sbu('b'),
  0x8e,
  u64(2n),
  'xy',
  SETITEM,
  sbu('i'),
  'I12345\n',
  SETITEM,
  sbu('g'),
  global('collections', 'OrderedDict'),
  SETITEM,
  STOP,
);

describe('pickle malformed input', () => {
  it('the base pickle is valid', () => {
    assert.equal(code(VALID), undefined);
  });
  it('every truncation is TRUNCATED', () => {
    for (let n = 0; n < VALID.byteLength; n++) {
      if (n === 0) continue; // empty input has no stream at all
      assert.equal(code(VALID.subarray(0, n)), 'TRUNCATED', `cut at ${n}`);
    }
  });
  it('undefined opcodes are BAD_OPCODE', () => {
    for (const op of [0x00, 0x0f, 0x20, 0x99, 0xff]) assert.equal(code(pk(op)), 'BAD_OPCODE');
  });
  it('huge and negative lengths are BAD_LENGTH or TRUNCATED, never an allocation', () => {
    assert.equal(code(pk(0x8d, u64(2n ** 64n - 1n))), 'BAD_LENGTH');
    assert.equal(code(pk(0x8e, u64(2n ** 63n))), 'BAD_LENGTH');
    assert.equal(code(pk(0x96, u64(2n ** 40n))), 'TRUNCATED');
    assert.equal(code(pk(0x42, u32(0xffffffff))), 'TRUNCATED');
    assert.equal(code(pk(0x54, u32(0x80000000))), 'BAD_LENGTH');
    assert.equal(code(pk(0x8b, u32(0xffffffff))), 'BAD_LENGTH');
    assert.equal(code(pk(0x95, u64(2n ** 63n))), 'BAD_LENGTH');
    assert.equal(code(pk(0x95, u64(1000n), NONE, STOP)), 'TRUNCATED');
  });
  it('bad values carry stable codes', () => {
    assert.equal(code(pk(proto(9), NONE, STOP)), 'UNSUPPORTED_VERSION');
    assert.equal(code(pk(0x68, 3, STOP)), 'BAD_VALUE');
    assert.equal(code(pk('c\nx\n')), 'TRUNCATED');
    assert.equal(code(pk(0x63, [0xff, 0x0a], 'x\n', STOP)), 'BAD_UTF8');
    assert.equal(code(pk('L' + '9'.repeat(5000) + '\n', STOP)), 'LIMIT_EXCEEDED');
    assert.equal(code(pk(global('a', 'b'), sbu('x'), REDUCE, STOP)), 'BAD_VALUE');
    assert.equal(code(pk(MARK, STOP)), 'BAD_STRUCTURE');
    assert.equal(code(pk(APPEND)), 'BAD_STRUCTURE');
  });
  it('stack, memo and opcode bombs hit their limits', () => {
    const small = makeLimits({ maxStack: 100, maxMemo: 100, maxOpcodes: 1000 });
    assert.equal(code(pk(...Array<number>(101).fill(NONE), STOP), small), 'LIMIT_EXCEEDED');
    assert.equal(code(pk(...Array<number>(101).fill(MARK), STOP), small), 'LIMIT_EXCEEDED');
    const memo: number[] = [proto(4)].flat();
    for (let i = 0; i < 101; i++) memo.push(NONE, MEMOIZE, POP);
    assert.equal(code(pk(memo, NONE, STOP), small), 'LIMIT_EXCEEDED');
    const ops: number[] = [];
    for (let i = 0; i < 600; i++) ops.push(NONE, POP);
    assert.equal(code(pk(ops, NONE, STOP), small), 'LIMIT_EXCEEDED');
    assert.equal(code(pk(ops, NONE, STOP), DEFAULT_LIMITS, Date.now() - 1), undefined);
    const many: number[] = [];
    for (let i = 0; i < 5000; i++) many.push(NONE, POP);
    assert.equal(code(pk(many, NONE, STOP), DEFAULT_LIMITS, Date.now() - 1), 'LIMIT_EXCEEDED');
    assert.equal(code(new Uint8Array(10), makeLimits({ maxInputBytes: 5 })), 'LIMIT_EXCEEDED');
  });
  it('depth bombs decode without recursion (100k nested lists, DUP/GET amplification)', () => {
    const nested: number[] = [proto(2)].flat();
    for (let i = 0; i < 100_000; i++) nested.push(EMPTY_LIST);
    for (let i = 0; i < 99_999; i++) nested.push(APPEND);
    assert.equal(code(pk(nested, STOP)), undefined);
    const laughs: number[] = [proto(4), int1(1)].flat();
    for (let i = 0; i < 20; i++) laughs.push(0x32, TUPLE1 + 1); // DUP, TUPLE2: 2^20 leaves
    assert.equal(code(pk(laughs, STOP)), undefined);
  });
});
