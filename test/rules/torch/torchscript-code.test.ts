import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPythonParser } from '../../../src/formats/python/parser.js';
import { readTorchScriptCode } from '../../../src/formats/python/torchscript.js';
import { scanFile } from '../../../src/engine/scan.js';
import { runRules } from '../../helpers/run-rules.js';
import torchscriptCode from '../../../src/rules/torch/torchscript-code.js';

/** [messageId, verdict, the text at the finding's span] for a code text. */
async function run(text: string): Promise<[string, string | undefined, string][]> {
  const code = readTorchScriptCode(
    'archive/code/__torch__.py',
    text,
    await loadPythonParser(),
    5000,
  );
  assert.ok(code);
  return runRules(
    [torchscriptCode],
    code,
    { uri: 'm.pt!/archive/code/__torch__.py', unit: 'byte', options: {} },
    (id) => {
      throw new Error(id);
    },
  ).map((f) => [f.messageId, f.verdict, text.slice(f.primary.span.start, f.primary.span.end)]);
}

// The shape torch.jit.save prints: a class per module, typed methods, two-space indents.
const body = (lines: string): string =>
  `class M(Module):\n  __parameters__ = []\n  training : bool\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n${lines
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n    return x\n`;

describe('torch/torchscript-code', () => {
  it('valid: what torch.jit.save prints for ordinary modules', async () => {
    const benign = [
      '_0 = torch.add(x, torch.sum(torch.to(x, 6)))',
      'y = ops.prim.NumToTensor(torch.size(x, 0))',
      'net = self.net\n_1 = getattr(net, "0")\nz = (_1).forward(x, )',
      'if torch.__isnot__(x, None):\n  ops.prim.RaiseException("bad", "builtins.ValueError")',
      '_2 = __torch__.torch.nn.functional.relu(x, False, )',
      'print("nan in", str(x))\nn = int(len(torch.list(x)))',
      'input = torch.unchecked_cast(x, Tensor)\ncode = annotate(List[int], [])',
      'f = torch.linear(x, self.weight, self.bias)',
    ];
    for (const line of benign) assert.deepEqual(await run(body(line)), [], line);
  });

  it('invalid: file operators, spelled as torch.jit.save prints them and through torch.ops', async () => {
    assert.deepEqual(await run(body('torch.save(x, "/tmp/p")')), [
      ['file', 'malicious', 'torch.save'],
    ]);
    assert.deepEqual(await run(body('y = torch.from_file("/etc/passwd", None, 16, dtype=0)')), [
      ['file', 'malicious', 'torch.from_file'],
    ]);
    assert.deepEqual(await run(body('ops.aten.save(x, "/tmp/p")')), [
      ['file', 'malicious', 'ops.aten.save'],
    ]);
    assert.deepEqual(await run(body('y = torch.ops.aten.from_file("/etc/passwd")')), [
      ['file', 'malicious', 'torch.ops.aten.from_file'],
    ]);
    assert.deepEqual(await run(body('torch.ops.load_library("/tmp/evil.so")')), [
      ['file', 'malicious', 'torch.ops.load_library'],
    ]);
  });

  it('invalid: Python escape hatches, with aliases resolved', async () => {
    assert.deepEqual(await run(body('os.system("id")')), [['system', 'malicious', 'os.system']]);
    assert.deepEqual(await run(body('from subprocess import run as go\ngo(["id"])')), [
      ['import', 'malicious', 'from subprocess import run as go'],
      ['system', 'malicious', 'go'],
    ]);
    assert.deepEqual(await run(body('__import__("os").system("id")')), [
      ['system', 'malicious', '__import__'],
    ]);
    assert.deepEqual(await run(body('exec("y = 1")')), [['system', 'malicious', 'exec']]);
    assert.deepEqual(await run(body('s = open("/etc/passwd").read()')), [
      ['system', 'malicious', 'open'],
    ]);
    // A call never made directly: the name itself is the escape hatch.
    assert.deepEqual(await run(body('f = eval\ny = f("1")')), [['name', 'malicious', 'eval']]);
    assert.deepEqual(await run(body('g = getattr(__builtins__, "ex" + "ec")')), [
      ['name', 'malicious', '__builtins__'],
    ]);
    // An attribute or keyword that merely shares the name is not a use.
    assert.deepEqual(await run(body('y = self.eval\nz = torch.full([1], 0, exec=1)')), []);
  });

  it('invalid: remote calls are suspicious, foreign imports suspicious', async () => {
    assert.deepEqual(await run(body('fut = ops.prim.rpc_async()\ny = torch.wait(fut)')), [
      ['network', 'suspicious', 'ops.prim.rpc_async'],
    ]);
    assert.deepEqual(await run(body('ops.c10d.allreduce_([x], pg, op, -1, 0)')), [
      ['network', 'suspicious', 'ops.c10d.allreduce_'],
    ]);
    assert.deepEqual(await run(`import numpy\n${body('y = x')}`), [
      ['foreignImport', 'suspicious', 'import numpy'],
    ]);
    assert.deepEqual(await run(`import __torch__.torch.nn\n${body('y = x')}`), []);
  });
});

