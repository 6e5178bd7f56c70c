import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { auditCodeFiles, type CodeAuditResult } from '../../../src/engine/code-audit.js';
import { codePythonNeeds, codeRules, mayFireOnPython } from '../../../src/rules/code/index.js';

/** Audits `texts` as Python files of one repository, with and without the prefilter. */
async function auditBoth(
  texts: readonly (string | Buffer)[],
): Promise<{ filtered: CodeAuditResult[]; full: CodeAuditResult[] }> {
  const root = mkdtempSync(join(tmpdir(), 'torchward-prefilter-'));
  try {
    const files = texts.map((text, i) => {
      const path = join(root, `m${i}.py`);
      writeFileSync(path, text);
      return { path, uri: `m${i}.py`, kind: 'python' as const };
    });
    const options = { limits: DEFAULT_LIMITS, config: {}, repoRoot: root };
    const filtered = (await auditCodeFiles(files, options)).results;
    const full = (await auditCodeFiles(files, { ...options, prefilter: false })).results;
    return { filtered, full };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** What must not differ: every finding but code/parse-error's syntax one, and the content scan. */
function verdict(r: CodeAuditResult): string[] {
  return [
    `contentScan ${r.contentScan}`,
    ...r.findings
      .filter((f) => !(f.ruleId === 'code/parse-error' && f.messageId === 'syntax'))
      .map(
        (f) =>
          `${f.ruleId} ${f.messageId} ${f.severity} ${f.primary.span.start}-${f.primary.span.end} ${f.message}`,
      ),
  ];
}

describe('code audit prefilter', () => {
  it('knows what every code rule reads of the Python model', () => {
    assert.deepEqual(
      [...codePythonNeeds.keys()].sort(),
      codeRules.map((r) => r.id),
    );
  });

  it('passes texts that can name an audited call, and only those', () => {
    const may = [
      'import torch\ntorch.load(p)\n',
      'from torch import load as L\nL(p)\n',
      'import torch as T\nT.load(p)\n',
      'import pickle\nwith open(p, "rb") as f:\n    pickle.load(f)\n',
      'from transformers import AutoModel\nAutoModel.from_pretrained("a/b")\n',
      'x(trust_remote_code=True)\n',
      'import os\nos.environ["MASTER_ADDR"] = "0.0.0.0"\n',
      'import requests\nexec(requests.get(u).text)\n',
      // A number glued to a name lexes as the number, then the name.
      'import torch\ntorch.1load(p)\n',
      // Mentions in comments and strings count (it errs towards parsing).
      '# torch.load\n',
    ];
    const never = [
      // Importing pickle is no finding; calling one of its loaders is.
      'import pickle\npickle.dumps(x)\n',
      'import json\njson.loads(s)\n',
      'import torch\nmodel.load_state_dict(torch.zeros(1))\n',
      'import yaml\nyaml.safe_load(f)\n',
      // eval() runs only downloaded text; nothing here downloads anything.
      'model.eval()\nx = eval("1")\n',
      'def f(:\n    pass\n',
      '',
    ];
    for (const text of may) assert.equal(mayFireOnPython(text), true, text);
    for (const text of never) assert.equal(mayFireOnPython(text), false, text);
  });

  it('skips the parse only where no finding can come of it: the syntax finding is the difference', async () => {
    const { filtered, full } = await auditBoth(['def f(:\n    pass\n']);
    assert.deepEqual(
      filtered[0]?.findings.map((f) => f.ruleId),
      [],
    );
    assert.deepEqual(
      full[0]?.findings.map((f) => `${f.ruleId}:${f.messageId}`),
      ['code/parse-error:syntax'],
    );
  });

  it('still sends a protocol-0 pickle named .py to the content scan', async () => {
    // pickle.dumps(print, protocol=0) wrapped in a REDUCE: no audited name in its text.
    const pickle = Buffer.from("cbuiltins\nprint\n(S'hi'\ntR.", 'latin1');
    assert.equal(mayFireOnPython(pickle.toString('latin1')), false);
    const { filtered, full } = await auditBoth([pickle]);
    assert.equal(filtered[0]?.contentScan, true);
    assert.deepEqual(verdict(filtered[0]), verdict(full[0]!));
  });

  it('gives the same findings with and without it on generated near-Python (differential)', async () => {
    const fragment = fc.constantFrom(
      'import torch',
      'import torch as T',
      'from torch import load as L',
      'from torch import load',
      'import torch.distributed as dist',
      'from torch.distributed import rpc',
      'import pickle',
      'from pickle import loads',
      'import yaml',
      'import os',
      'from os import environ',
      'import requests',
      'import numpy as np',
      'from transformers import AutoModel',
      'from huggingface_hub import hf_hub_download',
      'import ray',
      'torch.load(p)',
      'T.load(p, weights_only=False)',
      'L(x)',
      'load(x)',
      'loads(b)',
      'pickle.load(f)',
      'yaml.load(f)',
      'yaml.safe_load(f)',
      'np.load(f, allow_pickle=True)',
      'os.environ["MASTER_ADDR"] = "0.0.0.0"',
      'environ["MASTER_" "ADDR"] = "8.8.8.8"',
      'os.environ.setdefault("MASTER_ADDR", "0.0.0.0")',
      'dist.init_process_group("nccl", init_method="tcp://0.0.0.0:29500")',
      'rpc.init_rpc("w")',
      'dist.broadcast_object_list(x)',
      'dist.TCPStore("0.0.0.0", 1, 2, True)',
      'ray.init(dashboard_host="0.0.0.0")',
      'AutoModel.from_pretrained("org/model")',
      'hf_hub_download("org/model", "f.bin")',
      'm(trust_remote_code=True)',
      'exec(requests.get(u).text)',
      'data = requests.get(u).content',
      'eval(data)',
      'torch.load(data)',
      'model.eval()',
      'model.load_state_dict(s)',
      'load = torch.load',
      'torch . load(p)',
      'torch.\\\n    load(p)',
      'torch.lo ad(p)',
      'torch.1load(p)',
      'x = 0xload',
      '𝐭𝐨𝐫𝐜𝐡.load(p)',
      'def f(:',
      'def train(p):',
      'with open(p) as f:',
      'x = (',
      ')',
      '"""torch.load"""',
      '# pickle.load(f)',
      'WEIGHTS = False',
      'torch.load(p, weights_only=WEIGHTS)',
    );
    const joiner = fc.constantFrom('\n', '\n    ', ' ', '', '.', '(', ', ', '\n\n');
    const file = fc
      .array(fc.tuple(fragment, joiner), { minLength: 1, maxLength: 10 })
      .map((parts) => parts.map(([f, j]) => f + j).join(''));
    const texts = fc.sample(file, { numRuns: 400, seed: 14 });
    const { filtered, full } = await auditBoth(texts);
    let skipped = 0;
    texts.forEach((text, i) => {
      if (!mayFireOnPython(text)) skipped++;
      assert.deepEqual(verdict(filtered[i]!), verdict(full[i]!), text);
    });
    // The sample exercises both paths.
    assert.ok(skipped > 20 && skipped < texts.length - 20, `${skipped} of ${texts.length} skipped`);
  });
});
