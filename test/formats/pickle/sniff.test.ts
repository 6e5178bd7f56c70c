import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { looksLikePickle } from '../../../src/formats/pickle/sniff.js';
import { decodePickle } from '../../../src/formats/pickle/vm.js';
import { global, int1, pk, proto, REDUCE, sbu, TUPLE1 } from './assemble.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('looksLikePickle', () => {
  it('accepts protocol 2-5 headers', () => {
    for (const v of [2, 3, 4, 5]) assert.equal(looksLikePickle(pk(proto(v))), true);
  });
  it('accepts protocol 0/1 streams that reach STOP', () => {
    assert.equal(looksLikePickle(pk('(lp0\nI1\na.')), true);
    assert.equal(looksLikePickle(pk(']q\x00K\x01a.')), true);
  });
  it('accepts a payload followed by junk, whatever the name (C1, C9)', () => {
    assert.equal(
      looksLikePickle(pk(global('posix', 'system'), sbu('id'), TUPLE1, REDUCE, 0xff, 0xfe)),
      true,
    );
    assert.equal(looksLikePickle(pk("cos\nsystem\n(S'ls'\ntR")), true);
  });
  it('accepts a long protocol 0 pickle cut by the head', () => {
    const long = pk('(lp0\n', ...Array.from({ length: 2000 }, () => 'I1\na'));
    assert.equal(looksLikePickle(long.subarray(0, 4096)), true);
  });
  it('rejects text, source code and binary junk', () => {
    assert.equal(looksLikePickle(text('class AddOne(Module):\n  __parameters__ = []\n')), false);
    assert.equal(looksLikePickle(text('# README\n\nSome prose.\n')), false);
    assert.equal(looksLikePickle(text('NNR')), false);
    assert.equal(looksLikePickle(new Uint8Array([0x00, 0x01, 0x02])), false);
    assert.equal(looksLikePickle(new Uint8Array(0)), false);
    assert.equal(looksLikePickle(pk(int1(1))), false);
  });
});

// The verdict as first written: every stream decoded (the sniff now decodes the first one alone
// unless the verdict needs the others).
function referenceVerdict(head: Uint8Array): boolean {
  if (head.byteLength >= 2 && head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5) {
    return true;
  }
  if (head.byteLength === 0) return false;
  const r = decodePickle(head, {
    limits: { maxOpcodes: 100_000, maxStack: 100_000, maxMemo: 100_000, maxInputBytes: 1 << 20 },
  });
  const first = r.streams[0];
  if (first === undefined) return false;
  if (first.complete) return true;
  const dotted = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
  if (
    r.globals.some(
      (g) => g.offset < first.end && dotted.test(g.rawModule) && dotted.test(g.rawName),
    )
  ) {
    return true;
  }
  return (
    r.error?.code === 'TRUNCATED' &&
    r.error.offset >= head.byteLength - 16 &&
    r.opcodes >= 4 &&
    !first.resynced
  );
}

describe('looksLikePickle against every stream decoded', () => {
  it('gives the same verdict on pickle fragments, text and cut heads (property)', () => {
    const fragment = fc.constantFrom(
      'c',
      'os\n',
      'system\n',
      '(',
      "S'x'\n",
      't',
      'R',
      '.',
      'I1\n',
      'N',
      ']',
      '}',
      'q\x00',
      'p0\n',
      'abc\n',
      'builtins\n',
      'print\n',
      '\x80\x02',
      'K\x01',
      'i',
      '__main__\n',
      'x',
      '\n',
      ' ',
      '"',
      'import torch\n',
      'a',
      's',
      'd',
      'l',
      'e',
      'g0\n',
      '0',
      '2',
      'F1.0\n',
      'L1L\n',
      '\x95',
      '\xff',
    );
    let pickles = 0;
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 24 }), fc.nat(20), (parts, cut) => {
        const bytes = new Uint8Array(Buffer.from(parts.join(''), 'latin1'));
        const head = bytes.subarray(0, Math.max(0, bytes.byteLength - cut));
        const verdict = looksLikePickle(head);
        if (verdict) pickles++;
        assert.equal(verdict, referenceVerdict(head));
      }),
      { numRuns: 20_000, seed: 14 },
    );
    assert.ok(pickles > 500, `${pickles} pickles`);
  });
});
