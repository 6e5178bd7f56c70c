import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseGgufHeader } from '../../../src/formats/gguf/index.js';
import { fixture, fuzzRuns } from '../../helpers/issue4-fixtures.js';

const onlyFormatErrors = (bytes: Uint8Array): void => {
  try {
    parseGgufHeader(bytes, bytes.byteLength, DEFAULT_LIMITS);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
  }
};

describe('GGUF fuzz', () => {
  it('arbitrary bytes after the magic parse or throw FormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (tail) => {
        const bytes = new Uint8Array(8 + tail.byteLength);
        bytes.set([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]);
        bytes.set(tail, 8);
        onlyFormatErrors(bytes);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('byte flips of a real file parse or throw FormatError', () => {
    const base = fixture('gguf', 'evil', 'named-template-attr.gguf');
    fc.assert(
      fc.property(
        fc.nat({ max: base.byteLength - 1 }),
        fc.integer({ min: 0, max: 255 }),
        (at, value) => {
          const bytes = base.slice();
          bytes[at] = value;
          onlyFormatErrors(bytes);
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });
});
