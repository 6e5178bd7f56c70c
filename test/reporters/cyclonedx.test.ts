import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli-io.js';
import { cycloneDxErrors } from '../helpers/cyclonedx-schema.js';

const FIX = join(process.cwd(), 'test', 'fixtures');

interface Bom {
  specVersion: string;
  components: {
    type: string;
    'bom-ref': string;
    name: string;
    version?: string;
    hashes?: { alg: string; content: string }[];
    modelCard?: { modelParameters?: Record<string, unknown> };
    properties?: { name: string; value: string }[];
    purl?: string;
  }[];
  dependencies: { ref: string; dependsOn?: string[] }[];
  vulnerabilities?: { id: string; affects: { ref: string }[]; ratings: { severity: string }[] }[];
}

function modelFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-bom-'));
  copyFileSync(
    join(FIX, 'safetensors', 'ok', 'two-tensors.safetensors'),
    join(dir, 'model.safetensors'),
  );
  copyFileSync(join(FIX, 'torch', 'evil', 'c06-deflated-data-pkl.pt'), join(dir, 'evil.pt'));
  writeFileSync(
    join(dir, 'config.json'),
    '{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}',
  );
  writeFileSync(
    join(dir, 'README.md'),
    '---\nlicense: mit\npipeline_tag: text-generation\ndatasets:\n- openwebtext\n---\n# model\n',
  );
  writeFileSync(join(dir, 'requirements.txt'), 'torch==2.6.0\ntransformers>=4.40\n');
  return dir;
}

describe('scan --format cyclonedx', () => {
  it('writes a CycloneDX 1.6 ML-BOM that the official schema accepts', async () => {
    const dir = modelFolder();
    const r = await runCli(
      ['scan', dir, '--format', 'cyclonedx', '--no-config', '--no-progress'],
      {},
      dir,
    );
    assert.equal(r.code, 1, r.stderr);
    const bom = JSON.parse(r.stdout) as Bom;
    assert.deepEqual(cycloneDxErrors(bom), []);
    assert.equal(bom.specVersion, '1.6');
    const models = bom.components.filter((c) => c.type === 'machine-learning-model');
    const base = (m: { name: string }) => m.name.split('/').pop() ?? '';
    assert.deepEqual(models.map(base).sort(), ['evil.pt', 'model.safetensors']);
    for (const m of models) {
      const sha = createHash('sha256')
        .update(readFileSync(join(dir, base(m))))
        .digest('hex');
      assert.deepEqual(m.hashes, [{ alg: 'SHA-256', content: sha }]);
      assert.equal(m.modelCard?.modelParameters?.task, 'text-generation');
      assert.equal(m.modelCard?.modelParameters?.architectureFamily, 'gpt2');
      assert.equal(m.modelCard?.modelParameters?.modelArchitecture, 'GPT2LMHeadModel');
    }
    const prop = (c: Bom['components'][number], n: string) =>
      c.properties?.find((p) => p.name === n)?.value;
    const st = models.find((m) => base(m) === 'model.safetensors');
    assert.ok(st !== undefined);
    assert.equal(prop(st, 'torchward:framework'), 'safetensors');
    assert.equal(prop(st, 'torchward:verdict'), 'safe');
    const evil = models.find((m) => base(m) === 'evil.pt');
    assert.ok(evil !== undefined);
    assert.equal(prop(evil, 'torchward:framework'), 'pytorch');
    assert.equal(prop(evil, 'torchward:verdict'), 'malicious');
    const libs = bom.components.filter((c) => c.type === 'library');
    assert.deepEqual(
      libs.map((l) => [l.name, l.version, l.purl]),
      [
        ['torch', '2.6.0', 'pkg:pypi/torch@2.6.0'],
        ['transformers', undefined, 'pkg:pypi/transformers'],
      ],
    );
    const root = bom.dependencies.find((d) => d.ref === 'subject');
    assert.ok(root?.dependsOn?.includes('pypi:torch'));
    const vuln = bom.vulnerabilities?.find((v) => v.id === 'pickle/dangerous-global');
    assert.equal(vuln?.affects[0]?.ref, evil['bom-ref']);
    assert.equal(vuln?.ratings[0]?.severity, 'critical');
  });

  it('the schema check is live: a BOM with a made-up hash algorithm is rejected', () => {
    const bad = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        { type: 'machine-learning-model', name: 'x', hashes: [{ alg: 'SHA-999', content: 'ab' }] },
      ],
    };
    assert.notDeepEqual(cycloneDxErrors(bad), []);
  });
});
