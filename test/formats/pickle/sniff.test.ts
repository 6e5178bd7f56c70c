import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikePickle } from '../../../src/formats/pickle/sniff.js';
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
