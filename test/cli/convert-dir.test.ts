import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { torch2Env, torch2Python } from '../helpers/torch2.js';

// `torchward convert DIR -o OUT` on a model folder: a tiny GPT-2 written by transformers/torch
// 2.13 as a sharded pytorch_model-*.bin checkpoint, converted by the CLI, then loaded back by
// transformers' from_pretrained. The CLI runs as a child process (signals, resource limits).

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const HF = join('test', 'cli', 'hf_model.py');
const dir = mkdtempSync(join(tmpdir(), 'torchward-convert-dir-'));
const gpt = join(dir, 'gpt2');
let mounted: string | undefined;

after(() => {
  if (mounted !== undefined) spawnSync('umount', [mounted]);
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], prefix: string[] = []): { code: number; out: string; err: string } {
  const argv = [...prefix, process.execPath, BIN, ...args];
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function python(args: string[]): unknown {
  const out = execFileSync(torch2Python(), [HF, ...args], {
    encoding: 'utf8',
    env: torch2Env(),
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 16 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '');
}

/** sha256 of every file under `root`, by relative path: the input must never change. */
function digestTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    if (statSync(path).isFile()) {
      out[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  }
  return out;
}

function header(path: string): Record<string, unknown> & { __metadata__?: Record<string, string> } {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
}

/** No temporary file or folder (hidden `.NAME.PID.RAND.tmp`) is left in `folder`. */
function assertNoTemporaries(folder: string): void {
  const left = readdirSync(folder).filter((n) => n.endsWith('.tmp') || n.endsWith('.tmp.old'));
  assert.deepEqual(left, []);
}

/** A copy of the GPT-2 folder to break in one way. */
function variant(name: string): string {
  const target = join(dir, name);
  cpSync(gpt, target, { recursive: true });
  return target;
}

describe('torchward convert DIR', () => {
  let made: { logits: number[]; shards: number };
  let inputDigest: Record<string, string>;
  const shardName = (i: number): string =>
    `pytorch_model-${String(i).padStart(5, '0')}-of-${String(made.shards).padStart(5, '0')}.bin`;
  before(() => {
    mkdirSync(gpt);
    made = python(['make', gpt]) as typeof made;
    assert.ok(made.shards >= 4, 'the fixture is sharded');
    // What a fine-tuned repository also holds: a tokenizer file and a training pickle.
    writeFileSync(join(gpt, 'tokenizer.json'), '{"version": "1.0"}\n');
    mkdirSync(join(gpt, 'extra'));
    writeFileSync(join(gpt, 'extra', 'notes.txt'), 'notes\n');
    execFileSync('/usr/bin/python3', [
      '-c',
      'import argparse, sys, torch; torch.save(argparse.Namespace(lr=1e-3), sys.argv[1])',
      join(gpt, 'training_args.bin'),
    ]);
    inputDigest = digestTree(gpt);
  });

  it('converts a sharded transformers checkpoint that from_pretrained loads with the same logits', () => {
    const out = join(dir, 'out', 'gpt2-st'); // the parent does not exist yet
    const r = cli(['convert', gpt, '-o', out, '--max-shard-size', '30KB', '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as {
      models: { inputs: string[]; outputs: string[]; tensors: number; aliases: object }[];
      copied: string[];
      skipped: { path: string }[];
    };
    assert.equal(report.models.length, 1);
    const model = report.models[0];
    assert.ok(model !== undefined);
    assert.equal(model.inputs.length, made.shards);
    assert.deepEqual(model.aliases, { 'lm_head.weight': 'transformer.wte.weight' });
    assert.deepEqual(report.copied.sort(), ['config.json', 'extra/notes.txt', 'tokenizer.json']);
    assert.deepEqual(
      report.skipped.map((s) => s.path),
      ['training_args.bin'],
    );
    const files = readdirSync(out).sort();
    assert.ok(!files.some((f) => /\.(bin|json\.tmp)$/.test(f)), files.join(' '));
    assert.ok(files.includes('model.safetensors.index.json'));
    // Every shard within the limit (30 KB of tensor data, a lone larger tensor excepted) and the
    // index naming each tensor in the shard that holds it, total_size their sum.
    const index = JSON.parse(readFileSync(join(out, 'model.safetensors.index.json'), 'utf8')) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    const shards = files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f));
    assert.ok(shards.length >= 3);
    assert.deepEqual([...new Set(Object.values(index.weight_map))].sort(), shards);
    let total = 0;
    const seen: string[] = [];
    for (const shard of shards) {
      const h = header(join(out, shard));
      let bytes = 0;
      for (const [name, entry] of Object.entries(h)) {
        if (name === '__metadata__') continue;
        const [begin, end] = (entry as { data_offsets: [number, number] }).data_offsets;
        bytes += end - begin;
        assert.equal(index.weight_map[name], shard, name);
        seen.push(name);
      }
      assert.ok(bytes <= 30_000 || Object.keys(h).length === 2, `${shard}: ${bytes} bytes`);
      assert.equal(h.__metadata__?.format, 'pt');
      total += bytes;
    }
    assert.equal(index.metadata.total_size, total);
    assert.deepEqual(seen.sort(), Object.keys(index.weight_map).sort());
    assert.ok(!seen.includes('lm_head.weight'), 'the tied head is written once');
    // --no-dedupe keeps today's copy of the tied head.
    const copies = join(dir, 'out', 'gpt2-copies');
    const r2 = cli(['convert', gpt, '-o', copies, '--no-dedupe']);
    assert.equal(r2.code, 0, r2.err);
    assert.ok(existsSync(join(copies, 'model.safetensors')), 'one shard under 5 GB');
    const whole = header(join(copies, 'model.safetensors'));
    assert.ok('lm_head.weight' in whole && 'transformer.wte.weight' in whole);
    assert.equal(whole.__metadata__?.['torchward.aliases'], undefined);

    const loaded = python(['load', out, copies]) as Record<
      string,
      { logits: number[]; tied: boolean }
    >;
    for (const folder of [out, copies]) {
      assert.deepEqual(loaded[folder]?.logits, made.logits, folder);
      assert.equal(loaded[folder]?.tied, true);
    }
    assert.deepEqual(digestTree(gpt), inputDigest);
    assertNoTemporaries(join(dir, 'out'));
  });

  it('refuses an existing output without --force, replaces a folder with it, and never a non-folder', () => {
    const out = join(dir, 'exists');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'old');
    const r = cli(['convert', gpt, '-o', out]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--force/);
    assert.equal(cli(['convert', gpt, '-o', out, '--force']).code, 0);
    assert.equal(existsSync(join(out, 'old.txt')), false);
    assert.ok(existsSync(join(out, 'model.safetensors')));
    // A file, a link or a FIFO at OUT is never replaced, --force or not.
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const link = join(dir, 'link');
    symlinkSync(out, link);
    for (const target of [fifo, link, join(gpt, 'config.json')]) {
      const refused = cli(['convert', gpt, '-o', target, '--force']);
      assert.equal(refused.code, 2, `${target}: ${refused.err}`);
    }
    assert.ok(lstatSync(fifo).isFIFO());
    assert.ok(lstatSync(link).isSymbolicLink());
    // A single file converted onto a FIFO or a link: refused the same way.
    const single = join(gpt, shardName(1));
    for (const target of [fifo, link]) {
      assert.equal(cli(['convert', single, '-o', target, '--force']).code, 2);
    }
    assert.ok(lstatSync(fifo).isFIFO());
    // The output inside the input (or the reverse) is refused.
    assert.equal(cli(['convert', gpt, '-o', join(gpt, 'st')]).code, 2);
    assert.deepEqual(digestTree(gpt), inputDigest);
  });

  it('refuses inconsistent folders with a clear error, no output and the input untouched', () => {
    const cases: [string, (folder: string) => void, RegExp][] = [
      [
        'missing-shard',
        (f) => {
          unlinkSync(join(f, shardName(2)));
        },
        /names a missing shard: pytorch_model-00002-of-\d{5}\.bin/,
      ],
      [
        'duplicate-entry',
        (f) => {
          const path = join(f, 'pytorch_model.bin.index.json');
          const text = readFileSync(path, 'utf8');
          writeFileSync(
            path,
            text.replace(
              '"weight_map": {',
              `"weight_map": {\n    "lm_head.weight": "${shardName(3)}",`,
            ),
          );
        },
        /names the same key twice/,
      ],
      [
        'both-formats',
        (f) => {
          writeFileSync(join(f, 'model.safetensors'), 'x');
        },
        /both as safetensors \(model\.safetensors\) and as pickle/,
      ],
      [
        'misplaced',
        (f) => {
          const path = join(f, 'pytorch_model.bin.index.json');
          const index = JSON.parse(readFileSync(path, 'utf8')) as {
            weight_map: Record<string, string>;
          };
          index.weight_map['transformer.ln_f.bias'] = shardName(1);
          writeFileSync(path, JSON.stringify(index));
        },
        /holds tensor 'transformer\.ln_f\.bias', which pytorch_model\.bin\.index\.json places in/,
      ],
    ];
    for (const [name, breakIt, message] of cases) {
      const folder = variant(name);
      breakIt(folder);
      const before = digestTree(folder);
      const out = join(dir, 'bad', name);
      const r = cli(['convert', folder, '-o', out]);
      assert.equal(r.code, 1, `${name}: ${r.err}`);
      assert.match(r.err, message, name);
      assert.match(r.err, /nothing written/);
      assert.equal(existsSync(join(dir, 'bad')), false, `${name}: no output, no created parent`);
      assert.deepEqual(digestTree(folder), before);
    }
    // Two shards that both hold one name, with different dtypes (torch 1.13 writes them).
    const split = join(dir, 'split');
    mkdirSync(split);
    execFileSync('/usr/bin/python3', [
      '-c',
      String.raw`
import json, os, sys, torch
d = sys.argv[1]
torch.save({'w': torch.ones(4), 'b': torch.zeros(2)}, os.path.join(d, 'pytorch_model-00001-of-00002.bin'))
torch.save({'w': torch.ones(4, dtype=torch.float16)}, os.path.join(d, 'pytorch_model-00002-of-00002.bin'))
json.dump({'weight_map': {'w': 'pytorch_model-00002-of-00002.bin', 'b': 'pytorch_model-00001-of-00002.bin'}},
          open(os.path.join(d, 'pytorch_model.bin.index.json'), 'w'))
`,
      split,
    ]);
    const r = cli(['convert', split, '-o', join(dir, 'split-st')]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /tensor 'w' is in both .* \(as float32 and as float16\)/);
    assert.equal(existsSync(join(dir, 'split-st')), false);
    assertNoTemporaries(dir);
  });

  it('leaves nothing behind when the disk fills up', () => {
    // A real full disk (a 48 KiB tmpfs) when this runs as root; otherwise a file-size limit.
    const small = join(dir, 'small');
    mkdirSync(small);
    let prefix: string[] = [];
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', small]).status === 0) {
      mounted = small;
    } else {
      prefix = ['prlimit', '--fsize=20000'];
    }
    const out = join(small, 'gpt2-st');
    const r = cli(['convert', gpt, '-o', out, '--no-dedupe'], prefix);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /ENOSPC|EFBIG/);
    assert.match(r.err, /nothing written/);
    assert.deepEqual(
      readdirSync(small).filter((n) => n !== 'lost+found'),
      [],
    );
    assert.deepEqual(digestTree(gpt), inputDigest);
  });

  it('removes its temporary folder when interrupted', async () => {
    // A folder big enough to catch the conversion mid-way: 160 MiB of float32 in one shard.
    const big = join(dir, 'big');
    mkdirSync(big);
    execFileSync('/usr/bin/python3', [
      '-c',
      'import sys, torch; torch.save({"w": torch.ones(40 * 1024 * 1024)}, sys.argv[1])',
      join(big, 'pytorch_model.bin'),
    ]);
    const parent = join(dir, 'interrupted');
    mkdirSync(parent);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const child = spawn(process.execPath, [BIN, 'convert', big, '-o', join(parent, 'st')], {
        stdio: 'ignore',
      });
      // Stop the child the moment its temporary folder appears, then signal it: deterministic
      // whatever the machine's speed (the signal is delivered when it continues).
      const watcher = watch(parent, () => {
        if (readdirSync(parent).some((n) => n.endsWith('.tmp'))) child.kill('SIGSTOP');
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, sig) => {
          resolve(sig);
        }),
      );
      await new Promise((r) => setTimeout(r, 10));
      while (!readdirSync(parent).some((n) => n.endsWith('.tmp')) && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 1));
      }
      watcher.close();
      child.kill('SIGSTOP');
      child.kill(signal);
      child.kill('SIGCONT');
      assert.equal(await exited, signal);
      assert.deepEqual(readdirSync(parent), [], signal);
    }
  });
});
