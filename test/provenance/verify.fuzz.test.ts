import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { parseChecksumList, parseLfsPointer } from '../../src/formats/checksums/index.js';
import { verifyModel } from '../../src/provenance/verify.js';
import { KEYS, VECTORS, copyVector, readText } from './helpers.js';

function fuzzRuns(fallback: number): number {
  const n = Number(process.env.TORCHWARD_FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

describe('verifyModel on hostile signatures: problems, never exceptions or a pass', () => {
  it('byte flips, insertions and truncations of a vector bundle', async () => {
    const dir = copyVector('v1.1.0-certificate');
    const sig = join(dir, 'model.sig');
    const original = new Uint8Array(readFileSync(join(VECTORS, 'v1.1.0-certificate', 'model.sig')));
    const chain = [readText(join(KEYS, 'ca-cert.pem'))];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: original.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'insert', 'truncate'),
        async (at, value, how) => {
          const bytes =
            how === 'flip'
              ? original.map((b, i) => (i === at ? value : b))
              : how === 'insert'
                ? Uint8Array.from([...original.subarray(0, at), value, ...original.subarray(at)])
                : original.subarray(0, at);
          writeFileSync(sig, bytes);
          const result = await verifyModel(dir, {
            signaturePath: sig,
            certificateChain: chain,
            limits: DEFAULT_LIMITS,
          });
          // A change inside the JSON whitespace-free text either breaks parsing, the signature, or
          // touches only ignorable data (e.g. keyid); a changed payload or chain never passes.
          if (result.ok) {
            const text = Buffer.from(bytes).toString('latin1');
            const b = JSON.parse(text) as {
              dsseEnvelope: { payload: string; signatures: { sig: string }[] };
            };
            const o = JSON.parse(Buffer.from(original).toString('latin1')) as typeof b;
            assert.equal(
              Buffer.from(b.dsseEnvelope.payload, 'base64').toString('hex'),
              Buffer.from(o.dsseEnvelope.payload, 'base64').toString('hex'),
            );
          }
        },
      ),
      { numRuns: Math.min(fuzzRuns(150), 5000) },
    );
  });

  it('checksum and LFS pointer parsers never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parseChecksumList(s);
        parseLfsPointer(s);
        parseLfsPointer(`version https://git-lfs.github.com/spec/v1\n${s}`);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});
