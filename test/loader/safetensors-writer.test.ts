import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource } from '../../src/core/byte-source.js';
import { makeLimits } from '../../src/core/limits.js';
import { parseSafetensorsHeader } from '../../src/formats/safetensors/index.js';
import { DTYPES } from '../../src/loader/dtype.js';
import { LoadError } from '../../src/loader/errors.js';
import { PositionedFile } from '../../src/loader/positioned-file.js';
import {
  planSafetensors,
  writeSafetensors,
  type SafetensorsPlan,
} from '../../src/loader/safetensors-writer.js';
import { checkTensorGeometry } from '../../src/loader/storage-bounds.js';
import type { LoadedTensor } from '../../src/loader/tensor.js';
import { fuzzRuns } from '../helpers/issue4-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'torchward-writer-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tensor(name: string, dtypeName: string, shape: number[], fill: number): LoadedTensor {
  const dtype = DTYPES.get(dtypeName);
  assert.ok(dtype);
  const numel = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(numel * dtype.itemsize).fill(fill);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return {
    name,
    dtype,
    parameter: false,
    storage: {
      key: name,
      source: new MemorySource(bytes),
      start: 0,
      nbytes: bytes.byteLength,
      bigEndian: false,
    },
    ...checkTensorGeometry(name, shape, strides, 0, dtype.itemsize, bytes.byteLength),
  };
}

/** The plan's header as one buffer (the writer streams it in pieces). */
function headerOf(plan: SafetensorsPlan): Buffer {
  return Buffer.concat([...plan.headerPieces()]);
}

