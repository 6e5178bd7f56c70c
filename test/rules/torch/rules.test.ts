import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import { classifyZip, parseZipDirectory } from '../../../src/formats/zip/index.js';
import { runRules } from '../../helpers/run-rules.js';
import torchscriptArchive from '../../../src/rules/torch/torchscript-archive.js';

async function run(fixture: string): Promise<unknown[]> {
  const bytes = new Uint8Array(readFileSync(join('test', 'fixtures', 'zip', fixture)));
  const zip = await parseZipDirectory(new MemorySource(bytes), makeLimits());
  return runRules(
    [torchscriptArchive],
    classifyZip(zip.entries),
    { uri: 'm.pt', unit: 'byte', options: {} },
    (id) => {
      throw new Error(id);
    },
  ).map((f) => [f.messageId, f.verdict, f.primary.path, f.message.slice(0, 60)]);
}

describe('torch/torchscript-archive', () => {
  it('valid: torch.save checkpoints (stored and deflated)', async () => {
    assert.deepEqual(await run('ok/torch-state-dict.pt'), []);
    assert.deepEqual(await run('ok/torch-deflated.pt'), []);
  });
  it('invalid: torch.jit.save archive', async () => {
    assert.deepEqual(await run('evil/c16-torchscript.pt'), [
      [
        'torchscript',
        'suspicious',
        ['archive/code/__torch__.py'],
        'TorchScript archive (3 code records, first `archive/code/__t',
      ],
    ]);
  });
});
