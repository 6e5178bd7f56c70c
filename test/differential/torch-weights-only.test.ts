// Differential test against real torch 1.13 (Debian python3-torch) and torch 2.13 (the venv of
// scripts/torch-venv.mjs), and the bypass-catalogue coverage test. Fixtures: test/fixtures/{torch,pickle}/{ok,evil,bad}, written by
// test/fixtures/make/torch_fixtures.py and listed in test/fixtures/torch/manifest.json.
// The tables and every exception are explained in docs/differential.md.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it, type TestContext } from 'node:test';
import type { Verdict } from '../../src/core/finding.js';
import { scanFile } from '../../src/engine/scan.js';
import { torch2Env, torch2Python } from '../helpers/torch2.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = 'test/fixtures';

interface ManifestEntry {
  readonly kind: string;
  readonly expect: Verdict;
  readonly technique?: string;
  readonly notes: string;
}

interface OracleResult {
  readonly loads: boolean;
  readonly error?: string;
}

const manifest = JSON.parse(readFileSync(`${FIXTURES}/torch/manifest.json`, 'utf8')) as Record<
  string,
  ManifestEntry
>;
const examples = JSON.parse(readFileSync('examples/manifest.json', 'utf8')) as Record<
  string,
  Verdict
>;

/** Formats whose consumer is torch.load: only these take part in "safe ⇒ torch loads it". */
const TORCH_KINDS = new Set(['torch-zip', 'torch-legacy', 'torch-tar', 'torchscript']);

/**
 * torchward calls these safe although torch 1.13's weights_only unpickler refuses them: torchward
 * follows the newest torch allowlist and accepts pure-data opcodes of any protocol (reference §6).
 */
const NARROWER_IN_1_13: Readonly<Record<string, string>> = {
  'torch/ok/checkpoint_with_lr.pt':
    '§6.1/§6.3: 1.13 has no BINFLOAT ("Unsupported operand 71"); a float lr fails',
  'torch/ok/training_checkpoint.pt':
    '§6.1/§6.3: the Adam param_groups hold floats (lr, betas, eps): BINFLOAT, "Unsupported operand 71"',
  'torch/ok/device.pt': "§6.2: torch.device is on the newest allowlist, not on 1.13's",
  'torch/ok/with_bytes.pt':
    "§6.3: bytes pickle as _codecs.encode (protocol 2), not on 1.13's allowlist",
  'torch/ok/with_set.pt':
    '§6.1/§6.2: a set pickles as __builtin__.set (protocol 2 fix_imports); newest remaps it to builtins.set and allows it, 1.13 does neither',
  'torch/ok/protocol4.pt': '§6.1/§6.3: 1.13 rejects FRAME (0x95) and the other protocol-4 opcodes',
  'torch/ok/quantized.pt':
    "§6.2: _rebuild_qtensor and torch.per_tensor_affine are on the newest allowlist, not on 1.13's",
};

/**
 * torchward calls these safe although torch 2.13's weights_only loader refuses them for their
 * framing alone; each carries a pickle/torch-load-refusal finding that says so (asserted below).
 */
const NARROWER_IN_2_13: Readonly<Record<string, string>> = {
  'torch/ok/protocol4.pt':
    '§6.1/§6.3: the weights-only unpickler has no FRAME (0x95) or other protocol-4 opcodes ("Unsupported operand 149")',
  'torch/ok/legacy_tar.pt':
    'torch ≥ 2.6 refuses the legacy tar format under weights_only=True, whatever its content',
};

/**
 * torch loads these with weights_only=True, yet torchward calls them malicious on purpose: the
 * payload sits in bytes torch does not read, but another reader does (reference §9.1). The same
 * for torch 1.13 and torch 2.13.
 */
const HOSTILE_BYTES_TORCH_SKIPS: Readonly<Record<string, string>> = {
  'torch/evil/c02-zip-member-txt.pt':
    'C2: torch reads only archive/data.pkl; the protocol-0 payload in archive/data.txt is for any other reader',
  'torch/evil/c07-duplicate-evil-first.pt':
    'C7: torch reads the last of two archive/data.pkl entries (benign here); readers differ, so both count',
};

/** One torch to compare with. */
interface TorchOracle {
  readonly label: string;
  readonly python: () => string;
  readonly env?: () => NodeJS.ProcessEnv;
  readonly version: RegExp;
  /** torchward `safe`, this torch refuses: documented, each with its reason. */
  readonly narrower: Readonly<Record<string, string>>;
}

const ORACLES: readonly TorchOracle[] = [
  { label: 'torch 1.13', python: () => PYTHON, version: /^1\.13\./, narrower: NARROWER_IN_1_13 },
  {
    label: 'torch 2.13',
    python: torch2Python,
    env: torch2Env,
    version: /^2\.13\./,
    narrower: NARROWER_IN_2_13,
  },
];

