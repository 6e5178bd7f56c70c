import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeLimits } from '../../src/core/limits.js';
import { scanFile } from '../../src/engine/scan.js';
import type { DecodedUnits } from '../../src/engine/decoded-units.js';
import { loadByContent } from '../../src/loader/open-checkpoint.js';
import { PositionedFile } from '../../src/loader/positioned-file.js';

// Issue 13 item 6, "one pass over a checkpoint": the scan keeps its zip directory, pickle, legacy
// tar and .npy header decodes for the loader (ScanOptions.keepDecoded). Keeping them must not change one finding of
// any fixture, good, bad or hostile; and the loader walking the kept decode must find exactly
// what it finds when it reads and decodes the file itself.

const DIRS = [
  'test/fixtures/torch/ok',
  'test/fixtures/torch/bad',
  'test/fixtures/torch/evil',
  'test/fixtures/pickle/ok',
  'test/fixtures/pickle/evil',
  'test/fixtures/pickle/bad',
  'test/fixtures/tar/ok',
  'test/fixtures/tar/bad',
  'test/fixtures/tar/evil',
  'test/fixtures/npy/ok',
  'test/fixtures/npy/bad',
  'test/fixtures/npy/evil',
  'test/fixtures/zip/ok',
];

function fixtures(): string[] {
  return DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name !== 'README.md' && name !== 'manifest.json')
      .map((name) => join(dir, name)),
  );
}

async function load(path: string, decoded?: DecodedUnits): Promise<unknown> {
  const file = await PositionedFile.open(path);
  try {
    const { kind, result } = await loadByContent(file, makeLimits(), false, decoded);
    return {
      kind,
      metadata: result.metadata,
      tensors: result.tensors.map((t) => ({
        name: t.name,
        dtype: t.dtype.name,
        shape: t.shape,
        strides: t.strides,
        offset: t.storageOffset,
        start: t.storage.start,
        nbytes: t.storage.nbytes,
      })),
    };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await file.close();
  }
}

describe('scan keepDecoded (one pass for the loader)', () => {
  it('keeps a top-level legacy stream as the loader decodes it', async () => {
    const keep: DecodedUnits = { pickles: new Map() };
    const result = await scanFile('test/fixtures/torch/ok/legacy_all_dtypes.pt', {
      keepDecoded: keep,
    });
    assert.equal(result.verdict, 'safe');
    assert.equal(keep.legacy?.decoded.error, undefined);
    assert.equal(keep.legacy?.decoded.streams.length, 5);
    assert.ok((keep.legacy?.storages.size ?? 0) > 0);
  });

  const paths = fixtures();

  it('leaves every finding and verdict as it was', async () => {
    assert.ok(paths.length > 40, `only ${paths.length} fixtures found`);
    for (const path of paths) {
      const plain = await scanFile(path);
      const keep: DecodedUnits = { pickles: new Map() };
      const kept = await scanFile(path, { keepDecoded: keep });
      assert.deepEqual(kept, plain, path);
    }
  });

  it('keeps a legacy torch tar: listing, side pickles and the main pickle', async () => {
    for (const path of [
      'test/fixtures/torch/ok/legacy_tar.pt',
      'test/fixtures/tar/ok/legacy-torch.tar',
    ]) {
      const keep: DecodedUnits = { pickles: new Map() };
      const result = await scanFile(path, { keepDecoded: keep });
      assert.equal(result.format, 'torch-tar', path);
      assert.equal(result.verdict, 'safe', path);
      assert.ok(keep.tar !== undefined, path);
      assert.equal(keep.tar.archive.error, undefined);
      assert.equal(keep.tar.side.decoded.error, undefined);
      assert.ok(keep.tar.side.decoded.streams.length >= 3, path);
      assert.equal(keep.tar.pickle?.error, undefined);
      assert.equal(keep.tar.pickle?.streams.length, 1);
    }
  });

  it('keeps the header of a top-level .npy and of each member of an .npz', async () => {
    const keep: DecodedUnits = { pickles: new Map(), npyMembers: new Map() };
    await scanFile('test/fixtures/npy/ok/fortran.npy', { keepDecoded: keep });
    assert.equal(keep.npy?.fortranOrder, true);
    const npz: DecodedUnits = { pickles: new Map(), npyMembers: new Map() };
    await scanFile('test/fixtures/torch/ok/arrays_compressed.npz', { keepDecoded: npz });
    assert.ok(npz.zip !== undefined);
    assert.deepEqual(
      [...(npz.npyMembers?.keys() ?? [])].sort(),
      npz.zip.entries.map((e) => e.name).sort(),
    );
  });

  it('keeps the top-level zip directory and its data pickle, decoded whole', async () => {
    const keep: DecodedUnits = { pickles: new Map() };
    const result = await scanFile('test/fixtures/torch/ok/checkpoint_nested.pt', {
      keepDecoded: keep,
    });
    assert.equal(result.verdict, 'safe');
    assert.ok(keep.zip !== undefined);
    const names = [...keep.pickles.keys()];
    assert.equal(names.length, 1);
    assert.match(names[0] ?? '', /^[^/]+\/data\.pkl$/);
    const decoded = keep.pickles.get(names[0] ?? '');
    assert.equal(decoded?.error, undefined);
    assert.equal(decoded?.streams[0]?.complete, true);
  });

  it('gives the loader the same tensors as its own read of every safe fixture', async () => {
    let walked = 0;
    const kinds = new Set<string>();
    for (const path of paths) {
      const keep: DecodedUnits = { pickles: new Map(), npyMembers: new Map() };
      const scan = await scanFile(path, { keepDecoded: keep });
      if (scan.verdict !== 'safe') continue;
      const used =
        keep.zip !== undefined ||
        keep.pickle !== undefined ||
        keep.legacy !== undefined ||
        keep.tar !== undefined ||
        keep.npy !== undefined;
      if (keep.tar !== undefined) kinds.add('torch-tar');
      if (keep.npy !== undefined) kinds.add('npy');
      if ((keep.npyMembers?.size ?? 0) > 0) kinds.add('npz');
      const withKept = await load(path, keep);
      assert.deepEqual(withKept, await load(path), path);
      // Taken by the loader: nothing of the scan's decode outlives the walk.
      assert.equal(keep.zip, undefined, path);
      assert.equal(keep.pickle, undefined, path);
      assert.equal(keep.legacy, undefined, path);
      assert.equal(keep.tar, undefined, path);
      assert.equal(keep.npy, undefined, path);
      assert.equal(keep.pickles.size, 0, path);
      assert.equal(keep.npyMembers?.size, 0, path);
      if (used) walked++;
    }
    assert.ok(walked >= 10, `only ${walked} fixtures went through a kept decode`);
    assert.deepEqual([...kinds].sort(), ['npy', 'npz', 'torch-tar']);
  });
});
