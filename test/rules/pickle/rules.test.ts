import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPEND,
  BINPERSID,
  BUILD,
  EMPTY_DICT,
  EMPTY_LIST,
  EMPTY_SET,
  EMPTY_TUPLE,
  frame,
  global,
  int1,
  MARK,
  NEWOBJ,
  NONE,
  OBJ,
  pk,
  proto,
  REDUCE,
  sbu,
  SETITEM,
  ADDITEMS,
  STOP,
  TUPLE,
  TUPLE1,
  type Part,
} from '../../formats/pickle/assemble.js';
import { judge } from './judge.js';

const OD = global('collections', 'OrderedDict');
const p2 = (...parts: Part[]): Uint8Array => pk(proto(2), ...parts, STOP);

interface Invalid {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly ruleId: string;
  readonly messageId: string;
  readonly verdict: string;
  readonly offset?: number;
  readonly allowGlobals?: readonly string[];
}

const VALID: readonly (readonly [string, Uint8Array])[] = [
  ['plain dict', p2(EMPTY_DICT, sbu('a'), int1(1), SETITEM)],
  ['OrderedDict() then SETITEM', p2(OD, EMPTY_TUPLE, REDUCE, sbu('a'), int1(1), SETITEM)],
  ['OrderedDict BUILD', p2(OD, EMPTY_TUPLE, REDUCE, EMPTY_DICT, BUILD)],
  ['list APPEND', p2(EMPTY_LIST, int1(1), APPEND)],
  ['set ADDITEMS', pk(proto(4), EMPTY_SET, MARK, int1(1), ADDITEMS, STOP)],
  ['builtins.set REDUCE', p2(global('builtins', 'set'), EMPTY_LIST, TUPLE1, REDUCE)],
  ['torch.Size', p2(global('torch', 'Size'), int1(2), int1(3), 0x86, TUPLE1, REDUCE)],
  ['user-allowed class', p2(global('mylib', 'Config'), EMPTY_TUPLE, REDUCE)],
  ['protocol 0 pure data', pk("(lp0\nI1\naF2.5\naS'x'\np1\na.")],
];

const INVALID: readonly Invalid[] = [
  {
    name: 'unknown class',
    bytes: p2(global('sklearn.base', 'Thing'), EMPTY_TUPLE, REDUCE),
    ruleId: 'pickle/unknown-global',
    messageId: 'unknown',
    verdict: 'suspicious',
    offset: 2,
  },
  {
    name: 'numpy reconstruction',
    bytes: p2(global('numpy.core.multiarray', '_reconstruct'), EMPTY_TUPLE, REDUCE),
    ruleId: 'pickle/unknown-global',
    messageId: 'unknown',
    verdict: 'suspicious',
  },
  {
    name: 'call of a call result',
    bytes: p2(OD, EMPTY_TUPLE, REDUCE, EMPTY_TUPLE, REDUCE),
    ruleId: 'pickle/disallowed-call',
    messageId: 'callee',
    verdict: 'suspicious',
  },
  {
    name: 'OBJ on an allowlisted class',
    bytes: p2(MARK, OD, OBJ),
    ruleId: 'pickle/disallowed-call',
    messageId: 'opcode',
    verdict: 'suspicious',
  },
  {
    name: 'BUILD on a global (bypass O5)',
    bytes: p2(global('torch', 'Size'), NONE, EMPTY_DICT, 0x86, BUILD),
    ruleId: 'pickle/disallowed-build',
    messageId: 'build',
    verdict: 'suspicious',
  },
  {
    name: 'BUILD on a list',
    bytes: p2(EMPTY_LIST, EMPTY_DICT, BUILD),
    ruleId: 'pickle/disallowed-build',
    messageId: 'build',
    verdict: 'suspicious',
  },
  {
    name: 'SETITEM on torch.Size (CVE-2026-24747)',
    bytes: p2(global('torch', 'Size'), EMPTY_TUPLE, REDUCE, int1(1), int1(2), SETITEM),
    ruleId: 'pickle/disallowed-mutation',
    messageId: 'target',
    verdict: 'suspicious',
  },
  {
    name: 'APPEND on a dict',
    bytes: p2(EMPTY_DICT, int1(1), APPEND),
    ruleId: 'pickle/disallowed-mutation',
    messageId: 'target',
    verdict: 'suspicious',
  },
  {
    name: 'persistent id in a raw pickle',
    bytes: p2(sbu('x'), BINPERSID),
    ruleId: 'pickle/unverified-persistent-id',
    messageId: 'no-loader',
    verdict: 'suspicious',
  },
  {
    name: 'EXT code (bypass O7)',
    bytes: p2(0x82, 1, EMPTY_TUPLE, REDUCE),
    ruleId: 'pickle/extension-code',
    messageId: 'ext',
    verdict: 'suspicious',
  },
  {
    name: 'frame crossing (bypass O8)',
    bytes: pk(proto(4), frame(1), sbu('abc'), STOP),
    ruleId: 'pickle/stream-anomaly',
    messageId: 'frame-crossing',
    verdict: 'suspicious',
    offset: 11,
  },
  {
    name: 'duplicate PROTO (bypass O11)',
    bytes: pk(proto(2), proto(2), NONE, STOP),
    ruleId: 'pickle/stream-anomaly',
    messageId: 'duplicate-proto',
    verdict: 'suspicious',
  },
  {
    name: 'unbuilt NEWOBJ',
    bytes: p2(global('torch', 'Tensor'), EMPTY_TUPLE, NEWOBJ),
    ruleId: 'pickle/unbuilt-object',
    messageId: 'unbuilt',
    verdict: 'suspicious',
  },
  {
    name: 'user allowlist of a gadget is ignored',
    bytes: p2(global('os', 'system'), sbu('id'), TUPLE1, REDUCE),
    ruleId: 'pickle/dangerous-global',
    messageId: 'gadget',
    verdict: 'malicious',
    allowGlobals: ['os.system'],
  },
  {
    name: 'persistent id tuple of the wrong shape in a torch zip',
    bytes: p2(MARK, sbu('module'), NONE, TUPLE, BINPERSID),
    ruleId: 'pickle/unverified-persistent-id',
    messageId: 'shape',
    verdict: 'suspicious',
  },
];

