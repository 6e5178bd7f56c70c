import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { torchDeclarations, torchStatus } from '../../src/engine/code-audit.js';
import { EMPTY_CONFIG } from '../../src/engine/config-model.js';
import { scanPaths } from '../../src/engine/scan.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const CLEAN = join('test', 'fixtures', 'code', 'clean');

function cli(args: readonly string[]): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

const dirs: string[] = [];
function repo(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-code-audit-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('code audit through scan', () => {
  it('stays silent on realistic clean training, fine-tuning and serving code', async () => {
    const report = await scanPaths([CLEAN]);
    assert.deepEqual(
      report.files.flatMap((f) => f.findings.map((x) => `${f.path}: ${x.ruleId}: ${x.message}`)),
      [],
    );
    assert.deepEqual(
      report.files.map((f) => f.format),
      ['dockerfile', 'notebook', 'python', 'shell', 'requirements', 'python', 'python'],
    );
    assert.equal(report.torch?.status, 'at-least-2.6');
    assert.equal(cli(['scan', CLEAN]).status, 0);
  });

  it('reports located findings in JSON and SARIF, with the notebook cell and exit code 1', () => {
    const nb = JSON.stringify({
      cells: [
        { cell_type: 'code', source: ['import pickle\n'], metadata: {}, outputs: [] },
        {
          cell_type: 'code',
          source: ['x = 1\n', 'd = pickle.loads(b)\n'],
          metadata: {},
          outputs: [],
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    const dir = repo({ 'a.ipynb': nb, 'requirements.txt': 'torch>=2.1\n' });
    const json = cli(['scan', dir, '--format', 'json']);
    assert.equal(json.status, 1);
    const report = JSON.parse(json.stdout) as {
      torch: { status: string; declarations: { spec: string; line: number }[] };
      files: {
        path: string;
        findings: {
          ruleId: string;
          location: { line: number; path: unknown[]; label?: string };
        }[];
      }[];
    };
    assert.equal(report.torch.status, 'may-be-older');
    assert.deepEqual(
      report.torch.declarations.map((d) => [d.spec, d.line]),
      [['torch>=2.1', 1]],
    );
    const notebook = report.files.find((f) => f.path.endsWith('a.ipynb'));
    const finding = notebook?.findings.find((f) => f.ruleId === 'code/pickle-deserialization');
    // JSON path of the cell's source line: cells[1].source[1].
    assert.deepEqual(finding?.location.path, ['cells', 1, 'source', 1]);
    assert.equal(finding?.location.label, 'cell 2, line 2, column 5');
    const sarif = JSON.parse(cli(['scan', dir, '--format', 'sarif']).stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[];
        }[];
        properties: { torch: { status: string } };
      }[];
    };
    assert.deepEqual(sarifErrors(sarif), []);
    const run = sarif.runs[0];
    const result = run?.results.find((r) => r.ruleId === 'code/pickle-deserialization');
    // The region is in the notebook's JSON text (one line here): where `pickle.loads` is written.
    assert.equal(result?.locations[0]?.physicalLocation.region.startLine, 1);
    assert.equal(
      result?.locations[0]?.physicalLocation.region.startColumn,
      nb.indexOf('pickle.loads') + 1,
    );
    assert.equal(run?.properties.torch.status, 'may-be-older');
    const text = cli(['scan', dir]).stdout;
    assert.match(text, /a\.ipynb:1:\d+ \(cell 2, line 2, column 5\)/);
    assert.match(text, /torch version: may be older than 2\.6: torch>=2\.1/);
    assert.equal(cli(['scan', dir, '--fail-on', 'critical']).status, 0);
  });

  it('joins code findings and the model-repository listing of a .py file in one entry', async () => {
    const dir = repo({
      'config.json': '{"model_type": "custom"}',
      'modeling_custom.py': 'import pickle\nstate = pickle.load(open("extra.pkl", "rb"))\n',
    });
    const report = await scanPaths([dir]);
    const entries = report.files.filter((f) => f.path.endsWith('modeling_custom.py'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.format, 'python');
    assert.deepEqual(entries[0]?.findings.map((f) => f.ruleId).sort(), [
      'code/pickle-deserialization',
      'repository/python-file',
    ]);
  });

  it('applies inline and configured suppressions to code findings', async () => {
    const dir = repo({
      'a.py':
        'import pickle\npickle.loads(b)  # torchward: ignore[code/pickle-deserialization] own cache\n',
      'b.py': 'import pickle\npickle.loads(b)\n',
      'c.py': 'import yaml\nyaml.load(s)\n',
    });
    const report = await scanPaths([dir], {
      config: { ...EMPTY_CONFIG, ignore: { 'code/pickle-deserialization': ['**/b.py'] } },
    });
    const marks = report.files.map((f) => [
      f.path.slice(dir.length + 1),
      f.findings.map((x) => `${x.ruleId}:${x.suppressed ?? 'open'}`),
    ]);
    assert.deepEqual(marks, [
      ['a.py', ['code/pickle-deserialization:inline']],
      ['b.py', ['code/pickle-deserialization:config']],
      ['c.py', ['code/pickle-deserialization:open']],
    ]);
  });

  it('reports syntax errors of files no rule reads only in pedantic mode (which parses all)', async () => {
    const dir = repo({
      'util.py': 'def f(:\n    pass\n',
      'train.py': 'import torch\ndef f(:\n    torch.load(p, weights_only=True)\n',
    });
    const syntax = async (pedantic: boolean): Promise<string[]> =>
      (await scanPaths([dir], { config: { ...EMPTY_CONFIG, pedantic } })).files.flatMap((f) =>
        f.findings.map((x) => `${f.path.slice(dir.length + 1)}: ${x.ruleId}:${x.messageId}`),
      );
    assert.deepEqual(await syntax(false), ['train.py: code/parse-error:syntax']);
    assert.deepEqual((await syntax(true)).sort(), [
      'train.py: code/parse-error:syntax',
      'util.py: code/parse-error:syntax',
    ]);
  });

  it('bounds bad input: binary junk, a 50 MB line, deep nesting, broken notebooks, non-UTF-8', async () => {
    const junk = randomBytes(4096);
    junk[10] = 0;
    const dir = repo({
      'junk.py': junk,
      'huge.py': `x = "${'a'.repeat(50 * 1024 * 1024)}"`,
      'deep.py': `x = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      'deep_ok.py': `x = ${'('.repeat(150)}1${')'.repeat(150)}\nimport pickle\npickle.loads(b)\n`,
      'notjson.ipynb': '{"cells": [ {"cell_type": "code", "source": ["import pickle\\n"',
      'badsource.ipynb': '{"cells": [{"cell_type": "code", "source": [1, 2]}], "nbformat": 4}',
      'nocells.ipynb': '[1, 2, 3]',
      'latin.py': Buffer.concat([
        Buffer.from('import pickle\nname = "caf'),
        Buffer.from([0xe9]),
        Buffer.from('"\npickle.loads(data)\n'),
      ]),
      'broken.sh': 'pip install "unterminated\n',
      'broken.Dockerfile': 'RUN ["pip", "install",\n',
    });
    const report = await scanPaths([dir]);
    const byName = new Map(report.files.map((f) => [f.path.slice(dir.length + 1), f]));
    const codes = (name: string): string[] =>
      (byName.get(name)?.findings ?? []).map((f) => `${f.ruleId}:${f.messageId}`);
    const problem = (name: string): string | undefined =>
      byName.get(name)?.findings.find((f) => f.ruleId === 'code/parse-error')?.message;
    assert.match(problem('junk.py') ?? '', /BAD_VALUE/);
    assert.match(problem('huge.py') ?? '', /LIMIT_EXCEEDED/);
    assert.match(problem('deep.py') ?? '', /nested deeper than 200.*LIMIT_EXCEEDED/);
    assert.deepEqual(codes('deep_ok.py'), ['code/pickle-deserialization:deserialize']);
    assert.match(problem('notjson.ipynb') ?? '', /BAD_JSON/);
    assert.match(problem('badsource.ipynb') ?? '', /BAD_STRUCTURE/);
    assert.match(problem('nocells.ipynb') ?? '', /BAD_STRUCTURE/);
    // Non-UTF-8 Python: reported, and what can be read is still audited.
    assert.match(problem('latin.py') ?? '', /BAD_UTF8/);
    assert.ok(codes('latin.py').includes('code/pickle-deserialization:deserialize'));
    assert.deepEqual(codes('broken.sh'), ['code/unverified-install:unpinned']);
    assert.ok(byName.has('broken.Dockerfile'));
    assert.deepEqual(report.summary.internalErrors, []);
  });
});

describe('declared torch version', () => {
  it('reads requirements, pyproject, setup.cfg, conda and Dockerfile declarations', () => {
    assert.deepEqual(
      torchDeclarations('pyproject', '[project]\ndependencies = ["numpy", "torch>=2.6,<3"]\n').map(
        (d) => d.spec,
      ),
      ['torch>=2.6,<3'],
    );
    assert.deepEqual(
      torchDeclarations('pyproject', '[tool.poetry.dependencies]\ntorch = "^2.4"\n').map(
        (d) => d.spec,
      ),
      ['torch^2.4'],
    );
    assert.deepEqual(
      torchDeclarations('setup-cfg', '[options]\ninstall_requires =\n    torch==2.1.2\n').map(
        (d) => d.spec,
      ),
      ['torch==2.1.2'],
    );
    assert.deepEqual(
      torchDeclarations(
        'conda',
        'dependencies:\n  - pytorch=2.1.0=py3.10_cuda11.8_0\n  - pip:\n    - torch==2.6.0\n',
      ).map((d) => d.spec),
      ['torch=2.1.0', 'torch==2.6.0'],
    );
    assert.deepEqual(
      torchDeclarations('dockerfile', 'FROM x\nRUN pip install torch==2.7.1 numpy\n').map(
        (d) => d.spec,
      ),
      ['torch==2.7.1'],
    );
  });

  it('judges the declared range against 2.6', () => {
    assert.equal(torchStatus([]), 'unknown');
    assert.equal(torchStatus(['torch']), 'may-be-older');
    assert.equal(torchStatus(['torch>=2.6']), 'at-least-2.6');
    assert.equal(torchStatus(['torch==2.6.0']), 'at-least-2.6');
    assert.equal(torchStatus(['torch~=2.6']), 'at-least-2.6');
    assert.equal(torchStatus(['torch>=2.1']), 'may-be-older');
    assert.equal(torchStatus(['torch==2.5.1']), 'older');
    assert.equal(torchStatus(['torch<2.6']), 'older');
    assert.equal(torchStatus(['torch==2.5.*']), 'older');
    assert.equal(torchStatus(['torch=2.1.0']), 'older');
    assert.equal(torchStatus(['torch^2.4']), 'may-be-older');
    assert.equal(torchStatus(['torch==2.6.0', 'torch>=2.0']), 'may-be-older');
  });
});
