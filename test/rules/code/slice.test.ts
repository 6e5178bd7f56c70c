import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { auditCodeFiles, type CodeAuditResult } from '../../../src/engine/code-audit.js';
import { codeFileKind } from '../../../src/engine/code-file-kind.js';
import { slicePython } from '../../../src/formats/python/slice.js';
import { pythonTriggerWords } from '../../../src/rules/code/index.js';

/** Audits files of one repository with the slicer and with whole-text parses (prefilter on). */
async function auditBoth(
  files: Readonly<Record<string, string>>,
): Promise<{ sliced: CodeAuditResult[]; whole: CodeAuditResult[] }> {
  const root = mkdtempSync(join(tmpdir(), 'torchward-slice-'));
  try {
    const list = Object.entries(files).map(([uri, text]) => {
      const path = join(root, uri);
      writeFileSync(path, text);
      return { path, uri, kind: codeFileKind(uri) ?? ('python' as const) };
    });
    const options = { limits: DEFAULT_LIMITS, config: {}, repoRoot: root };
    const sliced = (await auditCodeFiles(list, { ...options, slice: true })).results;
    const whole = (await auditCodeFiles(list, { ...options, slice: false })).results;
    return { sliced, whole };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Every finding, code/parse-error's syntax one included, with its span, and the content scan. */
function verdict(r: CodeAuditResult | undefined): string[] {
  assert.ok(r !== undefined);
  return [
    `contentScan ${r.contentScan}`,
    ...r.findings.map(
      (f) =>
        `${f.ruleId} ${f.messageId} ${f.severity} ${f.primary.span.start}-${f.primary.span.end} ${f.primary.label ?? ''} ${f.message}`,
    ),
  ];
}

/** The text of the parsed ranges (undefined: the whole text is parsed). */
function parsedText(text: string): string | undefined {
  return slicePython(text, pythonTriggerWords, 1)
    ?.map((r) => text.slice(r.startIndex, r.endIndex))
    .join('');
}

/**
 * Audits generated programs sliced and whole, asserts equal findings for each, and returns how
 * many were actually cut (a parsed part shorter than the text).
 */
async function slicedMatchesWhole(texts: readonly string[], prefix: string): Promise<number> {
  const { sliced, whole } = await auditBoth(
    Object.fromEntries(texts.map((t, i) => [`${prefix}${i}.py`, t])),
  );
  let cut = 0;
  texts.forEach((text, i) => {
    const parsed = parsedText(text);
    if (parsed !== undefined && parsed.length < text.length) cut++;
    assert.deepEqual(verdict(sliced[i]), verdict(whole[i]), text);
  });
  return cut;
}

/** Slices `code`, checks the parsed part holds `kept` and not `dropped`, and the findings. */
async function check(
  code: string,
  expect: { kept?: string[]; dropped?: string[]; findings: string[] },
): Promise<void> {
  const parsed = parsedText(code);
  assert.ok(parsed !== undefined, 'sliced');
  for (const k of expect.kept ?? []) assert.ok(parsed.includes(k), `kept: ${k}\n---\n${parsed}`);
  for (const d of expect.dropped ?? []) {
    assert.ok(!parsed.includes(d), `dropped: ${d}\n---\n${parsed}`);
  }
  const { sliced, whole } = await auditBoth({ 'train.py': code });
  assert.deepEqual(verdict(sliced[0]), verdict(whole[0]));
  assert.deepEqual(
    sliced[0]?.findings.map((f) => `${f.ruleId}:${f.messageId}`),
    expect.findings,
  );
}

const FILLER = `
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        x = self.fc(x)
        return x
`;

describe('code audit slicer', () => {
  it('keeps imports, the audited statement and what it reads; drops the rest', async () => {
    await check(
      `import torch\nimport torch.nn as nn\nimport json\n${FILLER}\ndef main(path):\n    cfg = json.dumps({})\n    state = torch.load(path)\n    return state\n`,
      {
        kept: ['import torch\n', 'def main(path):', 'state = torch.load(path)'],
        dropped: ['class Block', 'import json', 'return state'],
        findings: ['code/unsafe-torch-load:missingWeightsOnly'],
      },
    );
  });

  it('follows constants defined far from their use, at module level and in the function', async () => {
    await check(
      `import torch\nWEIGHTS_ONLY = False\n${FILLER}\nUNUSED = 1\n\ndef main(path):\n    mode = "cpu"\n    return torch.load(path, map_location=mode, weights_only=WEIGHTS_ONLY)\n`,
      {
        kept: ['WEIGHTS_ONLY = False', 'mode = "cpu"'],
        dropped: ['class Block', 'UNUSED = 1'],
        findings: ['code/unsafe-torch-load:weightsOnlyFalse'],
      },
    );
  });

  it('keeps every assignment of a constant: one of two values is no constant', async () => {
    // The second assignment sits in a block no rule reads: without it FLAG would look constant
    // False (a weightsOnlyFalse finding); with it, weights_only has no known value: no finding.
    await check(
      `import torch\nFLAG = False\nif os.environ.get("SAFE"):\n    FLAG = True\n${FILLER}\ndef main(p):\n    return torch.load(p, weights_only=FLAG)\n`,
      {
        kept: ['FLAG = False', 'FLAG = True'],
        dropped: ['class Block'],
        findings: [],
      },
    );
  });

  it('keeps same-named functions elsewhere: the code model scopes constants by function name', async () => {
    await check(
      `import torch\nclass A:\n    def load(self, p):\n        wo = False\n        return 1\n\nclass B:\n    def load(self, p):\n        return torch.load(p, weights_only=wo)\n\ndef other():\n    wo = True\n`,
      {
        kept: ['wo = False', 'class A:', 'def load(self, p):'],
        dropped: ['wo = True', 'def other'],
        findings: ['code/unsafe-torch-load:weightsOnlyFalse'],
      },
    );
  });

  it('follows aliases imported inside functions and alias chains', async () => {
    await check(
      `import os\n${FILLER}\ndef setup():\n    from pickle import loads as L\n    return 0\n\ndef unused():\n    return 1\n\nreader = L\n\ndef main(b):\n    return reader(b)\n`,
      {
        kept: ['from pickle import loads as L', 'reader = L', 'return reader(b)', 'def setup():'],
        dropped: ['class Block', 'def unused', 'return 0'],
        findings: ['code/pickle-deserialization:deserialize'],
      },
    );
  });

  it('cuts only at statement ends: multi-line strings, brackets and line continuations', async () => {
    const code = [
      'import torch',
      'DOC = """a docstring',
      'torch.load(in_a_string)',
      '"""',
      'def helper():',
      '    s = f"""{x}',
      '    def not_a_def(): pass',
      '    """',
      '    y = (1,',
      '0)',
      '    return s',
      'def main(p):',
      '    model = torch \\',
      '        .load(p,',
      '              map_location="cpu"',
      '    )',
      '    return model',
      '',
    ].join('\n');
    await check(code, {
      kept: ['model = torch \\\n        .load(p,', '    )\n'],
      dropped: ['def helper', 'return model'],
      findings: ['code/unsafe-torch-load:missingWeightsOnly'],
    });
  });

  it('keeps decorators with their function and nested functions inside their parents', async () => {
    await check(
      `import torch\nimport functools\n${FILLER}\n@functools.lru_cache(maxsize=None)\ndef cached(p):\n    def inner(q):\n        return torch.load(q)\n    def other(q):\n        return q\n    return inner(p)\n`,
      {
        kept: ['@functools.lru_cache(maxsize=None)\ndef cached(p):', 'def inner(q):'],
        dropped: ['def other', 'return inner(p)', 'class Block'],
        findings: ['code/unsafe-torch-load:missingWeightsOnly'],
      },
    );
  });

  it('keeps the data received from a socket or download in the same function (taint)', async () => {
    await check(
      `import pickle\nimport socket\n${FILLER}\ndef serve(conn, lock):\n    header = conn.recv(4)\n    with lock:\n        data = conn.recv(4096)\n    unrelated = 3\n    return pickle.loads(data)\n`,
      {
        kept: ['with lock:\n        data = conn.recv(4096)', 'return pickle.loads(data)'],
        dropped: ['header = conn.recv(4)', 'unrelated = 3', 'class Block'],
        findings: ['code/pickle-deserialization:deserializeUntrusted'],
      },
    );
  });

  it('keeps environment variables set in code and the keyword rules', async () => {
    await check(
      `import os\nimport torch.distributed as dist\nfrom transformers import AutoModel\n${FILLER}\nHOST = "0.0.0.0"\n\ndef main():\n    os.environ["MASTER_ADDR"] = HOST\n    dist.init_process_group("nccl")\n    m = build(trust_remote_code=True)\n`,
      {
        kept: ['HOST = "0.0.0.0"', 'os.environ["MASTER_ADDR"] = HOST', 'trust_remote_code=True'],
        dropped: ['class Block'],
        findings: [
          'code/distributed-exposure:masterAddrExposed',
          'code/remote-code:trustRemoteCode',
        ],
      },
    );
  });

  it('parses the whole text when the parsed part has a syntax error', async () => {
    const code = `import torch\n${FILLER}\ndef main(p):\n    return torch.load(p,, weights_only=False)\n`;
    const { sliced, whole } = await auditBoth({ 'train.py': code });
    assert.deepEqual(verdict(sliced[0]), verdict(whole[0]));
    assert.ok(sliced[0]?.findings.some((f) => f.messageId === 'syntax'));
  });

  it('does not report a syntax error in a statement no rule reads (the documented difference)', async () => {
    const code = `import torch\n${FILLER}\ndef broken():\n    return 1 +\n\ndef main(p):\n    return torch.load(p)\n`;
    const { sliced, whole } = await auditBoth({ 'train.py': code });
    const ids = (r: CodeAuditResult | undefined): string[] =>
      (r?.findings ?? []).map((f) => `${f.ruleId}:${f.messageId}`);
    assert.deepEqual(ids(sliced[0]), ['code/unsafe-torch-load:missingWeightsOnly']);
    assert.deepEqual(ids(whole[0]), [
      'code/parse-error:syntax',
      'code/unsafe-torch-load:missingWeightsOnly',
    ]);
  });

  it('parses whole texts whose layout it does not cut: tabs, unterminated strings or brackets', () => {
    for (const text of [
      'import torch\ndef f(p):\n\treturn torch.load(p)\n',
      'import torch\nx = """open\ntorch.load(p)\n',
      'import torch\nx = (1,\ntorch.load(p)\n',
      'import torch\r\ntorch.load(p)\rx = 1\n',
      'import torch\n    torch.load(p)\n  y = 1\n',
    ]) {
      assert.equal(slicePython(text, pythonTriggerWords, 1), undefined, JSON.stringify(text));
    }
  });

  it('slices the code cells of a notebook, positions reported as cell and line', async () => {
    const cell = (source: string[]): object => ({
      cell_type: 'code',
      metadata: {},
      outputs: [],
      execution_count: null,
      source,
    });
    const notebook = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        cell(['import torch\n', 'import torch.nn as nn\n']),
        cell(['!pip install torch\n', `${FILLER.trim()}\n`]),
        cell(['ckpt = "model.pt"\n', 'state = torch.load(ckpt)\n']),
      ],
    });
    const { sliced, whole } = await auditBoth({ 'eval.ipynb': notebook });
    assert.deepEqual(verdict(sliced[0]), verdict(whole[0]));
    assert.ok(
      sliced[0]?.findings.some(
        (f) =>
          f.ruleId === 'code/unsafe-torch-load' && f.primary.label?.startsWith('cell 3, line 2'),
      ),
    );
  });

  it('gives the same findings as whole-text parses on every code fixture', async () => {
    const files: Record<string, string> = {};
    for (const dir of ['test/fixtures/code/clean', 'test/fixtures/code/bandit']) {
      for (const name of readdirSync(dir)) {
        if (codeFileKind(name) !== undefined) files[name] = readFileSync(join(dir, name), 'utf8');
      }
    }
    assert.ok(Object.keys(files).length >= 6);
    const { sliced, whole } = await auditBoth(files);
    sliced.forEach((r, i) => {
      assert.deepEqual(verdict(r), verdict(whole[i]), r.uri);
    });
  });

  it('gives the same findings as whole-text parses on generated Python (differential)', async () => {
    const statement = fc.constantFrom(
      'import torch',
      'from torch import load as L',
      'import pickle as pk',
      'from pickle import loads',
      'import os',
      'import requests',
      'torch.load(p)',
      'L(p)',
      'pk.loads(b)',
      'loads(data)',
      'torch.load(p, weights_only=WO)',
      'WO = False',
      'WO = True',
      'WO += 1',
      'data = requests.get(u).content',
      'data = b""',
      'a, data = 1, sock.recv(9)',
      'reader = pk.loads',
      'reader(x)',
      'os.environ["MASTER_ADDR"] = HOST',
      'HOST = "0.0.0.0"',
      'm.from_pretrained("org/m")',
      'm.from_pretrained("org/m", revision=REV)',
      'REV = "main"',
      'exec(data)',
      'x = f"{WO}"',
      's = """torch.load(p)\nWO = False"""',
      't = (1,\n     WO)',
      'u = 1 + \\\n    2',
      '@decorator(load=1)',
      'pass',
      'return WO',
    );
    const header = fc.constantFrom(
      'def main(p):',
      'def load(p):',
      'class Model:',
      'if cond:',
      'for i in range(3):',
      'with open(p) as data:',
      'try:',
      'async def serve(x):',
    );
    // Each line: a statement or a header, at an indentation the previous line allows.
    const program = fc
      .array(fc.tuple(fc.boolean(), statement, header, fc.nat(3)), { minLength: 1, maxLength: 18 })
      .map((items) => {
        const lines: string[] = [];
        let depth = 0;
        let open = false;
        for (const [isHeader, s, h, dedent] of items) {
          if (!open) depth = Math.max(0, depth - dedent);
          const pad = '    '.repeat(depth);
          const text = isHeader ? h : s;
          lines.push(pad + text.replace(/\n/g, `\n${pad}`));
          open = isHeader;
          if (isHeader) depth++;
          if (h === 'try:' && isHeader) {
            // A try needs its except: added when the block closes, kept simple here.
            lines.push(`${'    '.repeat(depth)}pass`);
            lines.push(`${'    '.repeat(depth - 1)}except Exception as data:`);
          }
        }
        if (open) lines.push(`${'    '.repeat(depth)}pass`);
        return `${lines.join('\n')}\n`;
      });
    const texts = fc.sample(program, { numRuns: 300, seed: 1414 });
    const cut = await slicedMatchesWhole(texts, 'g');
    // The sample exercises the sliced path.
    assert.ok(cut > 50, `${cut} of ${texts.length} sliced`);
  });

  it('parses whole texts nested deeper than CPython allows, without recursing per level', async () => {
    // 3,000 nested blocks (4.5 MB): reading statements once per level overflowed the stack.
    const nest = (levels: number): string => {
      let t = 'import torch\n';
      for (let i = 0; i < levels; i++) t += `${' '.repeat(i)}if x:\n`;
      return `${t}${' '.repeat(levels)}torch.load(p)\n`;
    };
    assert.equal(slicePython(nest(3000), pythonTriggerWords, 1), undefined);
    assert.equal(slicePython(nest(101), pythonTriggerWords, 1), undefined);
    assert.notEqual(slicePython(`${nest(99)}${FILLER}`, pythonTriggerWords, 1), undefined);
    const { sliced, whole } = await auditBoth({ 'deep.py': nest(150), 'ok.py': nest(60) });
    sliced.forEach((r, i) => {
      assert.deepEqual(verdict(r), verdict(whole[i]), r.uri);
      assert.ok(
        r.findings.some((f) => f.ruleId === 'code/unsafe-torch-load'),
        r.uri,
      );
    });
  });

  it('slices a text the same before and after the name table starts afresh', () => {
    const code = `import torch\nfrom pickle import loads as L\n${FILLER}\ndef main(p):\n    x = L(p)\n    return torch.load(p)\n`;
    const before = JSON.stringify(slicePython(code, pythonTriggerWords, 1));
    // 70,000 distinct names: more than the table keeps between files.
    const names = Array.from({ length: 70_000 }, (_, i) => `name_${i.toString(36)} = ${i}`);
    slicePython(`${names.join('\n')}\n`, pythonTriggerWords, 1);
    assert.equal(JSON.stringify(slicePython(code, pythonTriggerWords, 1)), before);
    assert.ok(before.includes('startIndex'));
  });

  it('gives the same findings as whole-text parses on tricky strings and layouts (property)', async () => {
    // Strings, prefixes, f-strings with nested quotes, continuations, comments holding quotes,
    // non-ASCII names (NFKC), CRLF: pieces on lines at the indentation the last header allows.
    const piece = fc.constantFrom(
      'import torch',
      'from pickle import loads as L',
      'import pickle as pk',
      'torch.load(p)',
      'L(b)',
      'pk.loads(b)',
      'torch.load(p, weights_only=WO)',
      'WO = False',
      'WO = True',
      'data = sock.recv(9)',
      'x = f"{data!r:>{w}}"',
      `x = f"{a["k"]}" + f'{"{"}'`,
      `s = '''torch.load(p)\nWO = False'''`,
      's = """a \\""" torch.load(q) """',
      'r = rb"\\\\" ; t = u"x"',
      `# a comment with "quotes' and torch.load(p)`,
      'y = (1,  # ) comment\n     WO)',
      'z = 1 + \\\n    WO',
      'ｐｉｃｋｌｅ = pk',
      'ｐｉｃｋｌｅ.loads(b)',
      'é = WO',
      'x\u0301 = L',
      'WO = 1load',
      'a, (b, *c) = WO, (1, 2)',
      'x[",a:"] = L',
      'n: bool = WO',
      'def main(p):',
      'async def serve(x):',
      'class C:',
      'if cond:',
      'with open(p) as data:',
      'pass',
      'return WO',
    );
    const program = fc
      .tuple(
        fc.array(fc.tuple(fc.nat(2), fc.boolean(), piece), { minLength: 1, maxLength: 14 }),
        fc.boolean(),
      )
      .map(([items, crlf]) => {
        const lines: string[] = [];
        let depth = 0;
        for (const [dedent, same, p] of items) {
          if (!same) depth = Math.max(0, depth - dedent);
          const pad = '    '.repeat(depth);
          lines.push(pad + p.replace(/\n/g, `\n${pad}`));
          if (p.endsWith(':')) {
            depth++;
            lines.push(`${'    '.repeat(depth)}pass`);
          }
        }
        const text = `${lines.join('\n')}\n`;
        return crlf ? text.replace(/\n/g, '\r\n') : text;
      });
    const texts = fc.sample(program, { numRuns: 250, seed: 2024 });
    const cut = await slicedMatchesWhole(texts, 't');
    assert.ok(cut > 40, `${cut} of ${texts.length} sliced`);
  });
});
