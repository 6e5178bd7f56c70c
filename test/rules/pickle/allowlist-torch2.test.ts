// The allowlist tracks torch 2.13: compared with the live torch 2.13 (the venv of
// scripts/torch-venv.mjs) and with Debian's torch 1.13, and checked on checkpoints torch 2.13
// itself writes and refuses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';
import {
  TORCH_1_13_ALLOWLIST,
  TORCH_2_13_ALLOWLIST,
  TORCHWARD_ADDITIONS,
  WEIGHTS_ONLY_ALLOWLIST,
} from '../../../src/rules/pickle/policy/allowlist.js';
import { TORCH_2_13_OPCODES } from '../../../src/rules/pickle/policy/torch-opcodes.js';
import { torch2Env, torch2Python } from '../../helpers/torch2.js';

const SCRIPT = 'test/oracle/torch2_allowlist.py';

interface Facts {
  readonly version: string;
  readonly allowed: readonly string[];
  readonly opcodes: Readonly<Record<string, number>>;
}

interface Loaded {
  readonly loads: boolean;
  readonly error?: string;
}

/**
 * Names an earlier torchward allowed that torch 2.13 refuses: torch 1.13's CSR rebuild and the
 * complex and sparse-bool tensor classes. They must stay refused.
 */
const REFUSED_BY_2_13 = [
  'torch._utils._rebuild_sparse_csr_tensor',
  'torch.ComplexDoubleTensor',
  'torch.ComplexFloatTensor',
  'torch.cuda.ComplexDoubleTensor',
  'torch.cuda.ComplexFloatTensor',
  'torch.cuda.sparse.BoolTensor',
  'torch.cuda.sparse.ComplexDoubleTensor',
  'torch.cuda.sparse.ComplexFloatTensor',
  'torch.sparse.BoolTensor',
  'torch.sparse.ComplexDoubleTensor',
  'torch.sparse.ComplexFloatTensor',
];

function sorted(names: Iterable<string>): string[] {
  return [...names].sort();
}

describe('the weights-only allowlist tracks torch 2.13', () => {
  let facts: Facts;
  before(() => {
    facts = JSON.parse(
      execFileSync(torch2Python(), [SCRIPT, 'facts'], { encoding: 'utf8', env: torch2Env() }),
    ) as Facts;
  });

  it('runs against torch 2.13', () => {
    assert.match(facts.version, /^2\.13\./);
  });

  it("TORCH_2_13_ALLOWLIST equals the live torch 2.13's _get_allowed_globals()", () => {
    assert.deepEqual(sorted(TORCH_2_13_ALLOWLIST), sorted(facts.allowed));
  });

  it("torchward's allowlist is torch 2.13's plus its documented additions, none of them torch 1.13 leftovers", () => {
    assert.deepEqual(
      sorted(WEIGHTS_ONLY_ALLOWLIST),
      sorted(new Set([...facts.allowed, ...TORCHWARD_ADDITIONS])),
    );
    for (const name of REFUSED_BY_2_13) {
      assert.equal(facts.allowed.includes(name), false, `torch 2.13 allows ${name} now`);
      assert.equal(WEIGHTS_ONLY_ALLOWLIST.has(name), false, name);
    }
  });

  it("TORCH_2_13_OPCODES equals the opcodes torch 2.13's weights-only unpickler implements", () => {
    const live = Object.entries(facts.opcodes)
      .map(([name, byte]) => `${name}=${byte}`)
      .sort();
    const ours = [...TORCH_2_13_OPCODES].map(([byte, name]) => `${name}=${byte}`).sort();
    assert.deepEqual(ours, live);
  });

  it("TORCH_1_13_ALLOWLIST equals Debian's torch 1.13's _get_allowed_globals()", () => {
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        'import json, torch, torch._weights_only_unpickler as w; print(json.dumps([torch.__version__, sorted(w._get_allowed_globals())]))',
      ],
      { encoding: 'utf8' },
    );
    const [version, names] = JSON.parse(out) as [string, string[]];
    assert.match(version, /^1\.13\./);
    assert.deepEqual(sorted(TORCH_1_13_ALLOWLIST), sorted(names));
  });
});

describe('checkpoints torch 2.13 writes and refuses', () => {
  let dir: string;
  let loaded: Record<string, Loaded>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-allow2-'));
    loaded = JSON.parse(
      execFileSync(torch2Python(), [SCRIPT, 'refused', dir, ...REFUSED_BY_2_13], {
        encoding: 'utf8',
        env: torch2Env(),
      }),
    ) as Record<string, Loaded>;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [i, name] of REFUSED_BY_2_13.entries()) {
    it(`${name}: torch 2.13 refuses it, torchward calls it suspicious`, async () => {
      const file = join(dir, `${i}.pt`);
      const torch = loaded[file];
      assert.equal(torch?.loads, false);
      assert.match(torch.error ?? '', /Unsupported global: GLOBAL /);
      const result = await scanFile(file);
      assert.equal(result.verdict, 'suspicious');
      assert.ok(
        result.findings.some(
          (f) => f.ruleId === 'pickle/unknown-global' && f.message.includes(name),
        ),
        JSON.stringify(result.findings.map((f) => f.message)),
      );
    });
  }

  it('protocol 2 (torch.save default): torch 2.13 loads it, torchward safe with no note', async () => {
    const file = join(dir, 'proto2.pt');
    assert.equal(loaded[file]?.loads, true);
    const result = await scanFile(file);
    assert.equal(result.verdict, 'safe');
    assert.deepEqual(
      result.findings.map((f) => f.ruleId),
      [],
    );
  });

  for (const p of [4, 5]) {
    it(`protocol ${p}: torch 2.13 refuses its FRAME; torchward safe, with a finding saying so`, async () => {
      const file = join(dir, `proto${p}.pt`);
      assert.equal(loaded[file]?.loads, false);
      assert.match(loaded[file]?.error ?? '', /Unsupported operand 149/);
      const result = await scanFile(file);
      assert.equal(result.verdict, 'safe');
      const notes = result.findings.filter((f) => f.ruleId === 'pickle/torch-load-refusal');
      assert.equal(notes.length, 1);
      assert.equal(notes[0]?.severity, 'info');
      assert.match(notes[0]?.message ?? '', /does not implement FRAME \(0x95\).*protocol \d/);
    });
  }
});
