import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { readHdf5RootAttributes } from '../../../src/formats/hdf5/index.js';
import { fixture, fuzzRuns } from '../../helpers/issue4-fixtures.js';

describe('HDF5 fuzz', () => {
  it('byte flips of a real file read or throw FormatError, and the reader keeps working', async () => {
    const base = fixture('keras', 'evil', 'lambda.h5');
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: base.byteLength - 1 }),
        fc.integer({ min: 0, max: 255 }),
        async (at, value) => {
          const bytes = base.slice();
          bytes[at] = value;
          try {
            await readHdf5RootAttributes(bytes, ['model_config'], DEFAULT_LIMITS);
          } catch (error) {
            if (!(error instanceof FormatError)) throw error;
          }
        },
      ),
      // Each case crosses to the HDF5 worker: the fuzz run is capped at 5,000 cases.
      { numRuns: Math.min(fuzzRuns(100), 5000) },
    );
    const after = await readHdf5RootAttributes(base, ['model_config'], DEFAULT_LIMITS);
    assert.ok(after.text.has('model_config'));
  });
});