/** Every fixture torch 1.13 (-t1) and torch 2.13 (-t2) wrote, through the whole engine. */
describe('TorchScript code records of real torch archives', () => {
  const dir = (kind: string): string[] =>
    readdirSync(join('test', 'fixtures', 'torchscript', kind))
      .filter((n) => n.endsWith('.pt'))
      .sort();
  const codeFindings = async (kind: string, name: string): Promise<string[]> => {
    const file = await scanFile(join('test', 'fixtures', 'torchscript', kind, name));
    // Every code record is scanned as its own unit.
    assert.ok(
      file.members.some((m) => m.format === 'torchscript-code'),
      name,
    );
    return file.findings
      .filter((f) => f.ruleId === 'torch/torchscript-code' || f.ruleId === 'torch/malformed-input')
      .map((f) => `${f.verdict ?? ''}:${f.messageId}:${f.primary.uri.split('!/').pop() ?? ''}`);
  };

  it('valid: scripted and traced MLP, conv net, LSTM/GRU, tiny transformer, control flow', async () => {
    const names = dir('ok');
    assert.equal(names.length, 16);
    for (const name of names) assert.deepEqual(await codeFindings('ok', name), [], name);
  });

  it('invalid: hostile code written by torch itself and hand-edited archives', async () => {
    const expected: Record<string, string[]> = {
      'from-file': ['malicious:file'],
      'hand-builtins-exec': ['malicious:system'],
      'hand-dunder-import': ['malicious:system'],
      'hand-eval': ['malicious:system'],
      'hand-open': ['malicious:system'],
      'hand-os-system': ['malicious:import', 'malicious:system'],
      'hand-subprocess-alias': ['malicious:import', 'malicious:system'],
      'ops-aten-save': ['malicious:file'],
      'rpc-async': ['suspicious:network'],
      'save-file': ['malicious:file'],
    };
    const names = dir('evil');
    assert.equal(names.length, 20);
    for (const name of names) {
      const stem = name.replace(/-t[12]\.pt$/, '');
      const got = (await codeFindings('evil', name)).map((s) => s.split(':').slice(0, 2).join(':'));
      assert.deepEqual(got.sort(), expected[stem], name);
      const file = await scanFile(join('test', 'fixtures', 'torchscript', 'evil', name));
      assert.equal(file.verdict, expected[stem]?.[0]?.split(':')[0], name);
    }
  });
});

describe('TorchScript code records that are not TorchScript', () => {
  /** The torch 2.13 MLP archive with its code/__torch__.py replaced (Python's zipfile writes it). */
  const edited = (body: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-tscode-'));
    const out = join(dir, 'edited.pt');
    const r = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], 'w') as z:
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename.endswith('/code/__torch__.py'):
            data = eval(sys.argv[3])
        z.writestr(info, data)`,
        join('test', 'fixtures', 'torchscript', 'ok', 'mlp-script-t2.pt'),
        out,
        body,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return out;
  };
  /** [rule:verdict, message] of the torch findings other than the archive's own. */
  const judged = async (path: string): Promise<[string, string][]> => {
    try {
      const file = await scanFile(path);
      return file.findings
        .filter((f) => f.ruleId.startsWith('torch/') && f.ruleId !== 'torch/torchscript-archive')
        .map((f): [string, string] => [`${f.ruleId}:${f.verdict ?? ''}`, f.message])
        .sort((x, y) => (x[0] < y[0] ? -1 : 1));
    } finally {
      rmSync(join(path, '..'), { recursive: true, force: true });
    }
  };

  it('binary data in a code record is malformed, never silently skipped', async () => {
    const got = await judged(edited(String.raw`b'\x00\x01os.system("id")'`));
    assert.deepEqual(
      got.map((g) => g[0]),
      ['torch/malformed-input:invalid'],
    );
    assert.match(got[0]?.[1] ?? '', /NUL byte: binary data, not Python source/);
  });

  it('a record that does not parse is malformed, and what parses is still judged', async () => {
    const got = await judged(edited(String.raw`b'def forward(self x):\n  os.system("id")\n'`));
    assert.deepEqual(
      got.map((g) => g[0]),
      ['torch/malformed-input:invalid', 'torch/torchscript-code:malicious'],
    );
    assert.match(got[0]?.[1] ?? '', /does not parse as Python/);
    assert.match(got[1]?.[1] ?? '', /`os\.system\(…\)`/);
  });

  it('non-ASCII text keeps byte offsets', async () => {
    const path = edited(String.raw`'# é ü\nos.system("id")\n'.encode()`);
    const file = await scanFile(path);
    rmSync(join(path, '..'), { recursive: true, force: true });
    const f = file.findings.find((x) => x.ruleId === 'torch/torchscript-code');
    // "# é ü\n" is 8 bytes in UTF-8 (6 UTF-16 units): the callee starts at byte 8.
    assert.deepEqual(f?.primary.span, { start: 8, end: 17 });
  });
});