/**
 * Manifest entries whose torchward verdict does not match yet, each with the reason (empty now:
 * every entry matches). The test prints them; one that starts matching is reported, or fails under
 * TORCHWARD_STRICT_GAPS=1. A hostile fixture called `safe` is never tolerated: that check has no
 * exceptions.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {};

/** Findings a file written by torch, numpy, joblib or pickle itself must never get. */
const WRITER_NEVER = /stream-anomaly|malformed|unknown-format|internal-error/;

/** ok/ fixtures that get such a finding anyway, with the reason (reported, not failed). */
const KNOWN_FALSE_ANOMALIES: Readonly<Record<string, string>> = {};

/**
 * A KNOWN_GAPS entry that starts matching is reported, not failed, while the engine is landing in
 * parallel; TORCHWARD_STRICT_GAPS=1 makes it fail, so that the list can only shrink.
 */
const STRICT_GAPS = process.env.TORCHWARD_STRICT_GAPS === '1';

/** Fails (or, before STRICT_GAPS, reports) KNOWN_GAPS entries that now match. */
function reportFixedGaps(t: TestContext, fixed: readonly string[]): void {
  if (STRICT_GAPS)
    assert.deepEqual(fixed, [], 'these known gaps are fixed: remove them from KNOWN_GAPS');
  for (const rel of fixed) t.diagnostic(`known gap now matches, remove it from KNOWN_GAPS: ${rel}`);
}

/** Each oracle's answers, by label. */
const answers = new Map<string, Record<string, OracleResult>>();
const verdicts = new Map<string, Verdict | null>();
/** Rule ids of each fixture's findings. */
const ruleIds = new Map<string, readonly string[]>();