describe('planSafetensors', () => {
  it('writes a header the spec accepts: "{" first, space-padded to 8, sorted contiguous offsets', () => {
    const plan = planSafetensors(
      [
        tensor('b', 'uint8', [3], 1),
        tensor('a', 'float64', [2], 2),
        tensor('c', 'float32', [], 3),
        tensor('z', 'bool', [0, 2], 4),
      ],
      [{ name: 'epoch', value: '7' }],
    );
    const header = headerOf(plan);
    const n = Number(header.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    assert.equal(header.byteLength, 8 + n);
    assert.equal(plan.headerBytes, 8 + n);
    const text = new TextDecoder().decode(header.subarray(8));
    assert.equal(text[0], '{');
    assert.match(text, /^\{.*\} *$/s);
    // Largest item size first, then by name, so every tensor stays aligned.
    assert.deepEqual(
      plan.tensors.map((p) => [p.tensor.name, p.begin, p.end]),
      [
        ['a', 0, 16],
        ['c', 16, 20],
        ['b', 20, 23],
        ['z', 23, 23],
      ],
    );
    assert.equal(plan.size, 8 + n + 23);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(parsed.__metadata__, { format: 'pt', epoch: '7' });
    assert.deepEqual(parsed.c, { dtype: 'F32', shape: [], data_offsets: [16, 20] });
  });

  it('streams a header of many pieces (multi-byte names across piece ends) that parses back whole', () => {
    // 3,000 entries of ~90 bytes: the header text is built in several 64 KiB pieces.
    const tensors = Array.from({ length: 3000 }, (_, i) =>
      tensor(`layer.${i}.ŵeight.日本語.${'x'.repeat(i % 7)}`, 'float32', [i % 3], 0),
    );
    const plan = planSafetensors(tensors, [{ name: 'note', value: 'é'.repeat(70_000) }]);
    const pieces = [...plan.headerPieces()];
    assert.ok(pieces.length > 3, `${pieces.length} pieces`);
    const header = Buffer.concat(pieces);
    assert.equal(header.byteLength, plan.headerBytes);
    assert.equal(Number(header.readBigUInt64LE(0)), plan.headerBytes - 8);
    const bytes = new Uint8Array(plan.size);
    bytes.set(header);
    const parsed = parseSafetensorsHeader(bytes, makeLimits());
    assert.deepEqual(
      parsed.tensors.map((t) => [t.name, t.shape, t.dataOffsets]),
      plan.tensors.map((p) => [p.tensor.name, p.tensor.shape, [p.begin, p.end]]),
    );
    assert.equal(parsed.metadata?.get('note'), 'é'.repeat(70_000));
    // The same text as one JSON.stringify-style join of the entries.
    const text = new TextDecoder().decode(header.subarray(8)).trimEnd();
    const entries = plan.tensors.map(
      (p) =>
        `${JSON.stringify(p.tensor.name)}:{"dtype":"F32","shape":[${p.tensor.shape.join(',')}],` +
        `"data_offsets":[${p.begin},${p.end}]}`,
    );
    assert.equal(
      text,
      `{"__metadata__":{"format":"pt","note":${JSON.stringify('é'.repeat(70_000))}},${entries.join(',')}}`,
    );
  });

  it('refuses dtypes safetensors cannot hold, duplicate and reserved names', () => {
    const refuses = (fn: () => unknown): void => {
      assert.throws(fn, (e: unknown) => e instanceof LoadError && e.code === 'UNSUPPORTED');
    };
    refuses(() => planSafetensors([tensor('x', 'complex128', [2], 0)], []));
    refuses(() => planSafetensors([tensor('x', 'qint8', [2], 0)], []));
    refuses(() =>
      planSafetensors([tensor('x', 'float32', [2], 0), tensor('x', 'int8', [1], 0)], []),
    );
    refuses(() => planSafetensors([tensor('__metadata__', 'float32', [2], 0)], []));
    refuses(() => planSafetensors([tensor('x', 'float32', [2], 0)], [{ name: 'x', value: '1' }]));
    refuses(() => planSafetensors([], [{ name: 'format', value: '"tf"' }]));
    refuses(() => planSafetensors([tensor('bad\ud800', 'float32', [1], 0)], []));
  });
});

describe('planSafetensors round trip', () => {
  it('every plan parses back with the safetensors validator to the same tensors', () => {
    const dtypes = [...DTYPES.values()]
      .filter((d) => d.safetensors !== undefined)
      .map((d) => d.name);
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.string({ unit: 'grapheme', maxLength: 12 }),
            dtype: fc.constantFrom(...dtypes),
            shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
          }),
          { selector: (t) => t.name, maxLength: 8 },
        ),
        fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ maxLength: 8 }), {
          maxKeys: 3,
        }),
        (specs, meta) => {
          const leaves = Object.entries(meta)
            .filter(([k]) => k !== 'format' && !specs.some((t) => t.name === k))
            .map(([name, value]) => ({ name, value }));
          const plan = planSafetensors(
            specs
              .filter((t) => t.name !== '__metadata__')
              .map((t) => tensor(t.name, t.dtype, t.shape, 0)),
            leaves,
          );
          const bytes = new Uint8Array(plan.size);
          bytes.set(headerOf(plan));
          const header = parseSafetensorsHeader(bytes, makeLimits());
          assert.deepEqual(
            header.tensors.map((t) => [t.name, t.dtype, t.shape, t.dataOffsets]),
            plan.tensors.map((p) => [p.tensor.name, p.dtype, p.tensor.shape, [p.begin, p.end]]),
          );
          assert.deepEqual(
            [...(header.metadata ?? new Map<string, string>())],
            [['format', 'pt'], ...leaves.map((l) => [l.name, l.value])],
          );
        },
      ),
      { numRuns: Number(process.env.TORCHWARD_FUZZ_RUNS ?? 300) },
    );
  });
});

