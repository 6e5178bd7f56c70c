import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';
import { DEFAULT_LIMITS, makeLimits } from '../../../src/core/limits.js';
import { readHdf5RootAttributes } from '../../../src/formats/hdf5/index.js';
import { fixture } from '../../helpers/issue4-fixtures.js';

describe('HDF5 root attributes (files written by h5py)', () => {
  it('reads model_config and keras_version of a legacy Keras file', async () => {
    const a = await readHdf5RootAttributes(
      fixture('keras', 'ok', 'dense.h5'),
      ['model_config', 'keras_version'],
      DEFAULT_LIMITS,
    );
    assert.deepEqual(a.names, ['backend', 'keras_version', 'model_config']);
    assert.equal(a.text.get('keras_version'), '2.13.1');
    assert.match(a.text.get('model_config') ?? '', /^\{"class_name": "Sequential"/);
  });

  it('lists no model_config in a weights-only file', async () => {
    const a = await readHdf5RootAttributes(
      fixture('keras', 'ok', 'weights-only.h5'),
      ['model_config'],
      DEFAULT_LIMITS,
    );
    assert.deepEqual(a.names, ['backend', 'keras_version']);
    assert.equal(a.text.size, 0);
  });
});

describe('HDF5 malformed input', () => {
  it('bad magic, truncation, limits', async () => {
    const full = fixture('keras', 'ok', 'dense.h5');
    const code = async (bytes: Uint8Array, limits = DEFAULT_LIMITS): Promise<string> => {
      try {
        await readHdf5RootAttributes(bytes, ['model_config'], limits);
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'OK';
    };
    assert.equal(await code(new Uint8Array(16)), 'BAD_MAGIC');
    // Every offset under the fuzz run; every 7th in `npm test` (each cut opens the file in wasm).
    const step = process.env.TORCHWARD_FUZZ_RUNS === undefined ? 7 : 1;
    for (let n = 0; n < full.byteLength; n += step) {
      assert.equal(
        await code(full.subarray(0, n)),
        n < 8 ? 'BAD_MAGIC' : 'BAD_STRUCTURE',
        `cut at ${n}`,
      );
    }
    assert.equal(await code(full, makeLimits({ maxInputBytes: 100 })), 'LIMIT_EXCEEDED');
    assert.equal(await code(full, makeLimits({ maxTextBytes: 10 })), 'LIMIT_EXCEEDED');
    assert.equal(await code(full), 'OK');
  });
});

describe('HDF5 reader isolation', () => {
  it('stops at its deadline instead of hanging the scan', async () => {
    // 64 MiB of trailing padding takes far longer than 1 ms to hand to the worker and copy into
    // its file system: the read ends as LIMIT_EXCEEDED (the worker is replaced), and the next
    // read works again.
    const small = fixture('keras', 'ok', 'dense.h5');
    const padded = new Uint8Array(64 * 1024 * 1024);
    padded.set(small);
    await assert.rejects(readHdf5RootAttributes(padded, ['model_config'], DEFAULT_LIMITS, 1), {
      code: 'LIMIT_EXCEEDED',
    });
    const again = await readHdf5RootAttributes(small, ['model_config'], DEFAULT_LIMITS);
    assert.ok(again.text.has('model_config'));
  });
});

describe('issue-4 regression: HDF5 library loop', () => {
  it('a file that makes HDF5 loop ends as LIMIT_EXCEEDED at the deadline', async () => {
    await assert.rejects(
      readHdf5RootAttributes(
        fixture('keras', 'bad', 'issue-4-hdf5-loop.h5'),
        ['model_config'],
        DEFAULT_LIMITS,
        2000,
      ),
      { code: 'LIMIT_EXCEEDED' },
    );
  });

  it('a stock file read beside a looping one is not held back by it', async () => {
    // Before, one worker served requests in turn and the wait counted against each file's own
    // limit: a Keras file queued behind the loop ran out of time and was reported invalid.
    const loop = readHdf5RootAttributes(
      fixture('keras', 'bad', 'issue-4-hdf5-loop.h5'),
      ['model_config'],
      DEFAULT_LIMITS,
      3000,
    );
    const stock = await readHdf5RootAttributes(
      fixture('keras', 'ok', 'dense.h5'),
      ['model_config'],
      DEFAULT_LIMITS,
      2500,
    );
    assert.ok(stock.text.has('model_config'));
    await assert.rejects(loop, { code: 'LIMIT_EXCEEDED' });
  });
});

describe('HDF5 group cycle written by h5py', () => {
  it('a hard link back to an ancestor group does not loop the scan (only root attributes are read)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-h5cycle-'));
    try {
      const path = join(dir, 'cycle.h5');
      // A legacy Keras file whose model_weights/dense/loop is model_weights itself; h5py confirms
      // the cycle after writing it.
      const made = spawnSync(
        '/usr/bin/python3',
        [
          '-c',
          `import h5py, json, sys
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['model_config'] = json.dumps({'class_name': 'Sequential', 'config': {'name': 's', 'layers': []}})
    g = f.create_group('model_weights')
    g.create_group('dense')['loop'] = g
with h5py.File(sys.argv[1], 'r') as f:
    assert f['model_weights/dense/loop'] == f['model_weights']
    assert f['model_weights/dense/loop/dense/loop/dense'] == f['model_weights/dense']
print('cycle')`,
          path,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(made.stdout.trim(), 'cycle', made.stderr);
      const file = await scanFile(path, { limits: { maxMillisPerFile: 10_000 } });
      assert.equal(file.format, 'keras-h5');
      assert.equal(file.verdict, 'safe', JSON.stringify(file.findings));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
