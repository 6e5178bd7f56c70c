import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import { decodePickleSource } from '../../../src/formats/pickle/vm.js';
import { global, pk, proto, REDUCE, sbu, STOP, TUPLE, MARK } from './assemble.js';

// Issue 12 item 8: searching junk for further pickles is bounded (a candidate in junk gets small
// windows; one whose opcode asks for more than 16 MiB is abandoned, not a limit of the file), and
// the search still goes on past such a candidate to a payload behind it.
describe('resynchronisation after junk', () => {
  it('abandons a candidate with a huge operand and still finds the payload behind it', async () => {
    const payload = pk(proto(2), global('posix', 'system'), MARK, sbu('true'), TUPLE, REDUCE, STOP);
    // An error at the start, then a PROTO candidate whose BINUNICODE claims 20 MiB (all present),
    // then the payload.
    const bigLength = 20 * 1024 * 1024;
    const head = pk(0x00, proto(2), 0x58, [
      bigLength & 0xff,
      (bigLength >> 8) & 0xff,
      (bigLength >> 16) & 0xff,
      (bigLength >>> 24) & 0xff,
    ]);
    const bytes = new Uint8Array(head.byteLength + bigLength + payload.byteLength);
    bytes.set(head, 0);
    bytes.set(payload, head.byteLength + bigLength);
    const r = await decodePickleSource(new MemorySource(bytes), { limits: makeLimits() });
    assert.ok(
      r.globals.some((g) => g.module === 'posix' && g.name === 'system'),
      JSON.stringify(r.error),
    );
    assert.notEqual(r.error?.code, 'LIMIT_EXCEEDED');
  });
});
