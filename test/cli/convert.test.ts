import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/run.js';
import { compareWithTorch, pairOf, torchOracle } from '../helpers/torch-oracle.js';
import type { ConvertedPair, MadeCheckpoint } from '../helpers/torch-oracle.js';

// `torchward convert` and `torchward inspect` end to end: the scanner gate, the loader, the
// writer and the exit-code contract, on checkpoints written by the real torch 1.13 and numpy.

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: CliIo = {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env: {},
    cwd: process.cwd(),
  };
  const code = await main(args, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'torchward-convert-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('torchward convert / inspect', () => {
  let benign: MadeCheckpoint[] = [];
  let hostile: MadeCheckpoint[] = [];
  before(() => {
    mkdirSync(join(dir, 'benign'));
    mkdirSync(join(dir, 'hostile'));
    benign = torchOracle('make-benign', join(dir, 'benign')) as MadeCheckpoint[];
    hostile = torchOracle('make-hostile', join(dir, 'hostile')) as MadeCheckpoint[];
  });

  it('prints help and exits 0', async () => {
    for (const command of ['convert', 'inspect']) {
      const r = await run([command, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^Usage: torchward ${command}`));
    }
    assert.match((await run(['--help'])).out, /convert .*safetensors/);
  });

  it('exits 2 on bad usage', async () => {
    assert.equal((await run(['convert'])).code, 2);
    assert.equal((await run(['convert', 'a.pt', 'b.pt'])).code, 2);
    assert.equal((await run(['convert', '--bogus', 'a.pt'])).code, 2);
    assert.equal((await run(['inspect'])).code, 2);
    assert.equal((await run(['inspect', '--format', 'xml', 'a.pt'])).code, 2);
  });

  it('exits 3 when the input cannot be read', async () => {
    const r = await run([
      'convert',
      join(dir, 'missing.pt'),
      '-o',
      join(dir, 'missing.safetensors'),
    ]);
    assert.equal(r.code, 3);
    assert.equal(existsSync(join(dir, 'missing.safetensors')), false);
    assert.equal((await run(['inspect', join(dir, 'missing.pt')])).code, 3);
    // An output folder that does not exist is created, like `mkdir -p` …
    const noDir = join(dir, 'no', 'such', 'dir', 'out.safetensors');
    const r2 = await run(['convert', join(dir, 'benign', 'views.legacy.pt'), '-o', noDir]);
    assert.equal(r2.code, 0, r2.err);
    assert.ok(existsSync(noDir));
    // … and removed again when nothing is written into it.
    const r3 = await run(['convert', join(dir, 'missing.pt'), '-o', join(dir, 'new', 'x', 'o.st')]);
    assert.equal(r3.code, 3, r3.err);
    assert.match(r3.err, /nothing written/);
    assert.equal(existsSync(join(dir, 'new')), false);
    // A parent that cannot be a folder (a file is in the way): exit 3, nothing created.
    const r4 = await run([
      'convert',
      join(dir, 'benign', 'views.legacy.pt'),
      '-o',
      join(dir, 'benign', 'views.legacy.pt', 'o.st'),
    ]);
    assert.equal(r4.code, 3, r4.err);
  });

  it('writes IN with .safetensors by default and never overwrites without --force', async () => {
    const work = join(dir, 'defaults');
    mkdirSync(work);
    const input = join(work, 'model.pt');
    writeFileSync(input, readFileSync(join(dir, 'benign', 'dtypes.legacy.pt')));
    const first = await run(['convert', input]);
    assert.equal(first.code, 0, first.err);
    const output = join(work, 'model.safetensors');
    const written = readFileSync(output);
    assert.match(first.out, /11 tensors/);
    writeFileSync(output, 'precious');
    const again = await run(['convert', input]);
    assert.equal(again.code, 2);
    assert.match(again.err, /--force/);
    assert.equal(readFileSync(output, 'utf8'), 'precious');
    assert.equal((await run(['convert', input, '--force'])).code, 0);
    assert.deepEqual(readFileSync(output), written);
    // The input itself is never a target, even with --force.
    assert.equal((await run(['convert', output])).code, 2);
    assert.equal((await run(['convert', input, '-o', input, '--force'])).code, 2);
    assert.deepEqual(readdirSync(work).sort(), ['model.pt', 'model.safetensors']);
  });

  it('converts every benign checkpoint the scanner calls safe, bit for bit with torch.load', async (t) => {
    const pairs: ConvertedPair[] = [];
    for (const m of benign) {
      const output = `${m.file}.cli.safetensors`;
      await t.test(`convert ${basename(m.file)}`, async () => {
        const r = await run(['convert', m.file, '-o', output]);
        assert.equal(r.code, 0, r.err);
        pairs.push(pairOf(m, output));
      });
    }
    await compareWithTorch(t, pairs, join(dir, 'cli-pairs.json'), (r) => {
      assert.ok(r.ok);
    });
  });

  it('converts the committed torch fixture corpus (test/fixtures/torch/ok), refusing only what safetensors cannot hold', async (t) => {
    const folder = join('test', 'fixtures', 'torch', 'ok');
    // Benign files written by test/fixtures/make/torch_fixtures.py; each holds something with no
    // safetensors form (complex128, quantized, sparse, structured) or a layout not converted.
    const refused = new Set([
      'all_dtypes.pt', // complex128
      'legacy_all_dtypes.pt',
      'meta_tensor.pt', // no data
      'quantized.pt',
      'sparse_coo.pt',
      'sparse_csr.pt',
      'structured.npy',
      'with_bytes.pt', // bytes have no JSON form
    ]);
    const names = readdirSync(folder).filter(
      (n) => /\.(pt|npy|npz)$/.test(n) && n !== 'whole_module.pt',
    );
    assert.ok(names.length >= 20);
    const pairs: ConvertedPair[] = [];
    for (const name of names) {
      const output = join(dir, `corpus-${name}.safetensors`);
      await t.test(`${refused.has(name) ? 'refuse' : 'convert'} ${name}`, async () => {
        const r = await run(['convert', join(folder, name), '-o', output]);
        if (refused.has(name)) {
          assert.equal(r.code, 1, r.err);
          assert.equal(existsSync(output), false);
        } else {
          assert.equal(r.code, 0, r.err);
          pairs.push({
            source: join(folder, name),
            output,
            ours: true,
            numpy: /\.np[yz]$/.test(name),
          });
        }
      });
    }
    await compareWithTorch(t, pairs, join(dir, 'corpus-pairs.json'));
  });

  it('refuses every hostile or malformed input with exit 1 and leaves the directory unchanged', async () => {
    const folder = join(dir, 'hostile');
    const before = readdirSync(folder).sort();
    for (const m of hostile) {
      const r = await run(['convert', m.file]);
      assert.equal(r.code, 1, `${m.case ?? m.file}: exit ${r.code}: ${r.err}`);
      assert.match(r.err, /refused/);
      assert.match(r.err, /nothing written/);
      const i = await run(['inspect', '--format', 'json', m.file]);
      assert.equal(i.code, 1, m.case);
      assert.equal((JSON.parse(i.out) as { refused?: unknown }).refused !== undefined, true);
    }
    assert.deepEqual(readdirSync(folder).sort(), before);
  });

  it('refuses every committed hostile and malformed fixture (torch/evil, torch/bad, pickle/evil), writing nothing', async (t) => {
    const out = join(dir, 'corpus-refusals');
    mkdirSync(out);
    for (const folder of ['torch/evil', 'torch/bad', 'pickle/evil']) {
      const path = join('test', 'fixtures', ...folder.split('/'));
      for (const name of readdirSync(path).filter((n) => n !== 'README.md')) {
        await t.test(`${folder}/${name}`, async () => {
          const output = join(out, `${name}.safetensors`);
          const r = await run(['convert', join(path, name), '-o', output]);
          assert.ok(r.code === 1 || r.code === 3, `exit ${r.code}: ${r.err}`);
          assert.match(r.err, /nothing written/);
        });
      }
    }
    assert.deepEqual(readdirSync(out), []);
  });

  it('names the scanner verdict and findings when it refuses code execution', async () => {
    const evil = hostile.find((m) => m.case === 'evil_pickle');
    assert.ok(evil);
    const r = await run(['inspect', '--format', 'json', evil.file]);
    const report = JSON.parse(r.out) as {
      verdict: string;
      refused: { code: string };
      findings: { ruleId: string }[];
    };
    assert.equal(report.verdict, 'malicious');
    assert.equal(report.refused.code, 'NOT_SAFE');
    assert.ok(report.findings.length > 0);
  });

  it('inspect lists tensors, shared storages and totals', async () => {
    const file = join(dir, 'benign', 'views.legacy.pt');
    const json = await run(['inspect', '--format', 'json', file]);
    assert.equal(json.code, 0, json.err);
    const report = JSON.parse(json.out) as {
      version: number;
      verdict: string;
      kind: string;
      tensors: {
        name: string;
        dtype: string;
        shape: number[];
        bytes: number;
        sharedWith: string[];
        contiguous: boolean;
      }[];
      totals: { tensors: number; bytes: number; sharedStorages: number };
    };
    assert.equal(report.version, 1);
    assert.equal(report.verdict, 'safe');
    assert.equal(report.kind, 'torch-legacy');
    const t = report.tensors.find((x) => x.name === 'transposed');
    assert.deepEqual(
      { dtype: t?.dtype, shape: t?.shape, bytes: t?.bytes, contiguous: t?.contiguous },
      { dtype: 'float32', shape: [5, 4, 3], bytes: 240, contiguous: false },
    );
    assert.ok(t?.sharedWith.includes('base'));
    assert.equal(report.totals.tensors, 11);
    assert.equal(report.totals.sharedStorages, 1);
    const text = await run(['inspect', file]);
    assert.equal(text.code, 0);
    assert.match(text.out, /verdict safe/);
    assert.match(text.out, /transposed +float32 +\[5, 4, 3\] +240 +\S+ \(shared with /);
    assert.match(text.out, /11 tensors, 860 bytes/);
  });

  it('--tensors-only keeps the tensors of a training checkpoint and lists what it dropped', async () => {
    const work = join(dir, 'tensors-only');
    mkdirSync(work);
    execFileSync('/usr/bin/python3', [
      '-c',
      String.raw`
import argparse, os, sys, numpy as np, torch
d = sys.argv[1]
torch.manual_seed(0)
w = torch.randn(3, 4)
torch.save({'model': {'w': w, 'b': torch.arange(4, dtype=torch.int64)}, 'args': argparse.Namespace(lr=0.1),
            'best': np.float64(0.5), 'shape': torch.Size([2, 3]), 'epoch': 4,
            'head': torch.nn.Linear(2, 2)}, os.path.join(d, 'train.pt'))
w.numpy().astype('<f4').tofile(os.path.join(d, 'w.raw'))
class Evil:
    def __reduce__(self):
        return (os.system, ('true',))
torch.save({'w': w, 'x': Evil()}, os.path.join(d, 'evil.pt'))
`,
      work,
    ]);
    const input = join(work, 'train.pt');
    const output = join(work, 'train.safetensors');
    const refused = await run(['convert', input, '-o', output]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /suspicious/);
    assert.equal(existsSync(output), false);
    const r = await run(['convert', input, '-o', output, '--tensors-only', '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as { dropped: { name: string; reason: string }[] };
    assert.deepEqual(report.dropped.map((d) => d.name).sort(), ['args', 'best', 'head']);
    assert.match(
      report.dropped.find((d) => d.name === 'args')?.reason ?? '',
      /argparse\.Namespace/,
    );
    const bytes = readFileSync(output);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
      string,
      { data_offsets: [number, number] }
    > & { __metadata__: Record<string, string> };
    assert.deepEqual(Object.keys(header).sort(), ['__metadata__', 'model.b', 'model.w']);
    assert.equal(header.__metadata__.shape, '[2, 3]');
    assert.equal(header.__metadata__.epoch, '4');
    const [begin, end] = header['model.w']?.data_offsets ?? [0, 0];
    assert.deepEqual(bytes.subarray(8 + n + begin, 8 + n + end), readFileSync(join(work, 'w.raw')));
    // A malicious file stays refused.
    const evil = await run([
      'convert',
      join(work, 'evil.pt'),
      '-o',
      join(work, 'e.st'),
      '--tensors-only',
    ]);
    assert.equal(evil.code, 1);
    assert.match(evil.err, /malicious/);
    assert.equal(existsSync(join(work, 'e.st')), false);
  });

  it('inspect counts parameters as elements of parameter-like tensors and says how', async () => {
    // embed.weight (10×4) and head.weight are one tensor; head.part (3×4) a view of it.
    const shared = await run(['inspect', '--format', 'json', join(dir, 'benign', 'shared.zip.pt')]);
    assert.equal(shared.code, 0, shared.err);
    const totals = (
      JSON.parse(shared.out) as {
        totals: { parameters: number; parameterTensors: number; parameterCounting: string };
      }
    ).totals;
    assert.equal(totals.parameters, 52);
    assert.equal(totals.parameterTensors, 2);
    assert.match(totals.parameterCounting, /floating-point .*tied copies counted once/);
    const text = await run(['inspect', join(dir, 'benign', 'shared.zip.pt')]);
    assert.match(text.out, /52 parameters in 2 tensors/);
    assert.match(text.out, /\(parameters: elements of floating-point/);
    // A state dict (Linear 4→3, BatchNorm1d(3), Linear 3→2): weights, biases and the float running
    // statistics; num_batches_tracked (int64) is not counted.
    const sd = await run(['inspect', '--format', 'json', join(dir, 'benign', 'state_dict.zip.pt')]);
    assert.equal(sd.code, 0, sd.err);
    assert.equal((JSON.parse(sd.out) as { totals: { parameters: number } }).totals.parameters, 35);
  });
});
