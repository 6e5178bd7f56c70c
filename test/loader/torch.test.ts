import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSource } from '../../src/core/byte-source.js';
import { makeLimits } from '../../src/core/limits.js';
import { readSafetensorsHeader } from '../../src/formats/safetensors/index.js';
import { LoadError } from '../../src/loader/errors.js';
import { loadByContent } from '../../src/loader/open-checkpoint.js';
import { PositionedFile } from '../../src/loader/positioned-file.js';
import { planSafetensors, writeSafetensors } from '../../src/loader/safetensors-writer.js';
import { compareWithTorch, pairOf, torchOracle } from '../helpers/torch-oracle.js';
import type { ConvertedPair, MadeCheckpoint } from '../helpers/torch-oracle.js';

// The loader below the scanner: every container torch and numpy write, read by content and
// converted, then compared in Python with torch.load and numpy, bit for bit. (The scanner gate in
// front of it is exercised through the CLI in test/cli/convert.test.ts.)

/** Converts without the scan step (the loader's own checks only). */
async function convertUnscanned(
  input: string,
  output: string,
  viewBlockBytes?: number,
): Promise<void> {
  const file = await PositionedFile.open(input);
  try {
    const { kind, result } = await loadByContent(file, makeLimits());
    await writeSafetensors(
      planSafetensors(result.tensors, result.metadata, kind !== 'safetensors'),
      output,
      viewBlockBytes === undefined ? {} : { viewBlockBytes },
    );
  } finally {
    await file.close();
  }
  // The safetensors package's validator (the crate's rules, plus duplicate keys) accepts it.
  const written = await FileSource.open(output);
  try {
    const header = await readSafetensorsHeader(written, makeLimits());
    assert.equal(header.dataStart % 8, 0);
  } finally {
    await written.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'torchward-loader-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loader against real torch 1.13 and numpy', () => {
  let benign: MadeCheckpoint[] = [];
  let hostile: MadeCheckpoint[] = [];
  before(() => {
    const b = join(dir, 'benign');
    const h = join(dir, 'hostile');
    execFileSync('mkdir', ['-p', b, h]);
    benign = torchOracle('make-benign', b) as MadeCheckpoint[];
    hostile = torchOracle('make-hostile', h) as MadeCheckpoint[];
  });

  it('converts every benign checkpoint; torch.load and numpy see the same tensors, bit for bit', async (t) => {
    const pairs: ConvertedPair[] = [];
    for (const m of benign) {
      const output = `${m.file}.safetensors`;
      await t.test(`convert ${basename(m.file)}`, async () => {
        await convertUnscanned(m.file, output);
        pairs.push(pairOf(m, output));
      });
    }
    const results = await compareWithTorch(t, pairs, join(dir, 'pairs.json'), (r) => {
      assert.ok(r.ok && r.tensors > 0);
    });
    // weights_only=True is the reference wherever torch 1.13 accepts the file.
    assert.ok(results.filter((r) => r.how === 'weights_only').length >= 10);
  });

  it('gathers views block by block with a tiny budget, bit for bit as torch', async (t) => {
    // Budgets far below one row: every view is cut into many blocks, read unit by unit and
    // reordered piece by piece (transposes, permutes, stepped views ending at the storage end,
    // overlapping and zero strides, 1- to 8-byte items, big-endian and Fortran-order numpy).
    const cases: [RegExp, number][] = [
      [/^(views|reorder)\./, 16],
      [/^(views|reorder)\./, 100],
      [/^(fortran|be_f8)\.npy$/, 24],
      [/^large\.zip/, 64 * 1024],
    ];
    const pairs: ConvertedPair[] = [];
    for (const [pattern, budget] of cases) {
      for (const m of benign.filter((b) => pattern.test(basename(b.file)))) {
        const output = `${m.file}.${budget}.safetensors`;
        await convertUnscanned(m.file, output, budget);
        pairs.push(pairOf(m, output));
      }
    }
    assert.ok(pairs.length >= 9);
    await compareWithTorch(t, pairs, join(dir, 'tiny-pairs.json'), (r) => {
      assert.ok(r.ok && r.tensors > 0);
    });
  });

  it('round-trips its own safetensors output unchanged', async () => {
    const first = join(dir, 'views.safetensors');
    const second = join(dir, 'views.again.safetensors');
    await convertUnscanned(join(dir, 'benign', 'views.zip.pt'), first);
    await convertUnscanned(first, second);
    assert.equal(execFileSync('cmp', [first, second], { encoding: 'utf8' }), '');
  });

  it('refuses every hostile or malformed checkpoint with the expected reason, writing nothing', async () => {
    const expected: Record<string, LoadError['code']> = {
      oob_size: 'INVALID_STORAGE',
      oob_offset: 'INVALID_STORAGE',
      oob_stride: 'INVALID_STORAGE',
      overflow: 'INVALID_STORAGE',
      negative_stride: 'INVALID_STORAGE',
      short_record: 'INVALID_STORAGE',
      missing_record: 'INVALID_STORAGE',
      type_confusion: 'INVALID_STORAGE',
      legacy_count: 'INVALID_STORAGE',
      legacy_truncated: 'INVALID_STORAGE',
      legacy_view_oob: 'INVALID_STORAGE',
      tar_oob: 'INVALID_STORAGE',
      tar_view_oob: 'INVALID_STORAGE',
      byteorder_bad: 'UNSUPPORTED',
      // Without the scanner in front, the walker still refuses anything that is not plain data.
      evil_pickle: 'UNSUPPORTED',
      evil_zip: 'UNSUPPORTED',
      unknown_format: 'UNSUPPORTED',
    };
    const before = readdirSync(join(dir, 'hostile')).sort();
    const got: Record<string, string> = {};
    for (const m of hostile) {
      const output = `${m.file}.safetensors`;
      try {
        await convertUnscanned(m.file, output);
        got[m.case ?? m.file] = 'converted';
      } catch (error) {
        if (!(error instanceof LoadError)) throw error;
        got[m.case ?? m.file] = error.code;
      }
      assert.equal(existsSync(output), false);
    }
    assert.deepEqual(got, expected);
    assert.deepEqual(readdirSync(join(dir, 'hostile')).sort(), before);
  });
});
