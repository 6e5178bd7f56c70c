// Configs inside archives (adversary pass): a NeMo `.nemo` is a tar(.gz) whose model_config.yaml
// Hydra instantiates on restore (CVE-2025-23304), and a zipped model repository carries its
// tokenizer_config.json. Python's tarfile/zipfile and Debian's torch 1.13 write the archives at
// test time; the payloads are inert text (nothing is instantiated or rendered).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';

const WRITER = String.raw`
import io, json, sys, tarfile, zipfile, torch
out = sys.argv[1]
buf = io.BytesIO(); torch.save({'state_dict': {'w': torch.ones(2)}}, buf); ckpt = buf.getvalue()
def nemo(name, config, mode):
    with tarfile.open(f'{out}/{name}', mode) as t:
        for member, data in [('./model_config.yaml', config.encode()), ('./model_weights.ckpt', ckpt)]:
            info = tarfile.TarInfo(member); info.size = len(data); t.addfile(info, io.BytesIO(data))
nemo('evil.nemo', 'target: nemo.collections.asr.models.EncDecCTCModel\nencoder:\n  _target_: os.system\n  command: id\n', 'w:gz')
nemo('evil-plain.nemo', 'encoder:\n  _target_: builtins.exec\n  _args_: [x]\n', 'w')
nemo('ok.nemo', 'target: nemo.collections.asr.models.EncDecCTCModel\nencoder:\n  _target_: nemo.collections.asr.modules.ConvASREncoder\n  feat_in: 64\n', 'w:gz')
nemo('multidoc.tar', 'kind: A\n---\nkind: B\n', 'w')
with zipfile.ZipFile(f'{out}/repo.zip', 'w') as z:
    z.writestr('model/tokenizer_config.json', json.dumps({'chat_template': "{{ [''] | map(attribute='__class__.__mro__') | list }}"}))
    z.writestr('model/config.json', json.dumps({'model_type': 'bert'}))
`;

describe('configs inside archives', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-repo-member-'));
    execFileSync('/usr/bin/python3', ['-c', WRITER, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = async (name: string) => {
    const r = await scanFile(join(dir, name));
    return { verdict: r.verdict, rules: [...new Set(r.findings.map((f) => f.ruleId))] };
  };

  it('a .nemo whose model_config.yaml names a dangerous Hydra _target_ is malicious', async () => {
    for (const name of ['evil.nemo', 'evil-plain.nemo']) {
      assert.deepEqual(await scan(name), {
        verdict: 'malicious',
        rules: ['repository/hydra-target'],
      });
    }
    const r = await scanFile(join(dir, 'evil.nemo'));
    assert.ok(
      r.findings.some((f) => f.primary.uri.endsWith('!/./model_config.yaml')),
      JSON.stringify(r.findings.map((f) => f.primary)),
    );
  });

  it('a .nemo with NeMo targets and a tar of unrelated multi-document YAML stay safe', async () => {
    assert.deepEqual(await scan('ok.nemo'), { verdict: 'safe', rules: [] });
    assert.deepEqual(await scan('multidoc.tar'), { verdict: 'safe', rules: [] });
  });

  it('a zipped repository’s chat template escape is malicious', async () => {
    assert.deepEqual(await scan('repo.zip'), {
      verdict: 'malicious',
      rules: ['repository/chat-template-injection'],
    });
  });
});