describe('writeSafetensors', () => {
  it('writes a file the independent safetensors validator accepts, with the bytes in place', async () => {
    const out = join(dir, 'ok.safetensors');
    const plan = planSafetensors(
      [tensor('w', 'float32', [4, 3], 0xab), tensor('b', 'int16', [3], 0x01)],
      [],
    );
    await writeSafetensors(plan, out);
    const bytes = readFileSync(out);
    const header = parseSafetensorsHeader(bytes, makeLimits());
    assert.deepEqual(
      header.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteLength]),
      [
        ['w', 'F32', [4, 3], 48],
        ['b', 'I16', [3], 6],
      ],
    );
    const w = header.tensors[0];
    assert.ok(w);
    assert.ok(bytes.subarray(w.fileOffset, w.fileOffset + 48).every((b) => b === 0xab));
    assert.deepEqual(readdirSync(dir).sort(), ['ok.safetensors']);
  });

  it('never replaces an existing file without force, and replaces it with force', async () => {
    const out = join(dir, 'exists.safetensors');
    writeFileSync(out, 'keep me');
    const plan = planSafetensors([tensor('w', 'uint8', [2], 1)], []);
    await assert.rejects(
      writeSafetensors(plan, out),
      (e: unknown) => (e as { code?: string }).code === 'EEXIST',
    );
    assert.equal(readFileSync(out, 'utf8'), 'keep me');
    await writeSafetensors(plan, out, { force: true });
    assert.equal(readFileSync(out).byteLength, plan.size);
    rmSync(out);
  });

  it('leaves no output and no temporary file when a storage fails mid-stream', async () => {
    const out = join(dir, 'fails.safetensors');
    const good = tensor('a', 'float32', [1024 * 1024], 1); // 4 MiB written before the failure
    const bad = tensor('b', 'float32', [16], 2);
    const lying: LoadedTensor = {
      ...bad,
      storage: { ...bad.storage, source: new MemorySource(new Uint8Array(8)) },
    };
    const before = readdirSync(dir).sort();
    await assert.rejects(
      writeSafetensors(planSafetensors([good, lying], []), out),
      (e: unknown) => e instanceof LoadError && e.code === 'INVALID_STORAGE',
    );
    assert.deepEqual(readdirSync(dir).sort(), before);
  });

  it('leaves nothing when the last check before commit refuses', async () => {
    const out = join(dir, 'changed.safetensors');
    const before = readdirSync(dir).sort();
    await assert.rejects(
      writeSafetensors(planSafetensors([tensor('a', 'uint8', [4], 1)], []), out, {
        beforeCommit: () => {
          throw new LoadError('CHANGED', 'input changed');
        },
      }),
      (e: unknown) => e instanceof LoadError && e.code === 'CHANGED',
    );
    assert.deepEqual(readdirSync(dir).sort(), before);
  });
});

describe('writeSafetensors from a file', () => {
  // Ranges of a real file take the read-ahead copy: chunks end on 1 MiB multiples of the output,
  // each chunk's bytes sit at its output offset modulo 64 in a pooled buffer, and big-endian
  // storages are swapped in place. Whatever the offsets, the output holds each range's bytes.
  const size = 5 * 1024 * 1024 + 77;
  const rangesDir = mkdtempSync(join(tmpdir(), 'torchward-ranges-'));
  after(() => {
    rmSync(rangesDir, { recursive: true, force: true });
  });
  const input = join(rangesDir, 'ranges.bin');
  const content = new Uint8Array(size);
  for (let i = 0, x = 12345; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    content[i] = x >>> 24;
  }
  writeFileSync(input, content);
  const dtypes = ['uint8', 'int16', 'float32', 'float64', 'bfloat16', 'complex64'];

  it('copies every range, swapped where big-endian, at any offset and across chunk ends', async () => {
    const file = await PositionedFile.open(input);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              dtype: fc.constantFrom(...dtypes),
              numel: fc.oneof(
                fc.integer({ min: 0, max: 300 }),
                fc.integer({ min: 100_000, max: 600_000 }), // at most 4.8 MB: within the file
              ),
              at: fc.double({ min: 0, max: 1, noNaN: true }),
              bigEndian: fc.boolean(),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          async (specs) => {
            const tensors = specs.map((spec, i): LoadedTensor => {
              const dtype = DTYPES.get(spec.dtype);
              assert.ok(dtype);
              const nbytes = spec.numel * dtype.itemsize;
              const start = Math.floor(spec.at * (size - nbytes));
              return {
                name: `t${i}`,
                dtype,
                parameter: false,
                storage: { key: `${i}`, source: file, start, nbytes, bigEndian: spec.bigEndian },
                ...checkTensorGeometry(`t${i}`, [spec.numel], [1], 0, dtype.itemsize, nbytes),
              };
            });
            const out = join(rangesDir, 'ranges.safetensors');
            await writeSafetensors(planSafetensors(tensors, []), out, { force: true });
            const written = readFileSync(out);
            const header = parseSafetensorsHeader(written, makeLimits());
            for (const t of tensors) {
              const placed = header.tensors.find((h) => h.name === t.name);
              assert.ok(placed);
              const want = content.slice(t.storage.start, t.storage.start + t.storage.nbytes);
              const unit = t.dtype.swapUnit;
              if (t.storage.bigEndian && unit > 1) {
                for (let i = 0; i < want.byteLength; i += unit)
                  want.subarray(i, i + unit).reverse();
              }
              const got = written.subarray(
                placed.fileOffset,
                placed.fileOffset + placed.byteLength,
              );
              assert.ok(Buffer.compare(got, want) === 0, `${t.name} differs`);
            }
          },
        ),
        { numRuns: fuzzRuns(12) },
      );
    } finally {
      await file.close();
    }
  });
});