/** Runs test/oracle/torch_load.py over `paths`; rejects when torch cannot be imported. */
function runOracle(
  o: TorchOracle,
  paths: readonly string[],
): Promise<Record<string, OracleResult>> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.python(), ['test/oracle/torch_load.py'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(o.env === undefined ? {} : { env: o.env() }),
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`torch oracle exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out) as Record<string, OracleResult>);
    });
    child.stdin.end(JSON.stringify(paths));
  });
}

describe('differential: torchward vs torch 1.13 and torch 2.13 weights_only=True', () => {
  before(async () => {
    const probe = spawnSync(
      PYTHON,
      ['-c', 'import torch, numpy, joblib; print(torch.__version__)'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(
      probe.status,
      0,
      `${PYTHON} cannot import torch/numpy/joblib (apt-get install python3-torch python3-joblib): ${probe.stderr}`,
    );
    for (const o of ORACLES) {
      const version = spawnSync(o.python(), ['-c', 'import torch; print(torch.__version__)'], {
        encoding: 'utf8',
        ...(o.env === undefined ? {} : { env: o.env() }),
      });
      assert.match(version.stdout, o.version, `expected ${o.label}, got ${version.stdout}`);
    }
    const paths = Object.keys(manifest).map((rel) => `${FIXTURES}/${rel}`);
    const pending = ORACLES.map(async (o) => answers.set(o.label, await runOracle(o, paths)));
    for (const rel of Object.keys(manifest)) {
      const result = await scanFile(`${FIXTURES}/${rel}`);
      verdicts.set(rel, result.verdict);
      ruleIds.set(
        rel,
        result.findings.map((f) => f.ruleId),
      );
    }
    await Promise.all(pending);
  });

  for (const o of ORACLES) {
    const answer = (rel: string): OracleResult | undefined =>
      answers.get(o.label)?.[`${FIXTURES}/${rel}`];

    describe(o.label, () => {
      it('has an oracle answer for every fixture', () => {
        for (const rel of Object.keys(manifest)) {
          assert.ok(answer(rel), `no oracle result for ${rel}`);
        }
      });

      it(`never calls malicious what ${o.label} loads with weights_only=True`, () => {
        const wrong: string[] = [];
        for (const rel of Object.keys(manifest)) {
          const loads = answer(rel)?.loads === true;
          if (loads && verdicts.get(rel) === 'malicious' && !(rel in HOSTILE_BYTES_TORCH_SKIPS))
            wrong.push(rel);
        }
        assert.deepEqual(wrong, []);
        for (const rel of Object.keys(HOSTILE_BYTES_TORCH_SKIPS)) {
          assert.equal(answer(rel)?.loads, true, `${rel} no longer loads: drop the exception`);
        }
      });

      it(`calls safe only torch checkpoints that ${o.label} loads, except the documented narrower cases`, () => {
        const wrong: string[] = [];
        for (const [rel, entry] of Object.entries(manifest)) {
          if (!TORCH_KINDS.has(entry.kind) || verdicts.get(rel) !== 'safe') continue;
          const result = answer(rel);
          if (result?.loads !== true && !(rel in o.narrower)) {
            wrong.push(`${rel}: ${result?.error ?? 'no oracle result'}`);
          }
        }
        assert.deepEqual(wrong, []);
        for (const rel of Object.keys(o.narrower)) {
          assert.equal(
            answer(rel)?.loads,
            false,
            `${rel} loads in ${o.label} now: drop the exception`,
          );
        }
      });
    });
  }

  it('says so (pickle/torch-load-refusal) on every safe torch checkpoint torch 2.13 refuses, and only there', () => {
    const missing: string[] = [];
    const extra: string[] = [];
    for (const [rel, entry] of Object.entries(manifest)) {
      if (!TORCH_KINDS.has(entry.kind)) continue;
      const noted = (ruleIds.get(rel) ?? []).includes('pickle/torch-load-refusal');
      const refused = answers.get('torch 2.13')?.[`${FIXTURES}/${rel}`]?.loads === false;
      if (verdicts.get(rel) === 'safe' && refused && !noted) missing.push(rel);
      if (noted && !refused) extra.push(rel);
    }
    assert.deepEqual(missing, []);
    assert.deepEqual(extra, []);
  });

  it('never calls a hostile fixture safe', () => {
    const wrong = Object.entries(manifest)
      .filter(([rel, e]) => e.expect !== 'safe' && verdicts.get(rel) === 'safe')
      .map(([rel, e]) => `${rel} (${e.technique ?? e.kind}): expected ${e.expect}, got safe`);
    assert.deepEqual(wrong, []);
  });

  it('finds no stream anomaly or malformation in what real writers wrote (ok/ fixtures)', (t) => {
    const wrong: string[] = [];
    for (const rel of Object.keys(manifest)) {
      if (!rel.includes('/ok/')) continue;
      const odd = (ruleIds.get(rel) ?? []).filter((id) => WRITER_NEVER.test(id));
      if (odd.length === 0) continue;
      const gap = KNOWN_FALSE_ANOMALIES[rel];
      if (gap === undefined) wrong.push(`${rel}: ${[...new Set(odd)].join(', ')}`);
      else t.diagnostic(`known false anomaly ${rel}: ${gap}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('gives every manifest entry its expected verdict (bypass-catalogue coverage)', (t) => {
    const misses: string[] = [];
    const fixed: string[] = [];
    for (const [rel, entry] of Object.entries(manifest)) {
      const got = verdicts.get(rel);
      const gap = KNOWN_GAPS[rel];
      if (got === entry.expect) {
        if (gap !== undefined) fixed.push(rel);
      } else if (gap === undefined) {
        misses.push(
          `${rel} (${entry.technique ?? entry.kind}): expected ${entry.expect}, got ${String(got)}`,
        );
      } else {
        t.diagnostic(`known gap ${rel}: expected ${entry.expect}, got ${String(got)}: ${gap}`);
      }
    }
    assert.deepEqual(misses, []);
    reportFixedGaps(t, fixed);
  });
});

describe('examples/', () => {
  it('gives every example its documented verdict', async (t) => {
    const wrong: string[] = [];
    const fixed: string[] = [];
    for (const [rel, expect] of Object.entries(examples)) {
      const got = (await scanFile(`examples/${rel}`)).verdict;
      const gap = KNOWN_GAPS[`examples/${rel}`];
      if (got === expect && gap !== undefined) fixed.push(rel);
      if (got !== expect && gap === undefined)
        wrong.push(`${rel}: expected ${expect}, got ${String(got)}`);
    }
    assert.deepEqual(wrong, []);
    reportFixedGaps(
      t,
      fixed.map((rel) => `examples/${rel}`),
    );
  });
});

describe('fixture generator', () => {
  it('reproduces the manifest file list', () => {
    const r = spawnSync(PYTHON, ['test/fixtures/make/torch_fixtures.py', '--list'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), Object.keys(manifest).sort());
  });

  it('covers every technique of the bypass catalogue (§9.1 C1-C17, §9.2 O1-O11, §9.3 gadgets)', () => {
    const techniques = new Set(Object.values(manifest).map((e) => e.technique));
    const want = [
      ...Array.from({ length: 17 }, (_, i) => `C${i + 1}`),
      ...Array.from({ length: 11 }, (_, i) => `O${i + 1}`),
      'G',
    ];
    assert.deepEqual(
      want.filter((id) => !techniques.has(id)),
      [],
    );
  });
});
