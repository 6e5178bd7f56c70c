import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BUILD,
  DUP,
  EMPTY_DICT,
  global,
  MARK,
  MEMOIZE,
  NONE,
  OBJ,
  pk,
  POP,
  proto,
  REDUCE,
  sbs,
  sbu,
  binget,
  STACK_GLOBAL,
  STOP,
  TUPLE1,
  TUPLE2,
} from '../../formats/pickle/assemble.js';
import {
  O1_MEMO_CONFUSION,
  O2_STRING_OPERANDS,
  O4_INST,
  O8_FRAME_MISMATCH,
  O9_UNDEFINED_OPCODE,
} from '../../formats/pickle/bypass-streams.js';
import { judge, ruleIds } from './judge.js';

// One hand-assembled stream per opcode-level bypass of reference §9.2, judged by every rule.
describe('opcode-level bypasses (reference §9.2)', () => {
  it('O1 memo confusion: BINPUT and MEMOIZE keys diverge, the global is still resolved', () => {
    assert.equal(judge(O1_MEMO_CONFUSION).verdict, 'malicious');
  });
  it('O2 STACK_GLOBAL operands from STRING at offset 0', () => {
    assert.equal(judge(O2_STRING_OPERANDS).verdict, 'malicious');
  });
  it('O3 BINGET of a missing key or of a non-string: invalid, never safe', () => {
    assert.equal(
      judge(pk(proto(4), binget(3), sbu('system'), STACK_GLOBAL, STOP)).verdict,
      'invalid',
    );
    const j = judge(pk(proto(4), NONE, MEMOIZE, POP, binget(0), sbu('system'), STACK_GLOBAL, STOP));
    assert.equal(j.input.decoded.error?.code, 'BAD_VALUE');
    assert.equal(j.verdict, 'invalid');
  });
  it('O4 INST and an OBJ result discarded by POP', () => {
    assert.equal(judge(O4_INST).verdict, 'malicious');
    assert.equal(
      judge(pk(MARK, global('os', 'system'), sbs('id'), OBJ, POP, NONE, STOP)).verdict,
      'malicious',
    );
  });
  it('O5 BUILD plants an attribute on a function, then a dotted GLOBAL fetches it', () => {
    const b = pk(
      proto(4),
      global('numpy', 'prod'),
      NONE,
      EMPTY_DICT,
      sbu('a'),
      sbu('os'),
      0x73,
      TUPLE2,
      BUILD,
      POP,
      global('numpy', 'prod.a'),
      STOP,
    );
    const j = judge(b);
    assert.equal(j.verdict, 'suspicious');
    assert.ok(ruleIds(j).includes('pickle/disallowed-build'));
  });
  it('O6 dotted names through another module (pathlib + os.system)', () => {
    assert.equal(
      judge(
        pk(
          proto(4),
          sbu('pathlib'),
          sbu('os.system'),
          STACK_GLOBAL,
          sbu('id'),
          TUPLE1,
          REDUCE,
          STOP,
        ),
      ).verdict,
      'malicious',
    );
  });
  it('O7 EXT codes are never safe', () => {
    assert.equal(
      judge(pk(proto(2), 0x82, 7, sbu('id'), TUPLE1, REDUCE, STOP)).verdict,
      'suspicious',
    );
  });
  it('O8 FRAME length mismatch: both readings are judged', () => {
    const j = judge(O8_FRAME_MISMATCH);
    assert.equal(j.verdict, 'malicious');
    assert.ok(ruleIds(j).includes('pickle/stream-anomaly'));
  });
  it('O9 an undefined opcode after the payload', () => {
    const j = judge(O9_UNDEFINED_OPCODE);
    assert.equal(j.verdict, 'malicious');
    assert.equal(j.input.decoded.error?.code, 'BAD_OPCODE');
  });
  it('O10 DUP amplification stays linear and pure data stays safe', () => {
    const ops: number[] = [...proto(4), NONE];
    for (let i = 0; i < 30; i++) ops.push(DUP, 0x86);
    assert.equal(judge(pk(ops, STOP)).verdict, 'safe');
  });
  it('O11 duplicate and misplaced PROTO', () => {
    const j = judge(pk(proto(2), NONE, proto(4), POP, NONE, STOP));
    assert.equal(j.verdict, 'suspicious');
    assert.deepEqual(j.findings.map((f) => f.messageId).sort(), [
      'duplicate-proto',
      'misplaced-proto',
    ]);
  });
});
