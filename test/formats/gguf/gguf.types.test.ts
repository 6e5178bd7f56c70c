import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { scanBytes } from '../../../src/engine/scan.js';

// Issue 12 item 8: a file its own loader refuses is never safe. ggml refuses a GGUF file with a
// tensor of a type it does not know (out of range, or a removed type such as 4 or 36); the file is
// written by the fixture maker's GGUF writer (test/fixtures/make/formats.py) with one tensor type
// patched.
function gguf(type: number): Uint8Array {
  const script = `
import struct, sys, tempfile, os
sys.path.insert(0, 'test/fixtures/make')
import formats as F
kvs, tensors = F.gguf_base([])
path = os.path.join(tempfile.mkdtemp(), 'm.gguf')
F.write_gguf(path, kvs, tensors)
b = bytearray(open(path, 'rb').read())
i = b.find(b'out.weight') + len(b'out.weight')
at = i + 4 + 8 * struct.unpack_from('<I', b, i)[0]
assert struct.unpack_from('<I', b, at)[0] == 0
struct.pack_into('<I', b, at, int(sys.argv[1]))
sys.stdout.buffer.write(b)
`;
  return new Uint8Array(execFileSync('/usr/bin/python3', ['-c', script, String(type)]));
}

describe('GGUF tensor types', () => {
  for (const type of [99, 4, 36, 0xffffffff]) {
    it(`calls a tensor of ggml type ${type} invalid, never safe`, async () => {
      const r = await scanBytes(gguf(type), 'm.gguf');
      assert.equal(r.verdict, 'invalid');
      assert.ok(
        r.findings.some(
          (f) => f.message.includes('UNSUPPORTED_FEATURE') && f.message.includes('not a ggml type'),
        ),
        r.findings.map((f) => f.message).join('\n'),
      );
    });
  }

  it('keeps F32 tensors safe', async () => {
    assert.equal((await scanBytes(gguf(0), 'm.gguf')).verdict, 'safe');
  });
});
