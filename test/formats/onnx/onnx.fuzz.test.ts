import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseOnnxModel } from '../../../src/formats/onnx/index.js';
import { isOnnxHead } from '../../../src/formats/onnx/sniff.js';
import { isGraphDefHead, isSavedModelHead } from '../../../src/formats/tensorflow/sniff.js';
import { fixture, fuzzRuns } from '../../helpers/issue4-fixtures.js';

const onlyFormatErrors = (bytes: Uint8Array): void => {
  isOnnxHead(bytes, bytes.byteLength);
  isSavedModelHead(bytes, bytes.byteLength);
  isGraphDefHead(bytes, bytes.byteLength);
  try {
    parseOnnxModel(bytes, DEFAULT_LIMITS);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
  }
};

describe('ONNX fuzz', () => {
  it('arbitrary bytes decode or throw FormatError; sniffers never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), onlyFormatErrors), {
      numRuns: fuzzRuns(300),
    });
  });

  it('byte flips and insertions in a real model decode or throw FormatError', () => {
    const base = fixture('onnx', 'ok', 'if-function.onnx');
    fc.assert(
      fc.property(
        fc.nat({ max: base.byteLength - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (at, value, insert) => {
          const bytes = insert
            ? Uint8Array.from([...base.subarray(0, at), value, ...base.subarray(at)])
            : base.slice();
          if (!insert) bytes[at] = value;
          onlyFormatErrors(bytes);
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });
});