describe('pickle rules', () => {
  for (const [name, bytes] of VALID) {
    it(`valid: ${name}`, () => {
      const j = judge(bytes, { allowGlobals: ['mylib.Config'] });
      assert.deepEqual(
        j.findings.map((f) => f.message),
        [],
      );
      assert.equal(j.verdict, 'safe');
    });
  }
  for (const c of INVALID) {
    it(`invalid: ${c.name}`, () => {
      const flavour = c.name.includes('torch zip') ? 'torch-zip' : 'raw';
      const j = judge(c.bytes, { flavour, allowGlobals: c.allowGlobals ?? [] });
      const hit = j.findings.find((f) => f.ruleId === c.ruleId && f.messageId === c.messageId);
      assert.ok(hit !== undefined, JSON.stringify(j.findings.map((f) => [f.ruleId, f.messageId])));
      if (c.offset !== undefined) assert.equal(hit.primary.span.start, c.offset);
      assert.equal(j.verdict, c.verdict);
    });
  }
  it('legacy storage ids: views must stay inside their root storage', () => {
    const pid = (view: Part[]) =>
      p2(
        MARK,
        sbu('storage'),
        global('torch', 'FloatStorage'),
        sbu('k'),
        sbu('cpu'),
        int1(10),
        ...view,
        TUPLE,
        BINPERSID,
      );
    const storages = new Map([['k', 40]]);
    const ok = judge(pid([NONE]), { flavour: 'torch-legacy', storages });
    assert.equal(ok.verdict, 'safe');
    const inside = judge(pid([sbu('v'), int1(2), int1(8), 0x87]), {
      flavour: 'torch-legacy',
      storages,
    });
    assert.equal(inside.verdict, 'safe');
    const past = judge(pid([sbu('v'), int1(4), int1(8), 0x87]), {
      flavour: 'torch-legacy',
      storages,
    });
    assert.ok(past.findings.some((f) => f.messageId === 'size'));
    const small = judge(pid([NONE]), { flavour: 'torch-legacy', storages: new Map([['k', 39]]) });
    assert.ok(small.findings.some((f) => f.messageId === 'size'));
  });
  it('a decoding error is invalid, but a payload before it is still malicious (bypass C9)', () => {
    assert.equal(judge(pk(proto(2), NONE)).verdict, 'invalid');
    const j = judge(pk(proto(2), global('posix', 'system'), sbu('id'), TUPLE1, REDUCE, 0xff));
    assert.equal(j.verdict, 'malicious');
    assert.equal(j.input.decoded.error?.code, 'BAD_OPCODE');
  });
});
