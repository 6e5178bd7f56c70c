import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanPaths } from '../../src/engine/scan.js';
import { LineIndex } from '../../src/core/line-index.js';

const CORPUS = join('test', 'fixtures', 'code', 'bandit', 'corpus.py');

// Every disagreement with Bandit 1.6.2 (Debian bookworm) on B301/B506, by corpus line; each is
// explained in docs/differential.md. The test fails when the set changes, in either direction.
const TORCHWARD_ONLY = new Map([
  [22, '_pickle.loads: the C accelerator of pickle, not in B301'],
  [25, 'cloudpickle.loads: not in B301'],
  [26, 'joblib.load: unpickles; not in B301'],
  [
    27,
    'shelve.open: unpickles values; B301 lists it elsewhere (B301 covers pickle/cPickle/dill only)',
  ],
  [28, 'pandas.read_pickle: not in B301'],
  [39, 'yaml.unsafe_load: B506 checks only functions named load'],
  [40, 'yaml.load_all: B506 checks only functions named load'],
]);
const BANDIT_ONLY = new Map([
  [33, 'yaml.load(s, yaml.SafeLoader): B506 reads the Loader only as a keyword'],
  [
    36,
    'Loader=yaml.BaseLoader: builds only strings, lists and dicts; B506 accepts only SafeLoader/CSafeLoader',
  ],
]);

test('code/pickle-deserialization against Bandit B301/B506 on the shared corpus', async () => {
  const bandit = spawnSync('/usr/bin/bandit', ['-q', '-f', 'json', '-t', 'B301,B506', CORPUS], {
    encoding: 'utf8',
  });
  assert.ok(
    bandit.stdout.length > 0,
    `bandit did not run (install Debian's bandit): ${bandit.stderr}`,
  );
  const banditLines = new Set(
    (JSON.parse(bandit.stdout) as { results: { line_number: number }[] }).results.map(
      (r) => r.line_number,
    ),
  );
  const report = await scanPaths([CORPUS]);
  const file = report.files[0];
  assert.ok(file?.text !== undefined);
  const lines = new LineIndex(file.text);
  const ours = new Set(
    file.findings
      .filter((f) => f.ruleId === 'code/pickle-deserialization')
      .map((f) => lines.position(f.primary.span.start).line),
  );
  const onlyOurs = [...ours].filter((l) => !banditLines.has(l)).sort((a, b) => a - b);
  const onlyBandit = [...banditLines].filter((l) => !ours.has(l)).sort((a, b) => a - b);
  assert.deepEqual(onlyOurs, [...TORCHWARD_ONLY.keys()]);
  assert.deepEqual(onlyBandit, [...BANDIT_ONLY.keys()]);
  // The agreement is substantial: both flag the plain pickle, dill and yaml.load calls.
  assert.ok([...ours].filter((l) => banditLines.has(l)).length >= 13);
});
